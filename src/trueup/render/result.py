"""What a successful render returns, and the context every renderer receives.

`RenderResult.manifests` is in a stable order (same inputs, same order). Results may come from
the render cache and are shared: treat the objects as read-only, or take `copy()` first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from trueup.model import Manifest


@dataclass(frozen=True)
class RenderResult:
    """Manifests of one app path. `empty` is a real, successful "nothing to deploy"."""

    manifests: tuple[Manifest, ...]
    renderer: str  # "directory" | "kustomize" | "helm"
    # Source options trueup accepted but does not implement, as field paths
    # (e.g. "spec.source.kustomize.kubeVersion"): report them as an app condition.
    unsupported: tuple[str, ...] = ()
    # Files in a plain directory skipped as not-manifests (README, values-like YAML), repo-relative.
    ignored_files: tuple[str, ...] = ()
    cached: bool = False

    @property
    def empty(self) -> bool:
        return not self.manifests

    def copy(self) -> list[Manifest]:
        """Fresh, mutable copies of the manifests (the cached originals stay untouched)."""
        return [
            Manifest(orjson.loads(orjson.dumps(m.obj)), source=m.source, line=m.line, extra=dict(m.extra))
            for m in self.manifests
        ]


@dataclass(frozen=True)
class RenderSettings:
    """Engine-wide knobs (not per app)."""

    kubectl: str | None = None  # path to kubectl; default: next to sys.executable, else PATH
    allow_remote_bases: bool = False  # kustomize remote bases/resources (needs network)
    kustomize_timeout: float = 60.0


@dataclass
class RenderContext:
    """Inputs of one render, already validated (paths confined to `root`)."""

    root: Path  # repository root, resolved
    app_dir: Path  # root / spec.source.path, resolved and confined
    path: str  # spec.source.path as given (normalized, relative)
    source: dict[str, Any]
    app_name: str
    namespace: str
    env: dict[str, str]
    settings: RenderSettings
    # `ref` sources of a multi-source app: name → that repository's root (for `$name/...` value files)
    refs: dict[str, Path] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)

    def rel(self, p: Path) -> str:
        """`p` relative to the repository root, for messages (absolute paths never leak)."""
        try:
            return p.relative_to(self.root).as_posix() or "."
        except ValueError:
            return p.name

    def option(self, block: str) -> dict[str, Any]:
        value = self.source.get(block) or {}
        return value if isinstance(value, dict) else {}
