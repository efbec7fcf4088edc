"""Discovery through the API (`/api/v1`, `/apis`, `/apis/<group>/<version>`): every resource
type the server serves, as `Res`, CRDs included. Used by the namespace controller (delete all
namespaced content) and the garbage collector (watch every type that can have owners).

Only the preferred version of each group is returned (one type per group/resource, as the
real controllers' discovery-based RESTMappers do), and only main resources (no subresources)
with the verbs the caller needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..client import Client, Res

Obj = dict[str, Any]


def resources_of(group: str, version: str, doc: Obj, verbs: Iterable[str]) -> list[Res]:
    """The `Res` of an APIResourceList document having all of `verbs` (pure)."""
    need = set(verbs)
    out = []
    for r in doc.get("resources") or []:
        name = str(r.get("name", ""))
        if not name or "/" in name or not need <= set(r.get("verbs") or []):
            continue
        out.append(Res(group, version, name, str(r.get("kind", "")), bool(r.get("namespaced"))))
    return out


async def discover(client: Client, verbs: Iterable[str] = ("list", "watch", "delete")) -> list[Res]:
    """Every served resource type with `verbs`, core first. Raises on a failed request."""
    verbs = tuple(verbs)
    core = await client.request("GET", "/api/v1")
    out = resources_of("", "v1", core or {}, verbs)
    groups = await client.request("GET", "/apis")
    for g in (groups or {}).get("groups") or []:
        pref = g.get("preferredVersion") or (g.get("versions") or [{}])[0]
        gv = str(pref.get("groupVersion", ""))
        if "/" not in gv:
            continue
        group, version = gv.split("/", 1)
        doc = await client.request("GET", f"/apis/{gv}")
        out.extend(resources_of(group, version, doc or {}, verbs))
    return out


def by_group_kind(types: Iterable[Res]) -> dict[tuple[str, str], Res]:
    """(group, kind) → Res, to resolve an ownerReference's apiVersion/kind (any version)."""
    return {(r.group, r.kind): r for r in types}


def group_of(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""
