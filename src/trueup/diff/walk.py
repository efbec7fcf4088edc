"""The comparison proper: walk two normalized objects and list the fields that differ.

Maps are compared key by key; list-map fields (see `listkeys`) item by item matched on their
keys, so order does not matter and an added container is one change, not a shift of all the
others; lists of scalars as a whole (one change showing both lists); other lists of maps by
position. Scalars compare by type and value (`true` is not `1`).
"""

from __future__ import annotations

from typing import Any

from .listkeys import item_key, list_key_fields
from .paths import ListStep, Path
from .types import ChangeAction

__all__ = ["RawChange", "diff_trees", "same"]

RawChange = tuple[Path, ChangeAction, Any, Any]


def same(left: Any, right: Any) -> bool:
    """Deep equality that keeps JSON types apart (bool vs number, number vs string)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same(value, right[key]) for key, value in left.items())
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


def _walk_list(before: list[Any], after: list[Any], path: Path, field_name: str, out: list[RawChange]) -> None:
    fields = list_key_fields(field_name, before, after)
    if fields is not None:
        old = {item_key(item, fields): index for index, item in enumerate(before)}
        new = {item_key(item, fields): index for index, item in enumerate(after)}
        for key, index in new.items():
            if key in old:
                _walk(before[old[key]], after[index], (*path, ListStep(old[key], index, key)), "", out)
            else:
                out.append(((*path, ListStep(None, index, key)), ChangeAction.ADDED, None, after[index]))
        for key, index in old.items():
            if key not in new:
                out.append(((*path, ListStep(index, None, key)), ChangeAction.REMOVED, before[index], None))
        return
    if not all(isinstance(item, dict) for item in (*before, *after)):
        if not same(before, after):
            out.append((path, ChangeAction.CHANGED, before, after))
        return
    for index in range(max(len(before), len(after))):
        if index >= len(before):
            out.append(((*path, ListStep(None, index)), ChangeAction.ADDED, None, after[index]))
        elif index >= len(after):
            out.append(((*path, ListStep(index, None)), ChangeAction.REMOVED, before[index], None))
        else:
            _walk(before[index], after[index], (*path, ListStep(index, index)), "", out)


def _walk(before: Any, after: Any, path: Path, field_name: str, out: list[RawChange]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(before.keys() | after.keys()):
            if key not in after:
                out.append(((*path, key), ChangeAction.REMOVED, before[key], None))
            elif key not in before:
                out.append(((*path, key), ChangeAction.ADDED, None, after[key]))
            else:
                _walk(before[key], after[key], (*path, key), key, out)
    elif isinstance(before, list) and isinstance(after, list):
        _walk_list(before, after, path, field_name, out)
    elif not same(before, after):
        out.append((path, ChangeAction.CHANGED, before, after))


def diff_trees(before: Any, after: Any) -> list[RawChange]:
    """Every differing field of `before` (live) and `after` (desired), in a stable order."""
    out: list[RawChange] = []
    _walk(before, after, (), "", out)
    return out
