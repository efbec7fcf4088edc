"""Typed reads from plain JSON objects for the health checks.

Objects dumped from a cluster are untrusted data: a field may be absent, null, or of the wrong
type. These helpers return a default for absent/null fields and raise `FieldTypeError` (naming the
field path) for a value of the wrong type; `assess` turns that into an Unknown result.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


class FieldTypeError(ValueError):
    """A field holds a value of the wrong type (the message names the field)."""

    def __init__(self, path: tuple[str, ...], expected: str, value: object) -> None:
        self.path = ".".join(path)
        super().__init__(f"field {self.path}: expected {expected}, got {type(value).__name__}")


def get(obj: Obj, *path: str) -> Any:
    """The value at `path`, or None when any step is absent or not a mapping."""
    node: Any = obj
    for step in path:
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return node


def get_int(obj: Obj, *path: str, default: int = 0) -> int:
    value = get(obj, *path)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise FieldTypeError(path, "an integer", value)
    return int(value)


def get_opt_int(obj: Obj, *path: str) -> int | None:
    return None if get(obj, *path) is None else get_int(obj, *path)


def get_str(obj: Obj, *path: str, default: str = "") -> str:
    value = get(obj, *path)
    if value is None:
        return default
    if not isinstance(value, str):
        raise FieldTypeError(path, "a string", value)
    return value


def get_bool(obj: Obj, *path: str) -> bool:
    value = get(obj, *path)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise FieldTypeError(path, "a boolean", value)
    return value


def get_list(obj: Obj, *path: str) -> list[Any]:
    value = get(obj, *path)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldTypeError(path, "a list", value)
    return value


def conditions(obj: Obj) -> list[Obj]:
    """`status.conditions`, keeping only well-formed entries (mappings)."""
    return [c for c in get_list(obj, "status", "conditions") if isinstance(c, dict)]


def find_condition(obj: Obj, condition_type: str) -> Obj | None:
    for condition in conditions(obj):
        if condition.get("type") == condition_type:
            return condition
    return None


def condition_text(condition: Obj, key: str) -> str:
    value = condition.get(key)
    return value if isinstance(value, str) else ""
