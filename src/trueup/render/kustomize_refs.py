"""Before kustomize runs: every local base stays in the repository, remote ones are refused.

kustomize's `LoadRestrictionsRootOnly` keeps *files* inside each kustomization's directory, but
a `resources:`/`components:` entry naming a directory opens a new root anywhere. So the
kustomization files are walked from the app directory: each local directory reference is
resolved (symlinks followed) and must stay inside the repository; each remote reference (URL,
`github.com/…`, `git@…`) is an error unless remote bases are enabled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .confine import confine
from .errors import RenderError
from .result import RenderContext
from .yamldocs import yaml_documents

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)", re.I)
_REF_FIELDS = ("resources", "bases", "components")


def kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def is_remote(ref: str) -> bool:
    return bool(_REMOTE.match(ref))


def check_references(ctx: RenderContext, directory: Path, seen: set[Path] | None = None) -> None:
    seen = set() if seen is None else seen
    if directory in seen:
        return
    seen.add(directory)
    file = kustomization_file(directory)
    if file is None:
        return
    rel = ctx.rel(file)
    docs = [doc for doc, _ in yaml_documents(file.read_text(encoding="utf-8-sig"), rel, renderer="kustomize")]
    body: Any = docs[0] if docs else {}
    if not isinstance(body, dict):
        raise RenderError("a kustomization must be a YAML mapping; fix the file", file=rel, renderer="kustomize")
    for field in _REF_FIELDS:
        for ref in body.get(field) or []:
            if not isinstance(ref, str):
                continue
            if is_remote(ref):
                if ctx.settings.allow_remote_bases:
                    continue
                raise RenderError(
                    f"{field} entry {ref!r} is a remote base; trueup renders offline, so vendor it into the "
                    "repository (remote bases are disabled)", file=rel, renderer="kustomize")
            target = confine(ctx.root, directory, ref, what=f"{field} entry", renderer="kustomize")
            if target.is_dir():
                check_references(ctx, target, seen)
