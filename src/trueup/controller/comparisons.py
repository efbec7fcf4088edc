"""The comparison cache: a refresh that changes nothing costs no server-side dry run.

    comparisons = Comparisons(engine, cluster_cache)
    diffs = await comparisons.diff(app, desired)      # in place of engine.diff(app, desired)

An app's last comparison (its list of ResourceDiff) is reused when both are unchanged since it
was made:
- the desired side: a hash of the app's name, its spec (source, destination, ignoreDifferences,
  sync options) and every rendered manifest (renders themselves are cached by commit);
- the live side: the (ResourceKey, resourceVersion) of every object the app tracks, as the watch
  cache holds them. Any write to a tracked object gives it a new resourceVersion, and every watch
  event on one of the app's objects drops its entry (`invalidate`) besides, except a change of
  status or server bookkeeping only, which no diff looks at: that moves the entry to the new
  resourceVersion (`restamp`).

A comparison is kept only when the cache vouches for the app's objects (`tracked_objects` is not
None) and held every desired object when it was made: an object that is missing or exists
untracked is always compared again. Comparisons right after a sync (`fresh`) are never kept: the
watch has not caught up with the sync's writes yet. Kept diffs drop their normalized objects
(only key, status, changes and apiVersion are read again): ~0.5 KB per object, not ~3 KB.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

import orjson

from ..app import Application
from ..cache import ClusterCache
from ..diff import ResourceDiff
from ..engine import Desired, Engine
from ..model import ResourceKey

Obj = dict[str, Any]
LiveState = frozenset[tuple[ResourceKey, str]]


def desired_hash(app: Application, desired: Desired) -> str:
    """Hash of everything on the desired side of a comparison."""
    h = hashlib.sha256()
    h.update(orjson.dumps({"name": app.name, "spec": app.raw.get("spec")}, option=orjson.OPT_SORT_KEYS,
                          default=str))
    for m in desired.manifests:
        h.update(orjson.dumps(m.obj, option=orjson.OPT_SORT_KEYS, default=str))
        h.update(orjson.dumps(m.extra, option=orjson.OPT_SORT_KEYS, default=str))
    return h.hexdigest()


def _slim(d: ResourceDiff) -> ResourceDiff:
    """What a reconcile reads from a kept comparison: key, status, changes (with their managers),
    and the apiVersion of the objects (for the status' resource list); not the objects themselves."""
    def stub(obj: Obj | None) -> Obj | None:
        return None if obj is None else {k: obj[k] for k in ("apiVersion", "kind") if k in obj}
    return replace(d, live=stub(d.live), target=stub(d.target))


def live_state(objects: list[Obj]) -> LiveState:
    return frozenset((ResourceKey.of(o), str((o.get("metadata") or {}).get("resourceVersion") or ""))
                     for o in objects)


@dataclass(frozen=True)
class Entry:
    desired: str
    live: LiveState
    diffs: list[ResourceDiff]


@dataclass
class ComparisonStats:
    hits: int = 0
    misses: int = 0
    invalidations: int = 0


class Comparisons:
    def __init__(self, engine: Engine, cache: ClusterCache) -> None:
        self.engine = engine
        self.cache = cache
        self.stats = ComparisonStats()
        self._entries: dict[str, Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def invalidate(self, app: str) -> None:
        if self._entries.pop(app, None) is not None:
            self.stats.invalidations += 1

    def restamp(self, app: str, key: ResourceKey, old_rv: str, new_rv: str) -> None:
        """One of the app's objects changed in status or bookkeeping only (no diff can change): the
        comparison stands, at the object's new resourceVersion."""
        entry = self._entries.get(app)
        if entry is None:
            return
        if (key, old_rv) not in entry.live:
            self.invalidate(app)
            return
        live = (entry.live - {(key, old_rv)}) | {(key, new_rv)}
        self._entries[app] = Entry(entry.desired, live, entry.diffs)

    def forget(self, app: str) -> None:
        self._entries.pop(app, None)

    async def diff(self, app: Application, desired: Desired, *, fresh: bool = False) -> list[ResourceDiff]:
        """The app's diffs: the last comparison if nothing changed since, else `engine.diff`."""
        objects = None if fresh else self.cache.tracked_objects(app.name)
        if objects is None:
            self.stats.misses += 1
            self._entries.pop(app.name, None)
            return await self.engine.diff(app, desired, fresh=fresh)
        want = desired_hash(app, desired)
        live = live_state(objects)
        entry = self._entries.get(app.name)
        if entry is not None and entry.desired == want and entry.live == live:
            self.stats.hits += 1
            return list(entry.diffs)
        self.stats.misses += 1
        self._entries.pop(app.name, None)
        diffs = await self.engine.diff(app, desired)
        held = {key for key, _ in live}
        if all(d.key in held for d in diffs):  # every desired object was in the cache (tracked)
            self._entries[app.name] = Entry(want, live, [_slim(d) for d in diffs])
        return diffs


__all__ = ["ComparisonStats", "Comparisons", "desired_hash"]
