"""managedFields for non-apply writes (POST, PUT, JSON / merge / strategic merge patch).

The updater takes every field whose value it adds or changes (stripping them from all other
entries, Apply ones included); removed fields leave every entry; unchanged values are not taken.
Its entry is an Update entry per (manager, subresource, apiVersion); its time moves only when it
took something. Body managedFields (main resource only): a valid non-empty list is the new base,
omitted/null/invalid keeps live's, `[]` or `[{}]` resets; an existing object with no entries
stays untracked until the next apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..schema import SchemaNode
from .compare import compare
from .managed import UPDATE, Entry, Managed, cap_updates, decode, decode_lenient, encode, normalize_time, strip_meta
from .objects import is_missing, reset_set, without_managed


def _is_reset(raw: Any) -> bool:
    return isinstance(raw, list) and (not raw or (len(raw) == 1 and raw[0] == {}))


def base_managed(old: dict[str, Any] | None, new: dict[str, Any], subresource: str) -> Managed:
    """The entries an update starts from, per the body-managedFields rules."""
    old_raw = without_managed(old)[1] if old is not None else None
    old_raw = None if is_missing(old_raw) else old_raw
    if subresource:
        return decode_lenient(old_raw)
    body_raw = without_managed(new)[1]
    if _is_reset(body_raw):
        return {}
    if not is_missing(body_raw) and body_raw is not None:
        try:
            managed = decode(body_raw)
        except ValueError:
            managed = {}
        if managed:
            return managed
    return decode_lenient(old_raw)


def update_managed_fields(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    schema: SchemaNode,
    manager: str,
    api_version: str,
    now: str,
    subresource: str = "",
    reset_fields: Sequence[tuple[str, ...]] = (),
) -> list[dict[str, Any]]:
    """The managedFields list for writing `new` over `old` (None: create); see the module docstring."""
    managed = base_managed(old, new, subresource)
    if old is not None and not managed:
        return []
    new_obj = without_managed(new)[0]
    old_obj = without_managed(old)[0] if old is not None else None
    cmp = compare(old_obj, new_obj, schema)
    changed = cmp.changed()
    out: Managed = {}
    for key, entry in managed.items():
        fs = strip_meta(entry.fields.difference(changed).difference(cmp.removed))
        if fs:
            out[key] = entry.with_fields(fs)
    taken = strip_meta(changed).recursive_difference(reset_set(reset_fields))
    if taken:
        mine = Entry(manager, UPDATE, api_version, taken, normalize_time(now), subresource)
        prev = out.get(mine.ident)
        if prev is not None:
            mine.fields = taken.union(prev.fields)
        out[mine.ident] = mine
    return encode(cap_updates(out))


__all__ = ["base_managed", "update_managed_fields"]
