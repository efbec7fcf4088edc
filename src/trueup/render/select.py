"""Which renderer handles an app directory, chosen as Argo CD chooses, and the renderer registry.

An explicit, non-empty `helm`, `kustomize` or `directory` block in the source wins (two of
them is an error, as in Argo CD). Otherwise detection: `Chart.yaml` → Helm;
`kustomization.yaml`, `kustomization.yml` or `Kustomization` → Kustomize; else a plain
directory (YAML, JSON and Jsonnet files).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from trueup.model import Manifest

from .directory import render_directory
from .errors import RenderError
from .kustomize_refs import kustomization_file
from .result import RenderContext

Renderer = Callable[[RenderContext], Awaitable[list[Manifest]]]


async def render_helm(ctx: RenderContext) -> list[Manifest]:
    """The Helm renderer, imported on first use: the Helm SDK loads a native library (~0.1 s)
    that a start-up of `trueup sync` on a plain directory should not pay for."""
    from .helm import render_helm as render

    return await render(ctx)


async def render_kustomize(ctx: RenderContext) -> list[Manifest]:
    """The Kustomize renderer, imported on first use (a plain directory does not need it)."""
    from .kustomize import render_kustomize as render

    return await render(ctx)


RENDERERS: dict[str, Renderer] = {
    "helm": render_helm,
    "kustomize": render_kustomize,
    "directory": render_directory,
}

# Argo CD's source type blocks other than ours: accepted names, not implemented.
_UNSUPPORTED_BLOCKS = ("plugin",)


def choose(app_dir: Path, source: dict[str, object]) -> str:
    explicit = [name for name in RENDERERS if source.get(name)]
    for name in _UNSUPPORTED_BLOCKS:
        if source.get(name):
            raise RenderError(f"spec.source.{name} (config management plugins) is not supported by trueup; "
                              "render with helm, kustomize or a plain directory", file=f"spec.source.{name}")
    if len(explicit) > 1:
        raise RenderError(
            f"spec.source has more than one source type ({', '.join(explicit)}); keep only one of them",
            file="spec.source")
    if source.get("chart"):  # a chart from a Helm chart repository
        if explicit and explicit[0] != "helm":
            raise RenderError(f"spec.source.chart is a Helm chart: remove spec.source.{explicit[0]}",
                              file="spec.source")
        return "helm"
    if explicit:
        return explicit[0]
    if (app_dir / "Chart.yaml").is_file():
        return "helm"
    if kustomization_file(app_dir) is not None:
        return "kustomize"
    return "directory"
