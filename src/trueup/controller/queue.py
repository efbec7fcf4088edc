"""The work queue: per-key deduplication and serialization, delayed adds (client-go's semantics).

- `add(key)`: a key waiting in the queue is not queued twice. A key being processed is marked
  dirty instead and queued again only when its worker calls `done(key)`: two workers never hold
  the same key, and an event that arrives during a reconcile is never lost.
- `get()` waits for a key and marks it processing; `done(key)` releases it.
- `add_after(key, delay)`: at most one timer per key, the earliest wins (a poll timer and a retry
  backoff of one app collapse into the sooner of the two).
- `shutdown()` wakes every waiting `get()`, which then returns None; timers are cancelled.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable


class WorkQueue:
    def __init__(self, on_timer: Callable[[str], None] | None = None) -> None:
        """`on_timer(key)` runs when a delayed add fires (default: `add`), e.g. to mark why."""
        self._on_timer = on_timer or self.add
        self._queue: deque[str] = deque()
        self._dirty: set[str] = set()
        self._processing: set[str] = set()
        self._timers: dict[str, tuple[float, asyncio.TimerHandle]] = {}
        self._ready = asyncio.Event()
        self._closed = False

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def closed(self) -> bool:
        return self._closed

    def processing(self, key: str) -> bool:
        return key in self._processing

    def add(self, key: str) -> None:
        if self._closed or key in self._dirty:
            return
        self._dirty.add(key)
        if key not in self._processing:
            self._queue.append(key)
            self._wake()

    def add_after(self, key: str, delay: float) -> None:
        if self._closed:
            return
        if delay <= 0:
            self.add(key)
            return
        loop = asyncio.get_running_loop()
        when = loop.time() + delay
        pending = self._timers.get(key)
        if pending is not None:
            if pending[0] <= when:
                return
            pending[1].cancel()
        self._timers[key] = (when, loop.call_at(when, self._fire, key))

    def _fire(self, key: str) -> None:
        self._timers.pop(key, None)
        self._on_timer(key)

    def _wake(self) -> None:
        self._ready.set()

    async def get(self) -> str | None:
        while not self._queue and not self._closed:
            self._ready.clear()
            await self._ready.wait()
        if self._closed:
            return None
        key = self._queue.popleft()
        self._processing.add(key)
        self._dirty.discard(key)
        return key

    def done(self, key: str) -> None:
        self._processing.discard(key)
        if key in self._dirty and not self._closed:
            self._queue.append(key)
            self._wake()

    def forget(self, key: str) -> None:
        """Drop a deleted key's timer (a queued or running reconcile finds the object gone)."""
        pending = self._timers.pop(key, None)
        if pending is not None:
            pending[1].cancel()

    def shutdown(self) -> None:
        self._closed = True
        for _, handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self._ready.set()
