"""The engine's error for what the user must fix."""


class EngineError(Exception):
    """Something the user must fix (unknown kind, unreachable repo...): the message says what."""
