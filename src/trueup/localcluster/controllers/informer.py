"""Informers: one shared, watch-fed cache per resource type, like client-go's.

An informer lists its resource once, then watches from the list's resourceVersion, applying
each event to an in-memory map and calling the registered handlers. A watch that ends is
resumed from the last resourceVersion seen; a 410 Gone (history compacted) triggers a relist,
which diffs against the cache so handlers still see every change (as ADDED/MODIFIED/DELETED).
Connection errors back off and retry. Objects in the cache are shared: handlers and
controllers must not mutate them (copy first: `copy.deepcopy`).

Indexes: by namespace and by owner UID (for "children of X" lookups without scans).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp

from ..client import ApiError, Client, Res

log = logging.getLogger("trueup.localcluster.controllers")

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped objects
Handler = Callable[[str, Obj, Obj | None], None]  # (event type, object, previous object or None)


def key_of(obj: Obj) -> Key:
    m = obj.get("metadata") or {}
    return (str(m.get("namespace") or ""), str(m.get("name") or ""))


def _owner_uids(obj: Obj) -> list[str]:
    return [str(r.get("uid")) for r in (obj.get("metadata") or {}).get("ownerReferences") or [] if r.get("uid")]


class Informer:
    def __init__(self, client: Client, res: Res) -> None:
        self.client = client
        self.res = res
        self.synced = asyncio.Event()
        self._items: dict[Key, Obj] = {}
        self._by_owner: dict[str, set[Key]] = {}
        self._handlers: list[Handler] = []
        self._rv = ""
        self._task: asyncio.Task[None] | None = None

    # ----- reading
    def get(self, namespace: str | None, name: str) -> Obj | None:
        return self._items.get((namespace or "", name))

    def list(self, namespace: str | None = None, where: Callable[[Obj], bool] | None = None) -> builtins.list[Obj]:
        items: Iterable[Obj] = self._items.values()
        if namespace is not None:
            items = (o for o in items if (o.get("metadata") or {}).get("namespace", "") == namespace)
        if where is not None:
            items = (o for o in items if where(o))
        return list(items)

    def owned_by(self, uid: str) -> builtins.list[Obj]:
        return [self._items[k] for k in self._by_owner.get(uid, ()) if k in self._items]

    def __len__(self) -> int:
        return len(self._items)

    def add_handler(self, handler: Handler) -> None:
        self._handlers.append(handler)

    # ----- maintaining
    def _put(self, obj: Obj) -> Obj | None:
        key = key_of(obj)
        old = self._items.get(key)
        if old is not None:
            for uid in _owner_uids(old):
                self._by_owner.get(uid, set()).discard(key)
        self._items[key] = obj
        for uid in _owner_uids(obj):
            self._by_owner.setdefault(uid, set()).add(key)
        return old

    def _remove(self, key: Key) -> Obj | None:
        old = self._items.pop(key, None)
        if old is not None:
            for uid in _owner_uids(old):
                keys = self._by_owner.get(uid)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del self._by_owner[uid]
        return old

    def _notify(self, etype: str, obj: Obj, old: Obj | None) -> None:
        for handler in self._handlers:
            try:
                handler(etype, obj, old)
            except Exception:
                log.exception("informer handler for %s failed", self.res)

    def _relist(self, items: builtins.list[Obj]) -> None:
        fresh = {key_of(o): o for o in items}
        for key in list(self._items):
            if key not in fresh:
                old = self._remove(key)
                if old is not None:
                    self._notify("DELETED", old, old)
        for obj in fresh.values():
            old = self._put(obj)
            if old is None:
                self._notify("ADDED", obj, None)
            elif (old.get("metadata") or {}).get("resourceVersion") != (obj.get("metadata") or {}).get(
                    "resourceVersion"):
                self._notify("MODIFIED", obj, old)

    def _apply(self, etype: str, obj: Obj) -> None:
        if etype == "DELETED":
            old = self._remove(key_of(obj))
            self._notify("DELETED", obj, old)
        else:
            old = self._put(obj)
            self._notify("ADDED" if old is None else "MODIFIED", obj, old)

    async def run(self) -> None:
        backoff = 0.05
        while True:
            try:
                if not self._rv:
                    items, rv = await self.client.list(self.res)
                    self._relist(items)
                    self._rv = rv
                    self.synced.set()
                async for etype, obj in self.client.watch(self.res, resource_version=self._rv,
                                                          timeout_seconds=300):
                    rv = str((obj.get("metadata") or {}).get("resourceVersion") or "")
                    if etype != "BOOKMARK":
                        self._apply(etype, obj)
                    if rv:
                        self._rv = rv
                backoff = 0.05
            except asyncio.CancelledError:
                raise
            except ApiError as exc:
                if exc.gone:
                    self._rv = ""
                    continue
                log.warning("watch of %s failed: %s", self.res, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                log.debug("watch of %s interrupted: %s", self.res, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=f"informer-{self.res}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None


class Cache:
    """All informers of one controller manager, shared between controllers."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._informers: dict[Res, Informer] = {}

    def informer(self, res: Res) -> Informer:
        inf = self._informers.get(res)
        if inf is None:
            inf = self._informers[res] = Informer(self.client, res)
        return inf

    def all(self) -> list[Informer]:
        return list(self._informers.values())

    async def wait_synced(self, limit_s: float = 30.0) -> None:
        await asyncio.wait_for(asyncio.gather(*(i.synced.wait() for i in self.all())), limit_s)
