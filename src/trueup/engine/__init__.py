"""The GitOps engine: one Application through Git → render → diff → sync → health."""

from .appfile import load_application_file
from .credentials import CredentialSource, LocalCredentials, NoCredentials, SecretCredentials
from .errors import EngineError
from .pipeline import AppHealth, Desired, Engine

__all__ = ["AppHealth", "CredentialSource", "Desired", "Engine", "EngineError", "LocalCredentials", "NoCredentials",
           "SecretCredentials", "load_application_file"]
