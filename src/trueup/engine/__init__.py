"""The GitOps engine: one Application through Git → render → diff → sync → health."""

from .appfile import load_application_file
from .pipeline import AppHealth, Desired, Engine, EngineError

__all__ = ["AppHealth", "Desired", "Engine", "EngineError", "load_application_file"]
