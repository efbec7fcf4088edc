"""Deep copies of decoded JSON (dicts, lists, scalars): what copy.deepcopy does, without its cycle
and memo tracking, which JSON never needs."""

from __future__ import annotations

from typing import Any


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


__all__ = ["copy_json"]
