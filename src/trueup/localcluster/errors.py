"""API errors as `metav1.Status`, the way kube-apiserver words them.

    APIError                      every failure a request can end in; .status() is the body
     ├── code 400 BadRequest      malformed body, wrong kind for the path
     ├── code 401 Unauthorized    no or wrong bearer token
     ├── code 404 NotFound        object or resource type absent
     ├── code 405 MethodNotAllowed
     ├── code 409 AlreadyExists / Conflict (stale resourceVersion, SSA field conflicts)
     ├── code 410 Gone (Expired)  watch or list from a compacted resourceVersion
     ├── code 413 RequestEntityTooLarge
     ├── code 415 UnsupportedMediaType
     ├── code 422 Invalid         validation failed (details.causes name the fields)
     └── code 500 InternalError   reserved for real bugs; bad input never ends here

Pure module: no I/O. Constructors take plain strings so every layer can raise them.
"""

from __future__ import annotations

from typing import Any

Cause = dict[str, str]


class APIError(Exception):
    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        name: str = "",
        group: str = "",
        kind: str = "",
        causes: list[Cause] | None = None,
        retry_after: int = 0,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes or []
        self.retry_after = retry_after

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        details: dict[str, Any] = {}
        if self.name:
            details["name"] = self.name
        if self.group:
            details["group"] = self.group
        if self.kind:
            details["kind"] = self.kind
        if self.causes:
            details["causes"] = self.causes
        if self.retry_after:
            details["retryAfterSeconds"] = self.retry_after
        if details or self.reason in ("NotFound", "AlreadyExists", "Conflict", "Invalid"):
            body["details"] = details
        return body

    def __repr__(self) -> str:
        return f"APIError({self.code}, {self.reason!r}, {self.message!r})"


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, name: str, group: str = "") -> APIError:
    return APIError(
        404, "NotFound", f'{_qualified(resource, group)} "{name}" not found',
        name=name, group=group, kind=resource,
    )


def already_exists(resource: str, name: str, group: str = "") -> APIError:
    return APIError(
        409, "AlreadyExists", f'{_qualified(resource, group)} "{name}" already exists',
        name=name, group=group, kind=resource,
    )


def conflict(resource: str, name: str, group: str = "", why: str = "") -> APIError:
    why = why or "the object has been modified; please apply your changes to the latest version and try again"
    return APIError(
        409, "Conflict", f'Operation cannot be fulfilled on {_qualified(resource, group)} "{name}": {why}',
        name=name, group=group, kind=resource,
    )


def invalid(kind: str, name: str, causes: list[Cause], group: str = "") -> APIError:
    """422 Invalid; `kind` is the Kind (Deployment), causes carry field/reason/message."""
    parts = [f"{c.get('field', '')}: {c.get('message', '')}".lstrip(": ") for c in causes]
    summary = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return APIError(
        422, "Invalid", f'{_qualified(kind, group)} "{name}" is invalid: {summary}',
        name=name, group=group, kind=kind, causes=causes,
    )


def field_cause(field: str, message: str, reason: str = "FieldValueInvalid") -> Cause:
    return {"reason": reason, "message": message, "field": field}


def bad_request(message: str) -> APIError:
    return APIError(400, "BadRequest", message)


def unauthorized(message: str = "Unauthorized") -> APIError:
    return APIError(401, "Unauthorized", message)


def forbidden(message: str) -> APIError:
    return APIError(403, "Forbidden", message)


def method_not_allowed(message: str) -> APIError:
    return APIError(405, "MethodNotAllowed", message)


def gone(message: str) -> APIError:
    return APIError(410, "Expired", message)


def too_large(message: str) -> APIError:
    return APIError(413, "RequestEntityTooLarge", message)


def unsupported_media_type(message: str) -> APIError:
    return APIError(415, "UnsupportedMediaType", message)


def not_acceptable(message: str) -> APIError:
    return APIError(406, "NotAcceptable", message)


def internal(message: str) -> APIError:
    return APIError(500, "InternalError", message)
