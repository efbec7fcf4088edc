"""`render()`: the one entry point — a directory of a repository → `RenderResult` or `RenderError`.

Validates the inputs (the app path is confined to the repository and must be a directory),
chooses the renderer (`select`), runs it, checks that no resource is defined twice, and caches
the result when the caller passes a `cache_key` (repository identity and commit: the renderer
cannot know when files change otherwise).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .cache import DEFAULT_CACHE, RenderCache, make_key
from .confine import confine
from .envsubst import build_env
from .errors import RenderError
from .objects import check_unique
from .result import RenderContext, RenderResult, RenderSettings
from .select import RENDERERS, choose

DEFAULT_SETTINGS = RenderSettings()


async def render(root: Path, path: str, source: dict[str, Any], *, app_name: str, namespace: str,
                 env: dict[str, str] | None = None, cache_key: str | None = None,
                 cache: RenderCache | None = None, settings: RenderSettings | None = None,
                 refs: dict[str, Path] | None = None) -> RenderResult:
    """Render `root/path` with Argo CD's source options (`directory`, `helm`, `kustomize`).

    Returns a `RenderResult` (whose `empty` is a genuine empty render) or raises `RenderError`;
    a failure is never an empty list. With `cache_key` (e.g. "<repo url>@<commit sha>") the
    result is cached in `cache` (default: a process-wide LRU) and shared: do not mutate it.
    `refs`: the `ref` sources of a multi-source app (name → repository root) that Helm
    `valueFiles` name as `$name/path`; their commits must be part of `cache_key`.
    """
    build = build_env(app_name, namespace, env)
    settings = settings or DEFAULT_SETTINGS

    async def produce() -> RenderResult:
        return await _render(root, path, source, app_name, namespace, build, settings, refs or {})

    if cache_key is None:
        return await produce()
    key = make_key(cache_key, path, source, app_name, namespace, build)
    return await (cache if cache is not None else DEFAULT_CACHE).get_or_render(key, produce)


async def _render(root: Path, path: str, source: dict[str, Any], app_name: str, namespace: str,
                  env: dict[str, str], settings: RenderSettings, refs: dict[str, Path]) -> RenderResult:
    ctx = _context(root, path, source, app_name, namespace, env, settings)
    ctx.refs = {name: p.resolve() for name, p in refs.items()}
    name = choose(ctx.app_dir, source)
    manifests = await RENDERERS[name](ctx)
    check_unique(manifests, namespace, renderer=name)
    return RenderResult(tuple(manifests), name, tuple(ctx.unsupported), tuple(ctx.ignored_files))


def _context(root: Path, path: str, source: dict[str, Any], app_name: str, namespace: str,
             env: dict[str, str], settings: RenderSettings) -> RenderContext:
    root = root.resolve()
    shown = (path or ".").strip("/") or "."
    app_dir = confine(root, root, shown, what="spec.source.path")
    if not app_dir.is_dir():
        raise RenderError("does not exist in the repository at this revision (or is not a directory); "
                          "fix spec.source.path", file=shown)
    return RenderContext(root=root, app_dir=app_dir, path=shown, source=source, app_name=app_name,
                         namespace=namespace, env=env, settings=settings)
