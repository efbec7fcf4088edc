"""A bounded in-memory LRU of render results, with in-flight deduplication.

Keyed by (the caller's opaque `cache_key` — repository identity and commit —, path, the
normalized source options, app name, namespace, build environment). The same inputs never
render twice: a second caller asking while the first render runs awaits the same task.
Errors are not cached (the next call renders again), but callers awaiting an in-flight render
get its error.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from .result import RenderResult

CacheKey = tuple[str, ...]


def make_key(cache_key: str, path: str, source: dict[str, Any], app_name: str, namespace: str,
             env: dict[str, str]) -> CacheKey:
    options = {k: v for k, v in source.items() if k not in ("repoURL", "targetRevision")}
    return (cache_key, path, orjson.dumps(options, option=orjson.OPT_SORT_KEYS).decode(), app_name, namespace,
            orjson.dumps(env, option=orjson.OPT_SORT_KEYS).decode())


class RenderCache:
    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, RenderResult] = OrderedDict()
        self._inflight: dict[CacheKey, asyncio.Future[RenderResult]] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    async def get_or_render(self, key: CacheKey, produce: Callable[[], Awaitable[RenderResult]]) -> RenderResult:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return found
        pending = self._inflight.get(key)
        if pending is not None:
            self.hits += 1
            result = await asyncio.shield(pending)
            return RenderResult(result.manifests, result.renderer, result.unsupported, result.ignored_files,
                                cached=True)
        self.misses += 1
        future: asyncio.Future[RenderResult] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await produce()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: nobody else may be waiting
            raise
        else:
            future.set_result(result)
        finally:
            del self._inflight[key]
        cached = RenderResult(result.manifests, result.renderer, result.unsupported, result.ignored_files,
                              cached=True)
        self._entries[key] = cached
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return result


DEFAULT_CACHE = RenderCache()
