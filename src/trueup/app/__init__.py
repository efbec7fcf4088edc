"""Applications: Argo CD's manifests accepted field for field, and trueup's own API group."""

from .crd import application_crd
from .depends import DEPENDS_ON_ANNOTATION, Dependency, DependencyError, dependencies
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
