"""`Store`: objects keyed by (resource, namespace, name), one global resourceVersion, watch history.

Every method except `run_compaction` is synchronous and meant for the event-loop thread: a write
checks the current row, takes rv = current_rv + 1, commits object + event in one SQLite
transaction (`sqlite.Database.write`), remembers the row it wrote (so the next existence check
or get of it needs no query) and then, still before returning, publishes the event to
live subscribers (`watch.Hub`). Because nothing awaits between commit and publish, and a
subscription reads history and goes live in one synchronous step, watches never see gaps or
duplicates.

resourceVersions: an in-memory counter, recovered at open from max(meta.last_rv, compacted rv,
max event rv, max object rv); it only advances after a successful commit, so an rv is never handed out twice,
including across restarts. List pages after the first are read from the current state but report
the first page's rv, so a watch started from that rv replays everything that changed meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from ..jsoncopy import trimmed
from . import continuation
from .compaction import run_compaction
from .errors import AlreadyExists, Conflict, Expired, InvalidContinue, NotFound
from .events import ADDED, DELETED, MODIFIED, JSONObject, WatchEvent
from .sqlite import Database, EventRow
from .watch import Hub, Subscription

_loads = orjson.loads
Events = list[WatchEvent]
Objects = list[JSONObject]
_dumps = orjson.dumps
_SHARED_MAX = 1024  # get_shared entries per resource
_ROWS_MAX = 4096  # raw rows kept by _row: at most this many ...
_ROWS_BYTES = 16 * 1024 * 1024  # ... and this many bytes of object data


def _stamp(obj: JSONObject, rv: int) -> JSONObject:
    """A new top-level dict with a new metadata dict carrying resourceVersion = str(rv)."""
    out = dict(obj)
    meta: dict[str, Any] = dict(out.get("metadata") or {})
    meta["resourceVersion"] = str(rv)
    out["metadata"] = meta
    return out


class Store:
    """Persistent Kubernetes object storage. See the package docstring for the contract."""

    def __init__(
        self,
        path: Path | None,
        *,
        history_limit: int = 10_000,
        max_queue: int = 1_000,
        page_size: int = 500,
        compaction_batch: int = 5_000,
        lock_timeout: float = 5.0,
    ) -> None:
        if history_limit < 0:
            raise ValueError("history_limit must be >= 0")
        self.path = path
        self.history_limit = history_limit
        self.max_queue = max_queue
        self.page_size = page_size
        self.compaction_batch = compaction_batch
        self._db = Database(path, lock_timeout=lock_timeout)
        self._current_rv, self._compacted_rv = self._db.load_positions()
        self._hub = Hub()
        self._closed = False
        # get_shared's parsed objects, per resource; a write of the resource drops its entries
        self._shared: dict[str, dict[tuple[str, str], JSONObject | None]] = {}
        # (rv, data) or None (absent) of recently read or written objects: every write goes
        # through _commit, which keeps this current, so a write's own existence check and the
        # read before it (and the next request's) cost no query
        self._rows: dict[tuple[str, str, str], tuple[int, bytes] | None] = {}
        self._rows_bytes = 0

    # -- positions -------------------------------------------------------------------------------

    @property
    def current_rv(self) -> int:
        """The last resourceVersion assigned (0 for a brand-new store)."""
        return self._current_rv

    @property
    def compacted_rv(self) -> int:
        """Lists and watches from an rv below this raise Expired."""
        return self._compacted_rv

    # -- reads -----------------------------------------------------------------------------------

    def get(self, resource: str, namespace: str, name: str) -> JSONObject | None:
        row = self._row(resource, namespace, name)
        return None if row is None else _as_object(row[1])

    def _row(self, resource: str, namespace: str, name: str) -> tuple[int, bytes] | None:
        key = (resource, namespace, name)
        rows = self._rows
        try:
            return rows[key]
        except KeyError:
            pass
        row = self._db.get(resource, namespace, name)
        self._keep(key, row)
        return row

    def _keep(self, key: tuple[str, str, str], row: tuple[int, bytes] | None) -> None:
        rows = self._rows
        size = 0 if row is None else len(row[1])
        if len(rows) >= _ROWS_MAX or self._rows_bytes + size > _ROWS_BYTES:
            rows.clear()  # a bounded cache, not an LRU: cheap, and the next requests refill it
            self._rows_bytes = 0
        old = rows.get(key)
        if old is not None:
            self._rows_bytes -= len(old[1])
        rows[key] = row
        self._rows_bytes += size

    def get_shared(self, resource: str, namespace: str, name: str) -> JSONObject | None:
        """`get` for callers that only read the result (e.g. the namespace every create checks):
        the parsed object (or None) is kept until the next write of `resource`, and is shared,
        so it must never be changed."""
        per = self._shared.setdefault(resource, {})
        key = (namespace, name)
        if key in per:
            return per[key]
        obj = self.get(resource, namespace, name)
        if len(per) >= _SHARED_MAX:
            per.clear()
        per[key] = obj
        return obj

    def list(
        self,
        resource: str,
        namespace: str | None,
        *,
        limit: int = 0,
        continue_token: str | None = None,
    ) -> tuple[Objects, int, str | None]:
        """(items sorted by namespace then name, list rv, continue token or None)."""
        after: tuple[str, str] | None = None
        rv = self._current_rv
        if continue_token:
            rv, last_ns, last_name = continuation.decode(continue_token)
            if rv < self._compacted_rv:
                raise Expired(rv, self._compacted_rv)
            if rv > self._current_rv:
                raise InvalidContinue("continue token from the future")
            after = (last_ns, last_name)
        fetch = limit + 1 if limit > 0 else 0
        rows = self._db.list(resource, namespace, after, fetch)
        token = None
        if limit > 0 and len(rows) > limit:
            rows = rows[:limit]
            token = continuation.encode(rv, rows[-1][0], rows[-1][1])
        return [_as_object(data) for _, _, data in rows], rv, token

    def count(self, resource: str, namespace: str | None = None) -> int:
        return self._db.count(resource, namespace)

    def read_history(
        self, after_rv: int, resource: str | None, namespace: str | None, limit: int
    ) -> Events:
        """Up to `limit` history events with rv > after_rv, oldest first (no Expired check)."""
        return [
            WatchEvent(kind, rv, res, ns, name, _as_object(data), None if prev is None else _as_object(prev))
            for rv, kind, res, ns, name, data, prev in self._db.history(after_rv, resource, namespace, limit)
        ]

    # -- writes ----------------------------------------------------------------------------------

    def create(self, resource: str, namespace: str, name: str, obj: JSONObject) -> JSONObject:
        if self._row(resource, namespace, name) is not None:
            raise AlreadyExists(resource, namespace, name)
        rv = self._current_rv + 1
        out = _stamp(obj, rv)
        self._commit((rv, ADDED, resource, namespace, name, _dumps(out), None))
        return out

    def update(
        self,
        resource: str,
        namespace: str,
        name: str,
        obj: JSONObject,
        *,
        expected_rv: int | None = None,
    ) -> JSONObject:
        prev = self._existing(resource, namespace, name, expected_rv)
        rv = self._current_rv + 1
        out = _stamp(obj, rv)
        self._commit((rv, MODIFIED, resource, namespace, name, _dumps(out), prev))
        return out

    def delete(
        self,
        resource: str,
        namespace: str,
        name: str,
        *,
        expected_rv: int | None = None,
        final: JSONObject | None = None,
    ) -> JSONObject:
        """Remove the object; returns (and the DELETED event carries) `final` or the stored object,
        stamped with the deletion's new rv."""
        prev = self._existing(resource, namespace, name, expected_rv)
        rv = self._current_rv + 1
        out = _stamp(final if final is not None else _loads(prev), rv)
        self._commit((rv, DELETED, resource, namespace, name, _dumps(out), prev))
        return out

    def _existing(self, resource: str, namespace: str, name: str, expected_rv: int | None) -> bytes:
        row = self._row(resource, namespace, name)
        if row is None:
            raise NotFound(resource, namespace, name)
        if expected_rv is not None and expected_rv != row[0]:
            raise Conflict(resource, namespace, name, expected=expected_rv, current=row[0])
        return row[1]

    def _commit(self, row: EventRow) -> None:
        if self._closed:
            raise RuntimeError("store is closed")
        self._shared.pop(row[2], None)
        rv, kind, resource, namespace, name, data, prev = row
        key = (resource, namespace, name)
        try:
            self._db.write(row)
        except BaseException:
            old = self._rows.pop(key, None)  # the transaction rolled back: read it again next time
            if old is not None:
                self._rows_bytes -= len(old[1])
            raise
        self._keep(key, None if kind == DELETED else (rv, trimmed(data)))  # orjson's buffer is >= 4 KiB
        self._current_rv = rv
        if self._hub.wants(resource):
            old = None if prev is None else _loads(prev)
            self._hub.publish(WatchEvent(kind, rv, resource, namespace, name, _loads(data), old))

    # -- watch -----------------------------------------------------------------------------------

    def subscribe(self, resource: str | None, namespace: str | None, since_rv: int,
                  name: str | None = None) -> Subscription:
        """Events with rv > since_rv for `resource` (None = all) in `namespace` (None = all).

        Raises Expired if since_rv < compacted_rv. History is replayed first (lazily, a page at a
        time), then live events follow without gap or duplicate.
        """
        if self._closed:
            raise RuntimeError("store is closed")
        return Subscription(
            self._hub,
            self,
            resource,
            namespace,
            since_rv,
            max_queue=self.max_queue,
            page_size=self.page_size,
            name=name,
        )

    @property
    def subscriber_count(self) -> int:
        return len(self._hub)

    # -- compaction --------------------------------------------------------------------------------

    def compact(self) -> int:
        """Drop history older than the last `history_limit` events; returns the new compacted_rv."""
        while self.compact_step(0):
            pass
        return self._compacted_rv

    def compact_step(self, batch: int | None = None) -> bool:
        """Drop at most `batch` (default compaction_batch; 0 = unlimited) more events.

        Returns True if there may be more to drop."""
        batch = self.compaction_batch if batch is None else batch
        goal = self._current_rv - self.history_limit
        if goal <= self._compacted_rv:
            return False
        upto = goal if batch <= 0 else min(goal, self._compacted_rv + batch)
        self._db.compact(upto, self._current_rv)
        self._compacted_rv = upto
        return upto < goal

    async def run_compaction(self, interval: float = 60.0) -> None:
        """Background task: compact every `interval` seconds, yielding to the loop between batches."""
        await run_compaction(self, interval)

    def history_size(self) -> int:
        """Number of events currently kept (for tests and metrics)."""
        return self._db.event_count()

    # -- lifecycle -----------------------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._hub.close_all()
        try:
            self._db.record_last_rv(self._current_rv)
        finally:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_object(data: bytes) -> JSONObject:
    obj = _loads(data)
    assert isinstance(obj, dict)
    return obj
