"""Parse a Kubernetes API URL into what it addresses (kube-apiserver's RequestInfo).

    /api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]
    /apis/{group}/{version}/namespaces/{ns}/{resource}[/{name}[/{subresource}]]
    /api/v1/{resource}[/{name}[/{subresource}]]           cluster-scoped, or all namespaces
    /api/v1/namespaces/{name}/status|finalize             the namespace object's subresources
    /api/v1/watch/...                                     legacy watch paths (as ?watch=true)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

_NAMESPACE_SUBRESOURCES = frozenset({"status", "finalize"})


@dataclass(frozen=True)
class RequestTarget:
    group: str
    version: str
    resource: str
    namespace: str | None  # None: not given in the URL
    name: str
    subresource: str
    legacy_watch: bool = False


@lru_cache(maxsize=4096)
def parse_resource_path(path: str) -> RequestTarget | None:
    """The resource a path addresses, or None if it is not a resource path (memoised: targets are
    immutable, and a client asks for the same paths again: a dry run, then the apply)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    if parts[0] == "api":
        if len(parts) < 3:
            return None
        group, version, rest = "", parts[1], parts[2:]
    elif parts[0] == "apis":
        if len(parts) < 4:
            return None
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    legacy_watch = False
    if rest and rest[0] == "watch":
        legacy_watch = True
        rest = rest[1:]
        if not rest:
            return None
    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) > 1:
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
            rest = rest[2:]
        else:
            # The namespace object itself: /namespaces/{name}[/status]
            sub = rest[2] if len(rest) > 2 else ""
            return RequestTarget(group, version, "namespaces", None, rest[1], sub, legacy_watch)
    if len(rest) > 3:
        return None
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    return RequestTarget(group, version, resource, namespace, name, sub, legacy_watch)
