"""Applications: Argo CD's manifests accepted field for field, and trueup's own API group."""

from .crd import application_crd
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
    "AppError",
    "Application",
    "Destination",
    "Retry",
    "SyncPolicy",
    "application_crd",
    "parse_application",
    "pin_revision",
]
