"""managedFields (FieldsV1) read two ways: who owns a field, and removing a manager's fields.

A FieldsV1 set is a tree of `f:<field>` (map key or struct field), `k:<json>` (list-map item by
its key fields, missing keys taking their schema defaults), `v:<json>` (set item), `i:<n>` (index)
and `.` (the node itself). An empty node `{}` is a leaf: the manager owns that field whole (an
atomic list or map included, so it also owns everything under it). Unknown prefixes are ignored.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .listkeys import KEY_DEFAULTS
from .paths import ListStep, Path
from .types import FieldOwner, Obj

__all__ = ["find_owner", "managed_entries", "owns", "remove_owned"]

FieldSet = dict[str, Any]


UNPARSABLE = object()


@lru_cache(maxsize=4096)
def decode_token(token: str) -> Any:
    """The JSON after a `k:` or `v:` prefix; UNPARSABLE when it is not JSON."""
    try:
        return json.loads(token)
    except ValueError:
        return UNPARSABLE


def _item_child(node: FieldSet, item: Any, index: int) -> FieldSet | None:
    for name, child in node.items():
        if name.startswith("k:"):
            keys = decode_token(name[2:])
            if isinstance(keys, dict) and isinstance(item, dict) and all(
                item.get(field, KEY_DEFAULTS.get(field)) == value for field, value in keys.items()
            ):
                return child if isinstance(child, dict) else {}
        elif name.startswith("v:"):
            if decode_token(name[2:]) == item:
                return child if isinstance(child, dict) else {}
        elif name == f"i:{index}":
            return child if isinstance(child, dict) else {}
    return None


def _is_member(node: FieldSet) -> bool:
    return not node or "." in node


def owns(fields: FieldSet, live: Any, path: Path) -> bool:
    """Whether the set owns the field at `path` of the live object (or an atomic field above it)."""
    node, current = fields, live
    for step in path:
        if not node:
            return True
        child: Any
        if isinstance(step, ListStep):
            if step.before is None or not isinstance(current, list) or step.before >= len(current):
                return False
            current = current[step.before]
            child = _item_child(node, current, step.before)
        else:
            child = node.get("f:" + step)
            current = current.get(step) if isinstance(current, dict) else None
        if not isinstance(child, dict):
            return False
        node = child
    return True


def managed_entries(live: Obj | None) -> list[Obj]:
    """The well-formed FieldsV1 entries of `live.metadata.managedFields`."""
    if not live:
        return []
    entries = (live.get("metadata") or {}).get("managedFields") or []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("fieldsV1"), dict) and e.get("manager")]


def find_owner(entries: list[Obj], live: Any, path: Path) -> FieldOwner | None:
    """The manager that last wrote the field at `path` (latest `time` among its owners), if any."""
    best: Obj | None = None
    for entry in entries:
        if not owns(entry["fieldsV1"], live, path):
            continue
        if best is None or str(entry.get("time", "")) >= str(best.get("time", "")):
            best = entry
    if best is None:
        return None
    return FieldOwner(
        manager=str(best["manager"]), operation=str(best.get("operation", "")),
        subresource=str(best.get("subresource", "") or ""), time=str(best.get("time", "") or ""),
    )


def remove_owned(value: Any, fields: FieldSet) -> Any:
    """A copy of `value` without the fields the set owns (members: leaves and `.` nodes, whole)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            child = fields.get("f:" + key)
            if not isinstance(child, dict):
                out[key] = item
            elif not _is_member(child):
                out[key] = remove_owned(item, child)
        return out
    if isinstance(value, list):
        kept: list[Any] = []
        for index, item in enumerate(value):
            found = _item_child(fields, item, index)
            if found is None:
                kept.append(item)
            elif not _is_member(found):
                kept.append(remove_owned(item, found))
        return kept
    return value
