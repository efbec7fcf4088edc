"""Helm chart archives and a repository index, written by the tests (as `helm package` and
`helm repo index` would lay them out), for a chart repository served on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
data:
  chartVersion: {{ .Chart.Version | quote }}
  color: {{ .Values.color | quote }}
  size: {{ .Values.size | quote }}
"""


def package(static: Path, name: str, version: str, template: str = TEMPLATE) -> Path:
    """A chart archive as `helm package` lays it out: `<name>/Chart.yaml`, values, templates."""
    files = {"Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: {version}\n",
             "values.yaml": "color: red\nsize: small\n", "templates/cm.yaml": template}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for rel, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}/{rel}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    static.mkdir(parents=True, exist_ok=True)
    path = static / f"{name}-{version}.tgz"
    path.write_bytes(buf.getvalue())
    return path


def index(static: Path, archives: list[tuple[str, str, Path]]) -> None:
    entries: dict[str, list[dict[str, Any]]] = {}
    for name, version, path in archives:
        entries.setdefault(name, []).append({
            "apiVersion": "v2", "name": name, "version": version, "urls": [path.name],
            "digest": hashlib.sha256(path.read_bytes()).hexdigest()})
    (static / "index.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "entries": entries}))
