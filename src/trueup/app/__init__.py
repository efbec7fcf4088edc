"""Applications: Argo CD's manifests accepted field for field, and trueup's own API group."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.lazy import lazy_exports

from .model import (
    API_VERSIONS,
    AppError,
    Application,
    Destination,
    Retry,
    SyncPolicy,
    parse_application,
    pin_revision,
)

if TYPE_CHECKING:
    from .crd import application_crd
    from .depends import DEPENDS_ON_ANNOTATION, Dependency, DependencyError, dependencies

__all__ = [
    "API_VERSIONS",
    "DEPENDS_ON_ANNOTATION",
    "AppError",
    "Application",
    "Dependency",
    "DependencyError",
    "Destination",
    "Retry",
    "SyncPolicy",
    "application_crd",
    "dependencies",
    "parse_application",
    "pin_revision",
]

__getattr__ = lazy_exports(__name__, {
    "DEPENDS_ON_ANNOTATION": ".depends",
    "Dependency": ".depends",
    "DependencyError": ".depends",
    "application_crd": ".crd",
    "dependencies": ".depends",
})
