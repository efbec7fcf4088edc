"""Errors the health package raises (checks themselves never raise: they return Unknown).

    ValueError
     └── HealthError                 base of the package's errors
          ├── HealthCheckError       a custom check definition is invalid (CEL, checks directory)
          └── ObjectFileError        an object file given to `check_file` cannot be used
"""

from __future__ import annotations


class HealthError(ValueError):
    """Base class; every message names the file (and entry) and says what to do next."""


class HealthCheckError(HealthError):
    """A custom health check definition is invalid."""


class ObjectFileError(HealthError):
    """An object file for `check_file` is missing, unreadable, or not one Kubernetes object."""
