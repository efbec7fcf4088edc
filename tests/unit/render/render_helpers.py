"""Shared helpers for the render tests: the fixture repository and short accessors.

Imported as `tests.unit.render.render_helpers`. The fixture repository (`testdata/repo`) is only
read; tests that need symlinks or files outside the repository build a copy under tmp_path.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from trueup.model import Manifest
from trueup.render import RenderCache, RenderResult, render

REPO = Path(__file__).parent / "testdata" / "repo"


async def render_app(path: str, source: dict[str, Any] | None = None, *, root: Path = REPO,
                     app_name: str = "demo", namespace: str = "team-a", **kwargs: Any) -> RenderResult:
    return await render(root, path, source or {}, app_name=app_name, namespace=namespace, **kwargs)


def names(result: RenderResult) -> list[str]:
    return [f"{m.obj['kind']}/{m.obj['metadata']['name']}" for m in result.manifests]


def by_name(result: RenderResult, kind: str, name: str) -> Manifest:
    for m in result.manifests:
        if m.obj["kind"] == kind and m.obj["metadata"]["name"] == name:
            return m
    raise AssertionError(f"{kind}/{name} not rendered; got {names(result)}")


def copy_repo(tmp_path: Path) -> Path:
    """A writable copy of the fixture repository (for symlinks), beside an 'outside' directory."""
    root = tmp_path / "repo"
    shutil.copytree(REPO, root, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\nstringData:\n  password: hunter2\n")
    return root


__all__ = ["REPO", "RenderCache", "by_name", "copy_repo", "names", "render_app"]
