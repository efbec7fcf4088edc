"""Object-level helpers shared by apply and update: managedFields in and out, reset fields."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from .fieldset import FieldSet
from .managed import Managed, encode

_MISSING: Any = object()


def without_managed(obj: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """(`obj` without metadata.managedFields — a shallow copy only when present, the raw value)."""
    md = obj.get("metadata")
    if isinstance(md, dict) and "managedFields" in md:
        raw = md["managedFields"]
        return {**obj, "metadata": {k: v for k, v in md.items() if k != "managedFields"}}, raw
    return obj, _MISSING


def is_missing(value: Any) -> bool:
    return value is _MISSING


def with_managed(obj: dict[str, Any], managed: Managed) -> dict[str, Any]:
    """`obj` (a fresh top-level dict is made) with metadata.managedFields set, or absent when empty."""
    md = obj.get("metadata")
    new_md = {k: v for k, v in md.items() if k != "managedFields"} if isinstance(md, dict) else {}
    entries = encode(managed)
    if entries:
        new_md["managedFields"] = entries
    return {**obj, "metadata": new_md}


def reset_set(reset_fields: Sequence[tuple[str, ...]]) -> FieldSet:
    return _reset_set(tuple(tuple(path) for path in reset_fields))


@lru_cache(maxsize=64)
def _reset_set(reset_fields: tuple[tuple[str, ...], ...]) -> FieldSet:  # sets are never changed once built
    return FieldSet.of(*(tuple("f:" + p for p in path) for path in reset_fields if path))


def drop_paths(obj: dict[str, Any], reset_fields: Sequence[tuple[str, ...]]) -> dict[str, Any]:
    """`obj` without the values at the given field paths (copies only the dicts on those paths)."""
    for path in reset_fields:
        if path:
            obj = _drop(obj, path)
    return obj


def _drop(obj: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    head = path[0]
    if head not in obj:
        return obj
    if len(path) == 1:
        return {k: v for k, v in obj.items() if k != head}
    sub = obj[head]
    if not isinstance(sub, dict):
        return obj
    new_sub = _drop(sub, path[1:])
    if new_sub is sub:
        return obj
    return {**obj, head: new_sub}


__all__ = ["drop_paths", "is_missing", "reset_set", "with_managed", "without_managed"]
