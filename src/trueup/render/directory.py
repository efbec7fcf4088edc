"""The plain directory renderer: YAML, JSON and Jsonnet files of the app directory.

Files are read in sorted order of their path (stable output), `directory.recurse` walks
subdirectories (`.git` never), `directory.include`/`exclude` filter by glob on the path
relative to the app directory. A registry maps file extensions to parsers; other files
(README.md, *.txt, templates of other tools) are ignored. See `objects` for what counts as a
manifest and when a YAML/JSON file is skipped as "not a manifest file".
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trueup.model import Manifest

from .confine import require_inside
from .globs import glob_match
from .objects import looks_like_manifest, to_manifests
from .result import RenderContext
from .yamldocs import json_documents, yaml_documents

if TYPE_CHECKING:  # the Jsonnet VM is loaded for directories that have .jsonnet files, not at start-up
    from .jsonnet import JsonnetOptions

Documents = list[tuple[Any, int]]
Parser = Callable[[RenderContext, Path, str, "_Lazy"], tuple[Documents, bool]]


class _Lazy:
    """Jsonnet options are built only when a directory has `.jsonnet` files."""

    def __init__(self, ctx: RenderContext) -> None:
        self._ctx = ctx
        self._value: JsonnetOptions | None = None

    def get(self) -> JsonnetOptions:
        if self._value is None:
            from .jsonnet import jsonnet_options

            self._value = jsonnet_options(self._ctx)
        return self._value


def _parse_yaml(ctx: RenderContext, path: Path, rel: str, _: _Lazy) -> tuple[Documents, bool]:
    return list(yaml_documents(path.read_text(encoding="utf-8-sig"), rel)), False


def _parse_json(ctx: RenderContext, path: Path, rel: str, _: _Lazy) -> tuple[Documents, bool]:
    return list(json_documents(path.read_text(encoding="utf-8-sig"), rel)), False


def _parse_jsonnet(ctx: RenderContext, path: Path, rel: str, lazy: _Lazy) -> tuple[Documents, bool]:
    from .jsonnet import evaluate

    return evaluate(ctx, path, lazy.get()), True


# extension → (parser); the bool a parser returns says "every document must be a manifest".
PARSERS: dict[str, Parser] = {
    ".yaml": _parse_yaml,
    ".yml": _parse_yaml,
    ".json": _parse_json,
    ".jsonnet": _parse_jsonnet,
}


def _candidates(ctx: RenderContext) -> list[tuple[str, Path]]:
    """(path relative to the app dir, absolute path) of files to read, sorted."""
    block = ctx.option("directory")
    recurse = bool(block.get("recurse"))
    include = str(block.get("include") or "")
    exclude = str(block.get("exclude") or "")
    out: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(ctx.app_dir):
        if not recurse:
            dirnames.clear()
        else:
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
        base = Path(dirpath)
        for name in filenames:
            if os.path.splitext(name)[1].lower() not in PARSERS:
                continue
            p = base / name
            rel = p.relative_to(ctx.app_dir).as_posix()
            if exclude and glob_match(exclude, rel, "directory.exclude"):
                continue
            if include and not glob_match(include, rel, "directory.include"):
                continue
            out.append((rel, p))
    out.sort()
    return out


def _render_sync(ctx: RenderContext) -> list[Manifest]:
    lazy = _Lazy(ctx)
    manifests: list[Manifest] = []
    for _, path in _candidates(ctx):
        repo_rel = ctx.rel(path)
        if path.is_symlink():
            require_inside(ctx.root, path, repo_rel, renderer="directory")
        docs, strict = PARSERS[os.path.splitext(path.name)[1].lower()](ctx, path, repo_rel, lazy)
        if not strict and not any(looks_like_manifest(doc) for doc, _ in docs):
            ctx.ignored_files.append(repo_rel)
            continue
        manifests.extend(to_manifests(docs, repo_rel, renderer="jsonnet" if strict else "directory"))
    return manifests


async def render_directory(ctx: RenderContext) -> list[Manifest]:
    return await asyncio.to_thread(_render_sync, ctx)
