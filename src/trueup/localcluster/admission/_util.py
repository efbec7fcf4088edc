"""Small helpers for walking and defaulting plain JSON-like dicts. Pure."""

from __future__ import annotations

import copy
from typing import Any

Obj = dict[str, Any]


def child(parent: Obj, key: str) -> Obj:
    """parent[key] as a dict, created (or replaced when not a dict) if needed."""
    value = parent.get(key)
    if not isinstance(value, dict):
        value = {}
        parent[key] = value
    return value


def get_dict(parent: Any, *keys: str) -> Obj | None:
    """The dict at parent[k1][k2]..., or None when any step is missing or not a dict."""
    cur = parent
    for k in keys:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(k)
    return cur if isinstance(cur, dict) else None


def dicts(value: Any) -> list[Obj]:
    """The dict items of a list (anything else yields nothing)."""
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]


def default(obj: Obj, key: str, value: Any) -> None:
    """Set obj[key] to a copy of `value` when missing or null (Go's nil check)."""
    if obj.get(key) is None:
        obj[key] = copy.deepcopy(value)


def default_empty(obj: Obj, key: str, value: Any) -> None:
    """Set obj[key] when missing, null or an empty string/list/map (Go's `len(x) == 0`)."""
    cur = obj.get(key)
    if cur is None or cur == "" or cur == [] or cur == {}:
        obj[key] = copy.deepcopy(value)


def is_zero(value: Any) -> bool:
    return value is None or value == 0 or value == "" or value is False


def split_api_version(api_version: str) -> tuple[str, str]:
    if "/" in api_version:
        group, version = api_version.split("/", 1)
        return group, version
    return "", api_version
