"""The GitOps engine: one Application through Git → render → diff → sync → health."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.lazy import lazy_exports

from .errors import EngineError

if TYPE_CHECKING:
    from .appfile import load_application_file
    from .credentials import CredentialSource, LocalCredentials, NoCredentials, SecretCredentials
    from .pipeline import AppHealth, Desired, Engine

__all__ = ["AppHealth", "CredentialSource", "Desired", "Engine", "EngineError", "LocalCredentials", "NoCredentials",
           "SecretCredentials", "load_application_file"]

__getattr__ = lazy_exports(__name__, {
    "AppHealth": ".pipeline",
    "CredentialSource": ".credentials",
    "Desired": ".pipeline",
    "Engine": ".pipeline",
    "LocalCredentials": ".credentials",
    "NoCredentials": ".credentials",
    "SecretCredentials": ".credentials",
    "load_application_file": ".appfile",
})
