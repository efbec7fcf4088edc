"""Watch fan-out: subscriptions with a bounded live queue that fall back to reading history.

Design (everything here runs on the event-loop thread, synchronously, except the waiting):

* A `Subscription` is either LIVE or CATCHING UP. While catching up it ignores published events
  and, whenever its queue is empty, reads the next page of history (events with rv > `resume_rv`)
  from the store. A page shorter than `page_size` means it reached the newest committed event; it
  switches to LIVE in the same synchronous step, so the next write is pushed to it: no gap and no
  duplicate, because no write can run between the history read and the switch.
* While LIVE, `Hub.publish` (called by the store right after the commit, before the write
  returns) appends matching events to its queue. If the queue is full (`max_queue`), the queue is
  dropped and the subscription goes back to CATCHING UP from its first undelivered event: memory per
  subscriber stays bounded and a slow consumer does not lose events — it re-reads them from the
  database.
* A subscription catching up from an rv that compaction has already dropped raises `Expired` (and
  closes): the client must re-list. So a subscriber that falls further behind than the history
  window ends with Expired, never with a silent gap.
* Consumers await `next(timeout)` or iterate (`async for`); a waiting consumer is woken by a
  future that `_push` resolves.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Protocol

from .errors import Expired
from .events import WatchEvent


class HistorySource(Protocol):
    @property
    def compacted_rv(self) -> int: ...

    def read_history(
        self, after_rv: int, resource: str | None, namespace: str | None, limit: int
    ) -> list[WatchEvent]: ...


class Hub:
    """Live subscribers, indexed by resource (None = every resource), and by (resource, name)
    for subscriptions to one object (`kubectl wait` opens one per object: with thousands of them
    an event must not visit every subscriber)."""

    def __init__(self) -> None:
        self._subs: dict[str | None, set[Subscription]] = {}
        self._named: dict[tuple[str | None, str], set[Subscription]] = {}

    def _bucket(self, sub: Subscription) -> tuple[dict[Any, set[Subscription]], Any]:
        if sub.name is not None:
            return self._named, (sub.resource, sub.name)
        return self._subs, sub.resource

    def add(self, sub: Subscription) -> None:
        index, key = self._bucket(sub)
        index.setdefault(key, set()).add(sub)

    def remove(self, sub: Subscription) -> None:
        index, key = self._bucket(sub)
        subs = index.get(key)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del index[key]

    def wants(self, resource: str) -> bool:
        """Whether any subscriber could receive an event of `resource` (saves building it)."""
        return resource in self._subs or None in self._subs or bool(self._named)

    def publish(self, event: WatchEvent) -> None:
        for key in (event.resource, None):
            for subs in (self._subs.get(key), self._named.get((key, event.name))):
                if subs:
                    for sub in tuple(subs):
                        if sub.namespace is None or sub.namespace == event.namespace:
                            sub._push(event)

    def close_all(self) -> None:
        for index in (self._subs, self._named):
            for subs in list(index.values()):
                for sub in tuple(subs):
                    sub.close()
            index.clear()

    def __len__(self) -> int:
        return sum(len(s) for s in self._subs.values()) + sum(len(s) for s in self._named.values())


class Subscription:
    """An async iterator of `WatchEvent`s for one resource (or all) and namespace (or all)."""

    def __init__(
        self,
        hub: Hub,
        source: HistorySource,
        resource: str | None,
        namespace: str | None,
        since_rv: int,
        *,
        max_queue: int,
        page_size: int,
        name: str | None = None,
    ) -> None:
        if max_queue < 1 or page_size < 1:
            raise ValueError("max_queue and page_size must be positive")
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self._hub = hub
        self._source = source
        self._max_queue = max_queue
        self._page_size = page_size
        self._queue: deque[WatchEvent] = deque()
        self._live = False
        #: every matching event with rv <= resume_rv has been delivered (or precedes since_rv)
        self._resume_rv = since_rv
        self._closed = False
        self._waiter: asyncio.Future[None] | None = None
        #: how many times the live queue overflowed and the subscription fell back to history
        self.overflows = 0
        hub.add(self)
        try:
            self._fill()
        except BaseException:
            self.close()
            raise

    # -- state -----------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def live(self) -> bool:
        return self._live

    @property
    def resume_rv(self) -> int:
        """Resume a new subscription from here to continue without gap or duplicate."""
        return self._resume_rv

    @property
    def queued(self) -> int:
        return len(self._queue)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.clear()
        self._hub.remove(self)
        self._wake()

    # -- producer side (store, synchronous) --------------------------------------------------------

    def _push(self, event: WatchEvent) -> None:
        if self._closed or not self._live:
            return
        if len(self._queue) >= self._max_queue:
            self._resume_rv = max(self._resume_rv, self._queue[0].rv - 1)
            self._queue.clear()
            self._live = False
            self.overflows += 1
        else:
            self._queue.append(event)
        self._wake()

    def _fill(self) -> None:
        """Catching up with an empty queue: read the next page of history."""
        oldest = self._source.compacted_rv
        if self._resume_rv < oldest:
            self.close()
            raise Expired(self._resume_rv, oldest)
        while True:
            page = self._source.read_history(self._resume_rv, self.resource, self.namespace, self._page_size)
            matched = page if self.name is None else [e for e in page if e.name == self.name]
            self._queue.extend(matched)
            if len(page) < self._page_size:
                self._live = True
                return
            if matched:
                return
            self._resume_rv = page[-1].rv  # a whole page of other objects: skip past it

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            try:
                waiter.set_result(None)
            except RuntimeError:  # the consumer's loop is gone: never fail the writer for it
                self._waiter = None
                if not self._closed:
                    self.close()

    # -- consumer side ---------------------------------------------------------------------------

    def poll(self) -> WatchEvent | None:
        """The next event if one is available now, else None. Raises Expired."""
        if self._closed:
            return None
        if not self._queue and not self._live:
            self._fill()
        if self._queue:
            event = self._queue.popleft()
            self._resume_rv = event.rv
            return event
        return None

    async def next(self, timeout: float | None = None) -> WatchEvent | None:  # noqa: ASYNC109 (API shape)
        """The next event; None on timeout or once closed. Raises Expired."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            event = self.poll()
            if event is not None or self._closed:
                return event
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return None
            self._waiter = loop.create_future()
            try:
                await asyncio.wait_for(self._waiter, remaining)
            except TimeoutError:
                return None
            finally:
                self._waiter = None

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> WatchEvent:
        event = await self.next()
        if event is None:
            raise StopAsyncIteration
        return event
