"""Informers: one watch-fed, in-memory cache per resource type, like client-go's.

Shared by the GitOps engine (`trueup.cache`) and the embedded cluster's controllers.

    inf = Informer(client, DEPLOYMENTS, keep=lambda o: "trueup.dev/tracking-id" in annotations(o))
    inf.add_handler(lambda etype, obj, old: ...)      # ADDED | MODIFIED | DELETED
    inf.start(); await inf.synced.wait()
    inf.get("default", "web"); inf.list(namespace="default"); inf.owned_by(uid)

How it runs (one task per informer, `run`):

1. List (with the label/field selectors, if any) and diff the result against the cache: handlers
   see ADDED / MODIFIED / DELETED for exactly what changed since the cache last knew (nothing on
   the first list of an empty cache but ADDED). Then `synced` is set.
2. Watch from the list's resourceVersion (bookmarks on). Each event updates the cache and calls
   the handlers; every event's resourceVersion (bookmarks too) becomes the resume point.
3. A watch that ends (server timeout, `watch_timeout_s`) or breaks (connection reset, session
   closed) is resumed from the last resourceVersion: no event is lost, none repeated. Errors back
   off exponentially (50 ms → 5 s), as do watches the server ends at once; a healthy watch resets it.
4. 410 Gone (the history was compacted past the resume point) → back to 1: a relist diffed
   against the cache, so handlers still see every net change (several missed edits of one object
   arrive as one MODIFIED carrying the cached old and the current new).

The `keep` filter decides which objects are stored: an object it rejects never enters the cache
(only the list response or the watch event holding it is transient); an object that stops being
kept (an annotation removed) is removed and reported as DELETED, with the new object and the cached
old one; an object that starts being kept is reported as ADDED. DELETED is reported only for
objects that were in the cache; its object is the deleted one, or the current (no longer kept) one.

Objects are stored as received, with `apiVersion` and `kind` filled in when the server left them
out (list items). They are shared: handlers and readers must not mutate them (`copy.deepcopy`).
Handlers run synchronously in the informer's task: they must be quick (enqueue, don't await).

Indexes: by (namespace, name) and by owner UID ("children of X" without a scan).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from .resources import Res
from .rest import ApiError, Client

log = logging.getLogger("trueup.kube.informer")

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped objects
Handler = Callable[[str, Obj, Obj | None], None]  # (event type, object, previous object or None)
Keep = Callable[[Obj], bool]

_BACKOFF_MIN = 0.05
_BACKOFF_MAX = 5.0


def key_of(obj: Obj) -> Key:
    m = obj.get("metadata") or {}
    return (str(m.get("namespace") or ""), str(m.get("name") or ""))


def _rv_of(obj: Obj | None) -> str:
    return str(((obj or {}).get("metadata") or {}).get("resourceVersion") or "")


def _owner_uids(obj: Obj) -> list[str]:
    return [str(r.get("uid")) for r in (obj.get("metadata") or {}).get("ownerReferences") or [] if r.get("uid")]


@dataclass
class InformerStats:
    """Counters of one informer's life (all monotonic)."""

    lists: int = 0  # full lists, the first one included
    relists: int = 0  # lists after the first (after a 410 Gone)
    expired: int = 0  # 410 Gone answers
    watch_restarts: int = 0  # watches resumed from the last resourceVersion (ended or broken)
    errors: int = 0  # failed lists / watches (each followed by a backoff)
    events: int = 0  # watch events received (bookmarks aside)
    dropped: int = 0  # objects received but not kept (never stored)


class Informer:
    def __init__(self, client: Client, res: Res, *, namespace: str | None = None, keep: Keep | None = None,
                 label_selector: str = "", field_selector: str = "", watch_timeout_s: int = 300) -> None:
        self.client = client
        self.res = res
        self.namespace = namespace
        self.keep = keep
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.watch_timeout_s = watch_timeout_s
        self.synced = asyncio.Event()
        self.stats = InformerStats()
        self._items: dict[Key, Obj] = {}
        self._by_owner: dict[str, set[Key]] = {}
        self._handlers: list[Handler] = []
        self._rv = ""
        self._task: asyncio.Task[None] | None = None

    # ----- reading
    @property
    def resource_version(self) -> str:
        """The resume point: the last resourceVersion seen (list, event or bookmark)."""
        return self._rv

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
    def _kept(self, obj: Obj) -> bool:
        if self.keep is None or self.keep(obj):
            return True
        self.stats.dropped += 1
        return False

    def _complete(self, obj: Obj) -> Obj:
        if "kind" not in obj:
            obj["kind"] = self.res.kind
        if "apiVersion" not in obj:
            obj["apiVersion"] = self.res.api_version
        return obj

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
        fresh: dict[Key, Obj] = {}
        unkept: dict[Key, Obj] = {}  # transient: only what the list response already holds
        for obj in items:
            (fresh if self._kept(obj) else unkept)[key_of(obj)] = self._complete(obj)
        for key in [k for k in self._items if k not in fresh]:
            old = self._remove(key)
            if old is not None:  # deleted, or still there but no longer kept (then: the current object)
                self._notify("DELETED", unkept.get(key, old), old)
        for obj in fresh.values():
            old = self._put(obj)
            if old is None:
                self._notify("ADDED", obj, None)
            elif _rv_of(old) != _rv_of(obj):
                self._notify("MODIFIED", obj, old)

    def _apply(self, etype: str, obj: Obj) -> None:
        self._complete(obj)
        key = key_of(obj)
        if etype == "DELETED":
            old = self._remove(key)
            if old is not None:
                self._notify("DELETED", obj, old)
        elif not self._kept(obj):
            old = self._remove(key)
            if old is not None:  # it stopped being kept: gone as far as this cache is concerned
                self._notify("DELETED", obj, old)
        else:
            old = self._put(obj)
            self._notify("ADDED" if old is None else "MODIFIED", obj, old)

    async def _list(self) -> None:
        items, rv = await self.client.list(self.res, self.namespace, label_selector=self.label_selector,
                                           field_selector=self.field_selector)
        self.stats.lists += 1
        if self.stats.lists > 1:
            self.stats.relists += 1
        self._relist(items)
        self._rv = rv
        self.synced.set()

    async def _watch_once(self) -> None:
        # A client-side deadline beyond the server's: a half-open connection cannot hang the watch.
        async with asyncio.timeout(self.watch_timeout_s + 30):
            async for etype, obj in _watch(self.client, self.res, self.namespace, self._rv, self.watch_timeout_s,
                                           self.label_selector, self.field_selector):
                rv = _rv_of(obj)
                if etype != "BOOKMARK":
                    self.stats.events += 1
                    self._apply(etype, obj)
                if rv:
                    self._rv = rv

    async def run(self) -> None:
        backoff = _BACKOFF_MIN
        while True:
            try:
                if not self._rv:
                    await self._list()
                began = asyncio.get_running_loop().time()
                await self._watch_once()
                self.stats.watch_restarts += 1  # ended normally (timeout): resume at once...
                if asyncio.get_running_loop().time() - began > 1.0:
                    backoff = _BACKOFF_MIN
                    continue
                # ...unless the server keeps ending watches at once: then back off as for errors
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)
                continue
            except asyncio.CancelledError:
                raise
            except ApiError as exc:
                if exc.gone:
                    self.stats.expired += 1
                    log.info("watch of %s expired at resourceVersion %s: relisting", self.res, self._rv)
                    self._rv = ""
                    continue
                log.warning("watch of %s failed: %s", self.res, exc)
            except (TimeoutError, OSError, RuntimeError, orjson.JSONDecodeError) as exc:
                # RuntimeError: the client's session was closed under the watch (it reopens on demand).
                log.debug("watch of %s interrupted: %s", self.res, exc)
            self.stats.errors += 1
            if self._rv:
                self.stats.watch_restarts += 1
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _BACKOFF_MAX)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=f"informer-{self.res}")

    async def stop(self) -> None:
        """Stop watching; the cache and the resume point are kept (`start` resumes from there)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None


async def _watch(client: Client, res: Res, namespace: str | None, rv: str, timeout_s: int, label_selector: str,
                 field_selector: str) -> AsyncIterator[tuple[str, Obj]]:
    async for event in client.watch(res, namespace, resource_version=rv, timeout_seconds=timeout_s,
                                    label_selector=label_selector, field_selector=field_selector):
        yield event


class Cache:
    """All informers of one controller manager, shared between controllers (one per resource type)."""

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
