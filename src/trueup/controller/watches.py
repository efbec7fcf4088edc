"""Drift events for the controller, from `trueup.cache.ClusterCache`: one informer per managed kind
(cluster-wide), started when an app first renders that kind (`ensure`) and, at start, for every
kind already holding a trueup-tracked object (`start`: the cache's scan). The cache keeps only
objects whose `trueup.dev/tracking-id` names the object itself (a copied annotation does not
count), resumes after disconnects and relists after 410 with the net changes, so no drift is lost.

A change or deletion of a tracked object (or removal of its annotation) enqueues its app and
forgets the app's last comparison (`Comparisons.invalidate`). Changes that touch only `status` or
server bookkeeping (resourceVersion, managedFields) are not drift: the app's last comparison still
holds (`Comparisons.restamp` moves it to the new resourceVersion), and the app is enqueued only if
the object's health changed (its status in the app's status must follow), so a Deployment rolling
out causes a reconcile per health change, not per status write. An ADDED object (the initial list,
or one a sync created) is not drift either. The cache is also the engine's live reader
(`engine.live`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from ..cache import Change, ClusterCache, tracked_app
from ..kube import Res
from ..model import ResourceKey

log = logging.getLogger("trueup.controller.watches")

Obj = dict[str, Any]
Enqueue = Callable[[str], None]
Assess = Callable[[Obj], str]  # an object's health status ("" when it has none)


class Comparisons(Protocol):
    def invalidate(self, app: str) -> None: ...

    def restamp(self, app: str, key: ResourceKey, old_rv: str, new_rv: str) -> None: ...


def owning_app(obj: Obj) -> str | None:
    """The app named by the object's tracking annotation, if it names this very object."""
    key = ResourceKey.of(obj)
    return tracked_app(obj, key.group, key.kind)


def _spec_view(obj: Obj) -> Obj:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items()
            if k not in ("resourceVersion", "managedFields", "generation")}
    return {**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}


def drop_managed_fields(etype: str, obj: Obj, old: Obj | None) -> None:
    """An informer handler, registered first: the cached object (an Application) loses its
    managedFields, which the controller never reads (memory: the status manager's fieldsV1 for
    the resource list and history is a large part of a cached Application)."""
    meta = obj.get("metadata")
    if etype != "DELETED" and isinstance(meta, dict):
        meta.pop("managedFields", None)


def _rv(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


def is_drift(change: Change) -> bool:
    """A change the app must look at: a deletion (or lost tracking), or a change beyond status."""
    if change.type == "ADDED":
        return False
    if change.type == "MODIFIED" and change.old is not None and change.new is not None and not change.old_app:
        return _spec_view(change.old) != _spec_view(change.new)
    return True


class ManagedWatches:
    def __init__(self, cache: ClusterCache, enqueue: Enqueue, comparisons: Comparisons | None = None,
                 assess: Assess | None = None) -> None:
        self.cache = cache
        self.enqueue = enqueue
        self.comparisons = comparisons
        self.assess = assess
        cache.subscribe(self._handle)

    @property
    def kinds(self) -> set[Res]:
        return set(self.cache.watched().values())

    async def start(self, limit_s: float = 60.0) -> None:
        """Watch every kind that already holds a tracked object; return once their lists are in."""
        found = await self.cache.scan()
        await self.cache.wait_synced(limit_s)
        log.debug("watching %d kinds holding tracked objects: %s", len(found), sorted(found))

    def ensure(self, kinds: set[Res]) -> None:
        self.cache.watch_resources(kinds)

    def _handle(self, change: Change) -> None:
        if is_drift(change) or change.old is None or change.new is None:
            if self.comparisons is not None:
                for app in change.apps:
                    self.comparisons.invalidate(app)
            if change.type != "ADDED":
                for app in change.apps:
                    self.enqueue(app)
            return
        # status or bookkeeping only: the comparison holds; the health shown may not
        if self.comparisons is not None:
            self.comparisons.restamp(change.app, change.key, _rv(change.old), _rv(change.new))
        if self.assess is not None and self.assess(change.old) != self.assess(change.new):
            self.enqueue(change.app)

    async def wait_synced(self, limit_s: float = 60.0) -> None:
        await self.cache.wait_synced(limit_s)

    async def stop(self) -> None:
        await self.cache.stop()
