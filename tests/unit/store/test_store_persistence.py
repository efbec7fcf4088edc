from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tests.unit.store.objects import cm

from trueup.localcluster.store import AlreadyExists, Conflict, Expired, NotFound, Store, StoreError


def test_reopen_keeps_objects_and_continues_rv(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    s = Store(path)
    for i in range(20):
        s.create("configmaps", f"ns{i % 3}", f"cm{i}", cm(f"cm{i}", f"ns{i % 3}"))
    s.update("configmaps", "ns0", "cm0", cm("cm0", "ns0", a="b"))
    s.delete("configmaps", "ns1", "cm1")
    before, rv_before, _ = s.list("configmaps", None)
    s.close()

    s = Store(path)
    assert s.current_rv == rv_before == 22
    after, rv_after, _ = s.list("configmaps", None)
    assert after == before and rv_after == rv_before
    created = s.create("configmaps", "ns0", "new", cm("new", "ns0"))
    assert created["metadata"]["resourceVersion"] == "23"
    s.close()


def test_rv_never_reused_after_deleting_everything(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    s = Store(path, history_limit=0)
    s.create("pods", "a", "p", cm("p", "a"))
    s.delete("pods", "a", "p")
    s.compact()  # no objects, no events left: only meta remembers rv 2
    assert s.history_size() == 0
    s.close()
    s = Store(path, history_limit=0)
    assert s.current_rv == 2 and s.compacted_rv == 2
    assert s.create("pods", "a", "p", cm("p", "a"))["metadata"]["resourceVersion"] == "3"
    s.close()


def _forget_last_rv(path: Path) -> None:
    """What a crash leaves: meta.last_rv is written only at close and by compaction."""
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM meta WHERE key = 'last_rv'")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("history_limit", [0, 1, 100])
def test_rv_never_reused_after_a_crash(tmp_path: Path, history_limit: int) -> None:
    path = tmp_path / "s.db"
    s = Store(path, history_limit=history_limit)
    for i in range(5):
        s.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
    s.update("pods", "a", "p0", cm("p0", "a", x="y"))
    s.delete("pods", "a", "p4")  # the highest rv now lives only in the DELETED event
    s.compact()
    if history_limit == 0:  # compaction also dropped every event: the compacted rv remembers 7
        for i in range(4):
            s.delete("pods", "a", f"p{i}")
        s.compact()
        assert s.history_size() == 0 and s.count("pods") == 0
    last = s.current_rv
    s.close()
    _forget_last_rv(path)
    s = Store(path, history_limit=history_limit)
    assert s.current_rv == last
    assert s.create("pods", "a", "q", cm("q", "a"))["metadata"]["resourceVersion"] == str(last + 1)
    s.close()


async def test_watch_from_pre_restart_rv_resumes(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    s = Store(path)
    s.create("pods", "a", "p1", cm("p1", "a"))
    seen_rv = s.current_rv
    s.create("pods", "a", "p2", cm("p2", "a"))
    s.update("pods", "a", "p1", cm("p1", "a", x="y"))
    s.close()

    s = Store(path)
    sub = s.subscribe("pods", None, seen_rv)
    s.delete("pods", "a", "p2")
    events = [await sub.next(1.0) for _ in range(3)]
    assert [(e.type, e.name, e.rv) for e in events if e] == [
        ("ADDED", "p2", 2),
        ("MODIFIED", "p1", 3),
        ("DELETED", "p2", 4),
    ]
    assert events[1] is not None and events[1].prev is not None
    assert events[1].prev["metadata"]["resourceVersion"] == "1"
    s.close()


def test_compacted_rv_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    s = Store(path, history_limit=3)
    for i in range(10):
        s.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
    assert s.compact() == 7
    s.close()
    s = Store(path, history_limit=3)
    assert s.compacted_rv == 7
    with pytest.raises(Expired) as info:
        s.subscribe("pods", None, 6)
    assert info.value.oldest == 7
    s.subscribe("pods", None, 7).close()
    s.close()


def test_file_is_wal_and_exclusive(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    s = Store(path)
    s.create("pods", "a", "p", cm("p", "a"))
    with pytest.raises(StoreError):
        Store(path, lock_timeout=0.05)  # a second server on the same file would hand out the same rvs
    s.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT value FROM meta WHERE key = 'last_rv'").fetchone()[0] == 1
    conn.close()


def test_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = 99 WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 99"):
        Store(path)


def test_reads_agree_with_the_file_across_many_writes(tmp_path: Path) -> None:
    """Reads, existence checks and conflicts stay right past the bounds of the store's row cache
    (more objects than it keeps, objects big enough to hit its byte budget), checked against a
    fresh store reading only the file."""
    path = tmp_path / "s.db"
    s = Store(path)
    big = "x" * 300_000
    for i in range(4500):
        s.create("configmaps", "a", f"c{i}", cm(f"c{i}", "a"))
        if i % 500 == 0:
            obj = cm(f"big{i}", "a")
            obj["data"]["blob"] = big
            s.create("configmaps", "a", f"big{i}", obj)
    for i in range(0, 4500, 7):
        s.update("configmaps", "a", f"c{i}", cm(f"c{i}", "a", v=str(i)))
    for i in range(0, 4500, 11):
        s.delete("configmaps", "a", f"c{i}")
    with pytest.raises(AlreadyExists):
        s.create("configmaps", "a", "c1", cm("c1", "a"))
    with pytest.raises(NotFound):
        s.update("configmaps", "a", "c11", cm("c11", "a"))
    with pytest.raises(Conflict):
        s.update("configmaps", "a", "c7", cm("c7", "a"), expected_rv=1)
    seen: dict[str, dict[str, Any] | None] = {f"c{i}": s.get("configmaps", "a", f"c{i}") for i in range(4500)}
    seen |= {f"big{i}": s.get("configmaps", "a", f"big{i}") for i in range(0, 4500, 500)}
    last = s.current_rv
    s.close()
    fresh = Store(path)
    assert fresh.current_rv == last
    for name, expected in seen.items():
        assert fresh.get("configmaps", "a", name) == expected, name
    assert seen["c11"] is None and seen["c7"] is not None and seen["c7"]["metadata"]["labels"] == {"v": "7"}
    fresh.close()
