"""Is an app free to sync? Its dependencies' readiness and dependency cycles.

    blocked = await not_ready(app.namespace, app.depends_on, lookup)   # ["trueup/db (missing)", ...]
    loop = await find_cycle(app.namespace, app.name, lookup)           # ["trueup/a", "trueup/b", "trueup/a"]

A dependency is ready when its Application exists, is not being deleted, has no operation
running, and its status says `sync.status: Synced` and `health.status: Healthy`. Anything else is
named with the reason: missing, being deleted, not reconciled yet, syncing, OutOfSync / Unknown,
health Progressing / Degraded / ….

`lookup(namespace, name)` returns the Application document (from the informer cache when it can)
or None; these functions do no other I/O. A dependency graph walk ignores malformed dependency
lists of other apps (their own reconcile reports them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..app import Dependency, DependencyError, dependencies

Obj = dict[str, Any]
Lookup = Callable[[str, str], Awaitable[Obj | None]]


def why_not_ready(doc: Obj | None) -> str | None:
    """Why this dependency's Application is not ready, or None when it is Synced and Healthy."""
    if doc is None:
        return "missing"
    if (doc.get("metadata") or {}).get("deletionTimestamp"):
        return "being deleted"
    status = doc.get("status") or {}
    sync = str((status.get("sync") or {}).get("status") or "")
    health = str((status.get("health") or {}).get("status") or "")
    if not sync and not health:
        return "not reconciled yet"
    if (status.get("operationState") or {}).get("phase") == "Running":
        return "syncing"
    reasons = []
    if sync != "Synced":
        reasons.append(sync or "sync Unknown")
    if health != "Healthy":
        reasons.append(f"health {health or 'Unknown'}")
    return ", ".join(reasons) or None


async def not_ready(namespace: str, deps: list[Dependency], lookup: Lookup) -> list[str]:
    """`ns/name (reason)` for each dependency that is not Synced and Healthy, in order."""
    out = []
    for dep in deps:
        d = dep.resolved(namespace)
        reason = why_not_ready(await lookup(d.namespace, d.name))
        if reason is not None:
            out.append(f"{d} ({reason})")
    return out


async def find_cycle(namespace: str, name: str, lookup: Lookup, limit: int = 1000) -> list[str] | None:
    """A dependency path from the app back to itself (`[a, b, a]`), or None. Only cycles through
    the app itself count: an app depending on a cycle it is not part of just waits (and says so)."""
    start = f"{namespace}/{name}"
    seen: set[str] = set()

    async def walk(key: str, path: list[str]) -> list[str] | None:
        ns, _, nm = key.partition("/")
        doc = await lookup(ns, nm)
        if doc is None:
            return None
        try:
            deps = dependencies(doc)
        except DependencyError:
            return None
        for dep in deps:
            d = str(dep.resolved(ns))
            if d == start:
                return [*path, d]
            if d in seen or len(seen) >= limit:
                continue
            seen.add(d)
            found = await walk(d, [*path, d])
            if found is not None:
                return found
        return None

    return await walk(start, [start])


def depends_on(doc: Obj, namespace: str, name: str) -> bool:
    """Whether `doc` (an Application) names `namespace/name` among its dependencies."""
    own = str((doc.get("metadata") or {}).get("namespace") or "")
    try:
        return any(d.resolved(own) == Dependency(name, namespace) for d in dependencies(doc))
    except DependencyError:
        return False


__all__ = ["Lookup", "depends_on", "find_cycle", "not_ready", "why_not_ready"]
