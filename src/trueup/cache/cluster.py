"""ClusterCache: watch-fed copies of the objects trueup manages, and of the Applications.

    cache = ClusterCache(client, discovery, namespace="trueup")
    await cache.watch_kinds({("apps", "Deployment"), ("", "ConfigMap")})   # any time, again later
    await cache.watch_applications()
    await cache.wait_synced()
    cache.subscribe(lambda change: queue.put_nowait(change.app))
    cache.get(ResourceKey("apps", "Deployment", "shop", "web")); cache.objects_of("shop")
    await cache.scan()                     # once at start: watch every kind holding a tracked object
    cache.tracked_objects("shop")          # the app's objects, or None while the cache cannot vouch

A reader for the engine (`engine.LiveReader`): `covers(group, kind)` says the kind's informer is
synced (an object absent from the cache is then not tracked, though it may exist untracked), and
`tracked_objects(app)` returns every object of the app only once the start-up `scan` has found the
kinds holding tracked objects and every informer is synced; else None (the caller lists instead).

One `kube.Informer` per managed kind (its preferred version, all namespaces), each keeping only
trueup-tracked objects (`tracking.tracked_app`): an untracked object is dropped the moment it
is decoded, so memory grows with what trueup manages, never with the cluster (Argo CD caches
every object of every watched kind). Resume after disconnects and relist after 410 are the
informer's: subscribers see every net change exactly once, a relist included.

Kinds are resolved through Discovery; a kind the cluster does not serve yet (a CRD that a sync
will apply) is remembered as pending and retried on the next `watch_kinds` call.

Indexes: ResourceKey → object (through the kind's informer), app name → ResourceKeys.
Subscribers get a `Change` (type, key, new, old) synchronously from the informer's task after
the indexes are updated: they must only enqueue. Objects are shared: never mutate them.

Memory: cached objects are the decoded JSON as the server sent it, except that managedFields is
dropped while trueup (`own_manager`) is the object's only manager: drift reports name the other
manager that changed a field, and a change by any other manager brings its managedFields back with
it. At 20,000 ConfigMap-like objects this is half of the cache's memory. Measured by
`test_memory_per_cached_object` (tests/cache) with `deep_size`: ~5.5 KB per Deployment as trueup
applies it (~9.8 KB with managedFields), ~1.6 KB per three-key ConfigMap; untracked objects: 0 bytes
kept. `memory_bytes()` measures it live.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from trueup.kube import ApiError, Client, Discovery, Informer, InformerStats, Res
from trueup.kube.informer import Handler
from trueup.model import ResourceKey

from .tracking import deep_size, tracked_app

log = logging.getLogger("trueup.cache")

Obj = dict[str, Any]
GroupKind = tuple[str, str]  # (group, kind); group "" for the core API
APPLICATION_GROUPS = ("trueup.dev", "argoproj.io")


@dataclass(frozen=True)
class Change:
    """One change of a tracked object: ADDED (old None), MODIFIED, DELETED (new None).

    DELETED also covers an object that stopped being tracked (`untracked`: someone removed or
    rewrote its annotation), which for the app is drift like a deletion."""

    type: str
    key: ResourceKey
    new: Obj | None
    old: Obj | None
    app: str  # the app owning the object now (for DELETED: the app that owned it)
    old_app: str = ""  # set when a MODIFIED moved the object from another app
    untracked: bool = False  # DELETED only: the object still exists, its tracking annotation was removed

    @property
    def apps(self) -> frozenset[str]:
        """Every app whose resources this change touches."""
        return frozenset(a for a in (self.app, self.old_app) if a)


Subscriber = Callable[[Change], None]


@dataclass
class KindStats:
    res: str
    objects: int
    informer: InformerStats


@dataclass
class CacheStats:
    kinds: dict[GroupKind, KindStats] = field(default_factory=dict)
    applications: dict[str, KindStats] = field(default_factory=dict)  # by API group
    pending: list[GroupKind] = field(default_factory=list)  # requested, not served (yet)

    @property
    def objects(self) -> int:
        return sum(k.objects for k in self.kinds.values())

    @property
    def relists(self) -> int:
        return sum(k.informer.relists for k in self.kinds.values())

    @property
    def watch_restarts(self) -> int:
        return sum(k.informer.watch_restarts for k in self.kinds.values())


class ClusterCache:
    def __init__(self, client: Client, discovery: Discovery, *, namespace: str = "trueup",
                 watch_timeout_s: int = 300, own_manager: str | None = "trueup") -> None:
        self.client = client
        self.discovery = discovery
        self.namespace = namespace  # where Applications live
        self.watch_timeout_s = watch_timeout_s
        self.own_manager = own_manager  # managedFields naming only this manager are not kept
        self._informers: dict[GroupKind, Informer] = {}
        self._apps: dict[str, Informer] = {}  # API group → Applications informer
        self._by_app: dict[str, set[ResourceKey]] = {}
        self._subscribers: list[Subscriber] = []
        self._app_handlers: list[Handler] = []
        self._pending: set[GroupKind] = set()
        self._lock = asyncio.Lock()
        self._scanned = False  # `scan` done: every kind holding a tracked object is watched

    # ----- watching
    async def watch_kinds(self, kinds: Iterable[GroupKind]) -> set[GroupKind]:
        """Start an informer for each kind not watched yet; returns the kinds the cluster does not
        serve (kept pending and retried by the next call)."""
        async with self._lock:
            wanted = (set(kinds) | self._pending) - set(self._informers)
            if not wanted:
                return set()
            found = await self._resolve(wanted)
            for gk, res in found.items():
                self._start(gk, res)
            self._pending = wanted - set(found)
            if self._pending:
                log.info("not served (yet), not watched: %s", sorted(self._pending))
            return set(self._pending)

    def watch_resources(self, resources: Iterable[Res]) -> None:
        """Start an informer for each already-resolved resource not watched yet (no discovery call)."""
        for res in resources:
            gk = (res.group, res.kind)
            if gk not in self._informers:
                self._start(gk, res)
                self._pending.discard(gk)

    def _start(self, gk: GroupKind, res: Res) -> None:
        inf = Informer(self.client, res, keep=_tracked(gk, self.own_manager), watch_timeout_s=self.watch_timeout_s)
        inf.add_handler(self._on_event(gk))
        self._informers[gk] = inf
        inf.start()

    async def scan(self) -> set[GroupKind]:
        """Once, at start: list every listable, watchable kind (Events aside) and watch each that holds
        a trueup-tracked object, so `tracked_objects` also knows kinds no app renders any more (what a
        prune must find). Later kinds are added by `watch_kinds`/`watch_resources` before a sync
        creates them. Returns the kinds found."""
        await self.discovery.ensure_loaded()
        candidates = [i.res for i in self.discovery.known()
                      if i.preferred and {"list", "watch"} <= i.verbs and i.res.plural != "events"
                      and i.res.group != "events.k8s.io" and (i.res.group, i.res.kind) not in self._informers]

        async def holds_tracked(res: Res) -> bool:
            try:
                items, _ = await self.client.list(res)
            except ApiError:
                return False
            keep = _tracked((res.group, res.kind))
            return any(keep(_complete(o, res)) for o in items)

        found = [res for res, yes in zip(candidates, await asyncio.gather(*(holds_tracked(r) for r in candidates)),
                                         strict=True) if yes]
        self.watch_resources(found)
        self._scanned = True
        return {(r.group, r.kind) for r in found}

    async def watch_applications(self) -> list[Res]:
        """Watch Applications (trueup.dev and argoproj.io, v1alpha1, whichever are served) in the
        configured namespace; call again after installing a CRD. Returns the resources watched."""
        async with self._lock:
            await self.discovery.refresh()
            for info in self.discovery.known():
                res = info.res
                if (res.kind == "Application" and res.group in APPLICATION_GROUPS and res.version == "v1alpha1"
                        and res.group not in self._apps and {"list", "watch"} <= info.verbs):
                    inf = Informer(self.client, res, namespace=self.namespace, watch_timeout_s=self.watch_timeout_s)
                    for handler in self._app_handlers:
                        inf.add_handler(handler)
                    self._apps[res.group] = inf
                    inf.start()
            return [inf.res for inf in self._apps.values()]

    async def _resolve(self, wanted: set[GroupKind]) -> dict[GroupKind, Res]:
        await self.discovery.ensure_loaded()
        found = _pick(self.discovery, wanted)
        if len(found) < len(wanted):
            await self.discovery.refresh()  # a CRD applied since the last look
            found = _pick(self.discovery, wanted)
        return found

    async def wait_synced(self, limit_s: float = 30.0) -> None:
        informers = [*self._informers.values(), *self._apps.values()]
        await asyncio.wait_for(asyncio.gather(*(i.synced.wait() for i in informers)), limit_s)

    async def stop(self) -> None:
        await asyncio.gather(*(i.stop() for i in [*self._informers.values(), *self._apps.values()]))

    async def __aenter__(self) -> ClusterCache:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # ----- reading
    def watched(self) -> dict[GroupKind, Res]:
        return {gk: inf.res for gk, inf in self._informers.items()}

    def informer(self, kind: GroupKind) -> Informer | None:
        """The informer behind one managed kind (its stats, `stop`/`start`), if watched."""
        return self._informers.get(kind)

    def get(self, key: ResourceKey) -> Obj | None:
        inf = self._informers.get((key.group, key.kind))
        return None if inf is None else inf.get(key.namespace, key.name)

    def covers(self, group: str, kind: str) -> bool:
        """The kind is watched and its informer has listed: absent from the cache means not tracked."""
        inf = self._informers.get((group, kind))
        return inf is not None and inf.synced.is_set()

    @property
    def complete(self) -> bool:
        """Every tracked object of the cluster is in the cache: scanned, and every informer synced."""
        return self._scanned and all(inf.synced.is_set() for inf in self._informers.values())

    def tracked_objects(self, app: str) -> list[Obj] | None:
        """The app's live objects when the cache can vouch for all of them (`complete`), else None."""
        return self.objects_of(app) if self.complete else None

    def keys_of(self, app: str) -> set[ResourceKey]:
        return set(self._by_app.get(app, ()))

    def objects_of(self, app: str) -> list[Obj]:
        """The app's live objects, in ResourceKey order."""
        out = []
        for key in sorted(self._by_app.get(app, ())):
            obj = self.get(key)
            if obj is not None:
                out.append(obj)
        return out

    def apps(self) -> list[str]:
        return sorted(self._by_app)

    def applications(self) -> list[Obj]:
        return [o for inf in self._apps.values() for o in inf.list()]

    def application(self, group: str, name: str) -> Obj | None:
        inf = self._apps.get(group)
        return None if inf is None else inf.get(self.namespace, name)

    def subscribe(self, fn: Subscriber) -> None:
        self._subscribers.append(fn)

    def subscribe_applications(self, fn: Handler) -> None:
        """`fn(event type, Application, previous or None)` for every Application change."""
        self._app_handlers.append(fn)
        for inf in self._apps.values():
            inf.add_handler(fn)

    def stats(self) -> CacheStats:
        return CacheStats(
            kinds={gk: KindStats(str(inf.res), len(inf), inf.stats) for gk, inf in self._informers.items()},
            applications={g: KindStats(str(inf.res), len(inf), inf.stats) for g, inf in self._apps.items()},
            pending=sorted(self._pending),
        )

    def memory_bytes(self) -> int:
        """Bytes held by the cached managed objects (a walk of every object: not for hot paths)."""
        seen: set[int] = set()
        return sum(deep_size(o, seen) for inf in self._informers.values() for o in inf.list())

    # ----- maintaining
    def _on_event(self, gk: GroupKind) -> Handler:
        group, kind = gk

        def handle(etype: str, obj: Obj, old: Obj | None) -> None:
            key = ResourceKey(group, kind, *_ns_name(obj))
            old_app = (tracked_app(old, group, kind) or "") if old is not None else ""
            if etype == "DELETED":
                self._unindex(old_app, key)
                untracked = obj is not old and tracked_app(obj, group, kind) is None
                change = Change("DELETED", key, None, old, old_app, untracked=untracked)
            else:
                app = tracked_app(obj, group, kind) or ""
                if old_app and old_app != app:
                    self._unindex(old_app, key)
                self._by_app.setdefault(app, set()).add(key)
                change = Change(etype, key, obj, old, app, old_app if old_app != app else "")
            for fn in self._subscribers:
                try:
                    fn(change)
                except Exception:
                    log.exception("cache subscriber failed on %s %s", change.type, key)

        return handle

    def _unindex(self, app: str, key: ResourceKey) -> None:
        keys = self._by_app.get(app)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_app[app]


def _ns_name(obj: Obj) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def _drop_own_managed_fields(obj: Obj, manager: str) -> None:
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        entries = meta.get("managedFields")
        if isinstance(entries, list) and all(isinstance(e, dict) and e.get("manager") == manager for e in entries):
            meta.pop("managedFields", None)


def _complete(obj: Obj, res: Res) -> Obj:
    obj.setdefault("apiVersion", res.api_version)
    obj.setdefault("kind", res.kind)
    return obj


def _tracked(gk: GroupKind, own_manager: str | None = None) -> Callable[[Obj], bool]:
    """The informer's filter: tracked objects only; a kept object loses managedFields naming only
    `own_manager` before it is stored (list, relist or watch event alike)."""
    group, kind = gk

    def keep(obj: Obj) -> bool:
        if tracked_app(obj, group, kind) is None:
            return False
        if own_manager is not None:
            _drop_own_managed_fields(obj, own_manager)
        return True

    return keep


def _pick(discovery: Discovery, wanted: set[GroupKind]) -> dict[GroupKind, Res]:
    """The preferred served version of each wanted kind that can be listed and watched."""
    found: dict[GroupKind, Res] = {}
    for info in discovery.known():
        gk = (info.res.group, info.res.kind)
        if gk in wanted and {"list", "watch"} <= info.verbs and (gk not in found or info.preferred):
            found[gk] = info.res
    return found
