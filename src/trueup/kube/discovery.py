"""Which resources a cluster serves: (apiVersion, kind) → plural, scope, verbs.

Read from aggregated discovery (`/api` and `/apis` with the apidiscovery v2 Accept header, one
request each), cached, and refreshed when a kind is not found — CRDs applied earlier in the
same sync become known without a restart. Clusters without aggregated discovery fall back to
the legacy per-group-version lists.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from .resources import Res
from .rest import ApiError, Client

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"


@dataclass(frozen=True)
class ResourceInfo:
    res: Res
    verbs: frozenset[str]
    subresources: frozenset[str]
    preferred: bool


class UnknownKind(Exception):
    def __init__(self, api_version: str, kind: str) -> None:
        super().__init__(f'the cluster has no resource type for {kind} in "{api_version}" (is its CRD installed?)')
        self.api_version = api_version
        self.kind = kind


class Discovery:
    def __init__(self, client: Client) -> None:
        self.client = client
        self._by_kind: dict[tuple[str, str], ResourceInfo] = {}
        self._lock = asyncio.Lock()
        self._loaded = False

    async def refresh(self) -> None:
        async with self._lock:
            found: dict[tuple[str, str], ResourceInfo] = {}
            for path in ("/api", "/apis"):
                body = await self.client.request("GET", path, headers={"Accept": AGGREGATED})
                if body.get("kind") == "APIGroupDiscoveryList":
                    _read_aggregated(body, found)
                else:
                    await self._read_legacy(path, body, found)
            self._by_kind = found
            self._loaded = True

    async def _read_legacy(self, path: str, body: dict[str, Any],
                           found: dict[tuple[str, str], ResourceInfo]) -> None:
        if path == "/api":
            gvs = [("", str(v), True) for v in body.get("versions") or []]
        else:
            gvs = []
            for g in body.get("groups") or []:
                preferred = (g.get("preferredVersion") or {}).get("version")
                for v in g.get("versions") or []:
                    gvs.append((str(g.get("name")), str(v.get("version")), v.get("version") == preferred))
        for group, version, preferred in gvs:
            gv_path = f"/apis/{group}/{version}" if group else f"/api/{version}"
            try:
                lst = await self.client.request("GET", gv_path)
            except ApiError:
                continue
            subs: dict[str, set[str]] = {}
            for r in lst.get("resources") or []:
                name = str(r.get("name", ""))
                if "/" in name:
                    parent, sub = name.split("/", 1)
                    subs.setdefault(parent, set()).add(sub)
            for r in lst.get("resources") or []:
                name = str(r.get("name", ""))
                if "/" in name:
                    continue
                res = Res(group, version, name, str(r.get("kind", "")), bool(r.get("namespaced")))
                _add(found, res, frozenset(r.get("verbs") or ()), frozenset(subs.get(name, ())), preferred)

    async def ensure_loaded(self) -> None:
        if not self._loaded:
            await self.refresh()

    async def resolve(self, api_version: str, kind: str) -> ResourceInfo:
        """The resource for an apiVersion/kind; refreshes once on a miss, then raises UnknownKind."""
        key = (api_version, kind)
        if not self._loaded:
            await self.refresh()
        info = self._by_kind.get(key)
        if info is None:
            await self.refresh()
            info = self._by_kind.get(key)
        if info is None:
            raise UnknownKind(api_version, kind)
        return info

    def known(self) -> list[ResourceInfo]:
        return list(self._by_kind.values())


def _add(found: dict[tuple[str, str], ResourceInfo], res: Res, verbs: frozenset[str], subs: frozenset[str],
         preferred: bool) -> None:
    found.setdefault((res.api_version, res.kind), ResourceInfo(res, verbs, subs, preferred))


def _read_aggregated(body: dict[str, Any], found: dict[tuple[str, str], ResourceInfo]) -> None:
    for item in body.get("items") or []:
        group = str((item.get("metadata") or {}).get("name", ""))
        for i, ver in enumerate(item.get("versions") or []):
            version = str(ver.get("version", ""))
            for r in ver.get("resources") or []:
                kind = str((r.get("responseKind") or {}).get("kind", ""))
                res = Res(group, version, str(r.get("resource", "")), kind, r.get("scope") == "Namespaced")
                subs = frozenset(str(s.get("subresource", "")) for s in r.get("subresources") or [])
                _add(found, res, frozenset(r.get("verbs") or ()), subs, i == 0)
