"""SQLite persistence: schema, pragmas and every SQL statement the store runs.

Owns one `sqlite3.Connection` in autocommit mode; each write is one explicit
`BEGIN … COMMIT` that inserts the history event and changes the object row, so a crash never
leaves an object without its event. The last rv ever assigned is recovered from the tables: every
write's event carries its rv, and compaction (which drops events) records the compacted rv, which
is then >= every dropped event's rv; `meta.last_rv` is only written by compaction and at close (one
UPSERT per write cost more than the rest of the write bar the COMMIT). Statements are constant
strings, so the sqlite3 statement cache keeps them prepared.

Pragmas: `journal_mode=WAL` and `synchronous=NORMAL` (a commit is a WAL append, no fsync; durable
across process crashes, at worst the last commits are lost on power failure);
`locking_mode=EXCLUSIVE` so a second process cannot open the same file and hand out the same rvs;
a bounded page cache so memory stays flat however large the database grows.

Synchronous by design: called on the event-loop thread, one caller at a time (the connection is
opened with check_same_thread=False only so the owner may construct it on another thread).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import StoreError

SCHEMA_VERSION = 1

#: (rv, type, resource, namespace, name, data, prev)
EventRow = tuple[int, str, str, str, str, bytes, bytes | None]
EventRows = list[EventRow]
#: (namespace, name, data)
ObjectRows = list[tuple[str, str, bytes]]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    resource  TEXT    NOT NULL,
    namespace TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    rv        INTEGER NOT NULL,
    data      BLOB    NOT NULL,
    UNIQUE (resource, namespace, name)
);
CREATE TABLE IF NOT EXISTS events (
    rv        INTEGER PRIMARY KEY,
    type      TEXT    NOT NULL,
    resource  TEXT    NOT NULL,
    namespace TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    data      BLOB    NOT NULL,
    prev      BLOB
);
CREATE INDEX IF NOT EXISTS events_by_resource ON events (resource, rv);
"""

_GET = "SELECT rv, data FROM objects WHERE resource = ? AND namespace = ? AND name = ?"
_INSERT_OBJECT = "INSERT INTO objects (resource, namespace, name, rv, data) VALUES (?, ?, ?, ?, ?)"
_UPDATE_OBJECT = "UPDATE objects SET rv = ?, data = ? WHERE resource = ? AND namespace = ? AND name = ?"
_DELETE_OBJECT = "DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?"
_INSERT_EVENT = (
    "INSERT INTO events (rv, type, resource, namespace, name, data, prev) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SET_META = (
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_LAST_RV = "last_rv"
_COMPACTED_RV = "compacted_rv"
_SCHEMA_KEY = "schema_version"


class Database:
    def __init__(self, path: Path | None, *, lock_timeout: float = 5.0, cache_kib: int = 16_384) -> None:
        target = ":memory:" if path is None else str(path)
        self._conn = sqlite3.connect(
            target, timeout=lock_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            self._configure(path is not None, cache_kib)
        except sqlite3.OperationalError as exc:
            self._conn.close()
            raise StoreError(f"cannot open store {target}: {exc}") from exc

    def _configure(self, on_disk: bool, cache_kib: int) -> None:
        c = self._conn
        if on_disk:
            c.execute("PRAGMA locking_mode=EXCLUSIVE")
            mode = c.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"cannot switch the store to WAL mode (got {mode})")
        c.execute("PRAGMA synchronous=NORMAL")
        c.execute("PRAGMA temp_store=MEMORY")
        c.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        # Taking the write lock now makes a second process fail at open, not at its first write.
        c.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    c.execute(statement)
            version = self._meta(_SCHEMA_KEY)
            if version is None:
                c.execute(_SET_META, (_SCHEMA_KEY, SCHEMA_VERSION))
            elif version != SCHEMA_VERSION:
                raise StoreError(f"store schema version {version} is not supported (want {SCHEMA_VERSION})")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _meta(self, key: str) -> int | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def load_positions(self) -> tuple[int, int]:
        """(last rv ever assigned, compacted rv): the largest of meta's last rv, the compacted rv
        and the largest rv in the events and objects tables.

        The last write's event is in `events` unless compaction dropped it, and then the compacted
        rv (compaction never goes past the last write) is that rv."""
        c = self._conn
        compacted = self._meta(_COMPACTED_RV) or 0
        last = max(
            self._meta(_LAST_RV) or 0,
            compacted,
            c.execute("SELECT coalesce(max(rv), 0) FROM events").fetchone()[0],
            c.execute("SELECT coalesce(max(rv), 0) FROM objects").fetchone()[0],
        )
        return int(last), compacted

    # -- reads ---------------------------------------------------------------------------------

    def get(self, resource: str, namespace: str, name: str) -> tuple[int, bytes] | None:
        row = self._conn.execute(_GET, (resource, namespace, name)).fetchone()
        return None if row is None else (row[0], row[1])

    def list(
        self, resource: str, namespace: str | None, after: tuple[str, str] | None, limit: int
    ) -> ObjectRows:
        """Objects ordered by (namespace, name), strictly after `after`; limit <= 0 means all."""
        sql = "SELECT namespace, name, data FROM objects WHERE resource = ?"
        args: list[object] = [resource]
        if namespace is not None:
            sql += " AND namespace = ?"
            args.append(namespace)
        if after is not None:
            sql += " AND (namespace, name) > (?, ?)"
            args.extend(after)
        sql += " ORDER BY namespace, name"
        if limit > 0:
            sql += " LIMIT ?"
            args.append(limit)
        return self._conn.execute(sql, args).fetchall()

    def count(self, resource: str, namespace: str | None) -> int:
        if namespace is None:
            row = self._conn.execute("SELECT count(*) FROM objects WHERE resource = ?", (resource,))
        else:
            row = self._conn.execute(
                "SELECT count(*) FROM objects WHERE resource = ? AND namespace = ?", (resource, namespace)
            )
        return int(row.fetchone()[0])

    def history(
        self, after_rv: int, resource: str | None, namespace: str | None, limit: int
    ) -> EventRows:
        """Events with rv > after_rv, oldest first, optionally for one resource / namespace."""
        sql = "SELECT rv, type, resource, namespace, name, data, prev FROM events WHERE rv > ?"
        args: list[object] = [after_rv]
        if resource is not None:
            sql += " AND resource = ?"
            args.append(resource)
        if namespace is not None:
            sql += " AND namespace = ?"
            args.append(namespace)
        sql += " ORDER BY rv LIMIT ?"
        args.append(limit)
        return self._conn.execute(sql, args).fetchall()

    # -- writes: one transaction each ------------------------------------------------------------

    def write(self, event: EventRow) -> None:
        """Append `event` and apply it to the objects table, atomically."""
        rv, kind, resource, namespace, name, data, _prev = event
        c = self._conn
        c.execute("BEGIN")
        try:
            c.execute(_INSERT_EVENT, event)
            if kind == "ADDED":
                c.execute(_INSERT_OBJECT, (resource, namespace, name, rv, data))
            elif kind == "MODIFIED":
                c.execute(_UPDATE_OBJECT, (rv, data, resource, namespace, name))
            else:
                c.execute(_DELETE_OBJECT, (resource, namespace, name))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def compact(self, upto_rv: int, last_rv: int) -> None:
        """Drop history events with rv <= upto_rv and record the new compacted rv (and `last_rv`)."""
        c = self._conn
        c.execute("BEGIN")
        try:
            c.execute("DELETE FROM events WHERE rv <= ?", (upto_rv,))
            c.execute(_SET_META, (_COMPACTED_RV, upto_rv))
            c.execute(_SET_META, (_LAST_RV, last_rv))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def event_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM events").fetchone()[0])

    def record_last_rv(self, rv: int) -> None:
        """Store the last rv assigned in meta (at close: recovery does not need it, readers may)."""
        self._conn.execute(_SET_META, (_LAST_RV, rv))

    def close(self) -> None:
        self._conn.close()
