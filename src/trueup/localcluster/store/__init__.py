"""Persistent object storage for the embedded API server: objects, resourceVersions, watch history.

Public API::

    store = Store(path, history_limit=10_000, max_queue=1_000, page_size=500)   # path None: in memory
    store.current_rv / store.compacted_rv                     # ints; the API server renders str(rv)
    store.get(resource, namespace, name) -> dict | None
    store.list(resource, namespace | None, *, limit=0, continue_token=None) -> (items, list_rv, token | None)
    store.count(resource, namespace=None) -> int
    store.create(resource, namespace, name, obj) -> dict                       # AlreadyExists
    store.update(resource, namespace, name, obj, *, expected_rv=None) -> dict  # NotFound, Conflict
    store.delete(resource, namespace, name, *, expected_rv=None, final=None) -> dict
    store.subscribe(resource | None, namespace | None, since_rv) -> Subscription  # Expired
    store.compact() -> int;  store.compact_step(batch=None) -> bool;  await store.run_compaction(60.0)
    store.close()

    sub.poll() -> WatchEvent | None;  await sub.next(timeout) -> WatchEvent | None;  async for ev in sub
    sub.close();  sub.closed;  sub.resume_rv

Keys: `resource` is a storage key ("pods", "apps/deployments"), `namespace` is "" for cluster-scoped
objects. Every object the store writes and returns carries `metadata.resourceVersion` as a string;
one global integer rv increases by one per write (create, update or delete) and is never reused,
including after a restart on the same file.

Async design: all reads and writes are synchronous SQLite calls made on the event-loop thread (WAL,
synchronous=NORMAL, one transaction per write). A write commits, then publishes its `WatchEvent`
to live subscriptions before returning. A subscription replays history from `since_rv` a page at
a time and switches to live delivery in the same synchronous step that sees the end of history, so
resumed watches have no gap and no duplicate. Live queues are bounded (`max_queue`): a subscriber
that falls behind drops its queue and re-reads from history; if compaction has passed it, it gets
`Expired` (HTTP 410 Gone) and must re-list. `run_compaction` keeps the last `history_limit` events.

Modules: `sqlite` (schema, pragmas, SQL), `store` (Store: rv assignment, CRUD, list pagination),
`watch` (Hub fan-out, Subscription), `compaction` (background task), `continuation` (continue
tokens), `events` (WatchEvent), `errors` (StoreError hierarchy).

Continue tokens: the first page is read at the store's current rv; later pages read the current
state after the last key but report the first page's rv, so a watch from the list rv replays every
change made while paging. A token older than `compacted_rv` raises Expired.
"""

from __future__ import annotations

from .errors import AlreadyExists, Conflict, Expired, InvalidContinue, NotFound, StoreError
from .events import ADDED, DELETED, MODIFIED, WatchEvent
from .sqlite import SCHEMA_VERSION
from .store import Store
from .watch import Subscription

__all__ = [
    "ADDED",
    "DELETED",
    "MODIFIED",
    "SCHEMA_VERSION",
    "AlreadyExists",
    "Conflict",
    "Expired",
    "InvalidContinue",
    "NotFound",
    "Store",
    "StoreError",
    "Subscription",
    "WatchEvent",
]
