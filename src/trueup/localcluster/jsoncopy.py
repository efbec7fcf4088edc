"""Copies of JSON data, and memos keyed by JSON text, sized for what they keep.

- `copy_json(value)`: a deep copy of decoded JSON (dicts, lists, scalars): what copy.deepcopy
  does, without its cycle and memo tracking, which JSON never needs.
- `trimmed(raw)`: `orjson.dumps` output as a bytes object of its own length. orjson's result keeps
  its whole write buffer allocated (at least 4 KiB, even for a 200-byte text), so anything kept
  beyond the request (cached rows, memo keys) is trimmed first.
- `JsonMemo`: answers memoised per (tag, JSON text of a value) — e.g. a schema walk of an apply
  body, which appliers send twice (dry run, then apply) and again on every re-sync. Bounded by
  entries and by key bytes; the oldest entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Generic, TypeVar

import orjson

V = TypeVar("V")
MemoKey = tuple[object, bytes]


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def trimmed(raw: bytes) -> bytes:
    """`raw`'s bytes in an allocation of their own size."""
    return bytes(memoryview(raw))


class JsonMemo(Generic[V]):
    def __init__(self, *, max_entries: int, max_key_bytes: int, max_text: int) -> None:
        self.max_entries = max_entries  # entries kept
        self.max_key_bytes = max_key_bytes  # bytes of JSON text kept as keys, all entries together
        self.max_text = max_text  # a value whose JSON text is longer is never memoised
        self._entries: OrderedDict[MemoKey, V] = OrderedDict()  # oldest first; popitem is O(1)
        self._key_bytes = 0

    def key(self, tag: object, value: Any) -> MemoKey | None:
        """The key for `value` under `tag` (e.g. its schema), or None when it cannot be memoised."""
        try:
            text = orjson.dumps(value)
        except (TypeError, orjson.JSONEncodeError):  # e.g. integers beyond 64 bits
            return None
        return None if len(text) > self.max_text else (tag, text)

    def get(self, key: MemoKey) -> V | None:
        return self._entries.get(key)

    def put(self, key: MemoKey, answer: V) -> None:
        entries = self._entries
        tag, text = key
        if key in entries:
            return
        while entries and (len(entries) >= self.max_entries or self._key_bytes + len(text) > self.max_key_bytes):
            oldest, _ = entries.popitem(last=False)
            self._key_bytes -= len(oldest[1])
        entries[(tag, trimmed(text))] = answer
        self._key_bytes += len(text)

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["JsonMemo", "MemoKey", "copy_json", "trimmed"]
