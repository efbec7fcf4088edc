"""Store failures: what a read, write, list or watch can end in.

    StoreError                 base class; never raised directly
     ├── NotFound              no object under the key            (API: 404 NotFound)
     ├── AlreadyExists         create on an existing key          (API: 409 AlreadyExists)
     ├── Conflict              expected resourceVersion is stale  (API: 409 Conflict)
     ├── Expired               rv older than the history window   (API: 410 Gone)
     └── InvalidContinue       a continue token that is not ours  (API: 400 BadRequest)

Pure module: the API server maps these to `trueup.localcluster.errors` Status errors.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class _KeyError(StoreError):
    def __init__(self, message: str, resource: str, namespace: str, name: str) -> None:
        super().__init__(message)
        self.resource = resource
        self.namespace = namespace
        self.name = name


def _describe(resource: str, namespace: str, name: str) -> str:
    return f"{resource} {namespace + '/' if namespace else ''}{name}"


class NotFound(_KeyError):
    def __init__(self, resource: str, namespace: str, name: str) -> None:
        super().__init__(f"{_describe(resource, namespace, name)} not found", resource, namespace, name)


class AlreadyExists(_KeyError):
    def __init__(self, resource: str, namespace: str, name: str) -> None:
        super().__init__(f"{_describe(resource, namespace, name)} already exists", resource, namespace, name)


class Conflict(_KeyError):
    """The caller's expected resourceVersion is not the stored one (optimistic concurrency)."""

    def __init__(self, resource: str, namespace: str, name: str, *, expected: int, current: int) -> None:
        super().__init__(
            f"{_describe(resource, namespace, name)}: the object has been modified "
            f"(expected resourceVersion {expected}, current {current})",
            resource,
            namespace,
            name,
        )
        self.expected = expected
        self.current = current


class Expired(StoreError):
    """The requested resourceVersion is older than the kept history: the client must re-list.

    `oldest` is the oldest resourceVersion one can still list or watch from (the compacted rv).
    """

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested = requested
        self.oldest = oldest


class InvalidContinue(StoreError):
    """A continue token that this store did not issue (or for another list)."""
