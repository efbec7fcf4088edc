"""Memos keyed by JSON text and the store's row cache stay small: bounded entries, oldest dropped
first, and keys and rows cost their own length (orjson's output keeps a >= 4 KiB buffer)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from trueup.localcluster.jsoncopy import JsonMemo
from trueup.localcluster.store import Store


def _body(i: int) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i}"}, "data": {"k": "v" * 150}}


def test_the_oldest_entries_go_first_beyond_the_bound() -> None:
    memo: JsonMemo[int] = JsonMemo(max_entries=3, max_key_bytes=1 << 20, max_text=1 << 10)
    keys = [memo.key("schema", _body(i)) for i in range(5)]
    for i, key in enumerate(keys):
        assert key is not None
        memo.put(key, i)
    assert len(memo) == 3
    assert [memo.get(k) for k in keys if k is not None] == [None, None, 2, 3, 4]


def test_the_key_byte_budget_bounds_it_too() -> None:
    memo: JsonMemo[int] = JsonMemo(max_entries=1000, max_key_bytes=1000, max_text=1 << 10)
    for i in range(20):
        key = memo.key("schema", _body(i))
        assert key is not None
        memo.put(key, i)
    assert 1 <= len(memo) <= 1000 // 200  # each text is ~200 bytes


def test_values_it_cannot_key_are_not_memoised() -> None:
    memo: JsonMemo[int] = JsonMemo(max_entries=10, max_key_bytes=1 << 20, max_text=100)
    assert memo.key("schema", _body(1)) is None  # longer than max_text
    assert memo.key("schema", {"n": 1 << 70}) is None  # orjson cannot encode it


def test_kept_keys_cost_their_length() -> None:
    memo: JsonMemo[int] = JsonMemo(max_entries=10_000, max_key_bytes=1 << 30, max_text=1 << 10)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(2000):
            key = memo.key("schema", _body(i))
            assert key is not None
            memo.put(key, i)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(memo) == 2000
    assert grown < 2000 * 1024, f"{grown / 2000:.0f} bytes per ~230-byte key"  # untrimmed: > 4 KiB each


def test_the_stores_cached_rows_cost_their_length(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.db")
    try:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(2000):
            store.create("configmaps", "default", f"cm-{i}", _body(i))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        store.close()
    assert grown < 2000 * 2048, f"{grown / 2000:.0f} bytes per written object"
