"""Render deploy/helm/trueup with the Helm SDK (as `trueup render` and `helm template --include-crds` do)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "trueup"
CRD_SOURCE = ROOT / "src" / "trueup" / "app" / "crd.yaml"

Obj = dict[str, Any]


def render(values: dict[str, Any] | None = None, release: str = "trueup", namespace: str = "trueup",
           chart: Path = CHART) -> tuple[list[Obj], str]:
    """(CRDs first, then every template's objects; NOTES.txt text)."""
    with helm_python.Chart.load(str(chart)) as loaded:
        rendered = loaded.render(values or {}, name=release, namespace=namespace, is_install=True)
        crds = loaded.crds
    objects: list[Obj] = []
    for crd in sorted(crds, key=lambda c: c.get("filename", "")):
        objects.extend(d for d in yaml.safe_load_all(crd["data"]) if d)
    notes = ""
    for name in sorted(rendered):
        if name.endswith("NOTES.txt"):
            notes = rendered[name]
        elif name.endswith(".yaml"):
            objects.extend(d for d in yaml.safe_load_all(rendered[name]) if d)
    return objects, notes


def one(objects: list[Obj], kind: str, name: str | None = None, namespace: str | None = None) -> Obj:
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)
             and (namespace is None or o["metadata"].get("namespace") == namespace)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {[o['metadata']['name'] for o in found]}"
    return found[0]


def kinds(objects: list[Obj]) -> list[str]:
    return sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects)


def container(objects: list[Obj]) -> Obj:
    deployment = one(objects, "Deployment")
    containers: list[Obj] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]
