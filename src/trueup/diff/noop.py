"""Would a server-side apply change nothing? Decided from the live object alone, exactly.

    if apply_is_noop(desired, live, manager="trueup"):
        ...  # skip the dry run and the apply: the object is `unchanged`

An apply of `desired` with field manager M (force) leaves `live` as it is when both hold:

1. M's `Apply` entry in `live.metadata.managedFields` (same apiVersion, no subresource) is exactly
   the field set `desired` sets: no field would be released (a field removed from Git is
   released, and removed from the object when no other manager holds it), none newly owned;
2. every field `desired` sets already has that value in `live`: granular maps and structs key
   by key, list-map and set items matched by the keys the managed field set names (in the same
   relative order, as the merge keeps it), and whatever the field set holds whole (a leaf: an
   atomic list, map or struct, or a scalar) equal as JSON, type included.

The shape of the field set tells granular from atomic, so no schema is needed. Whenever the
answer is not certain the result is False and the caller asks the server (dry run, apply):
`null` values, an `i:` (positional) item, a key that matches no item or several, a value of
another JSON type (1 vs 1.0 vs "1", a quantity written differently, an int-or-string), an
atomic value the server defaulted into (the live copy holds more than Git), a managed entry of
another apiVersion or more than one `Apply` entry for M, an object being deleted. One conversion
is known exactly: a core/v1 Secret's `stringData` is stored base64-encoded in `data` (and owned
as `stringData`).
"""

from __future__ import annotations

import base64
from typing import Any

from .fieldsv1 import UNPARSABLE, decode_token
from .listkeys import KEY_DEFAULTS
from .walk import same  # JSON equality, type included (True is not 1, 1 is not 1.0)

__all__ = ["apply_is_noop"]

Obj = dict[str, Any]
FieldSet = dict[str, Any]

# Never part of a managed field set: the object's identity.
_IDENTITY = ("apiVersion", "kind")
_META_IDENTITY = ("name", "namespace")


def apply_is_noop(desired: Obj, live: Obj | None, manager: str) -> bool:
    """True only when applying `desired` (field manager `manager`, force) cannot change `live`."""
    if not isinstance(live, dict) or not isinstance(desired, dict):
        return False
    if live.get("apiVersion") != desired.get("apiVersion") or live.get("kind") != desired.get("kind"):
        return False
    fields = _apply_entry(live, manager, str(desired.get("apiVersion", "")))
    if fields is None:
        return False
    meta = desired.get("metadata")
    lmeta = live.get("metadata")
    if not isinstance(meta, dict) or not isinstance(lmeta, dict):
        return False
    for key in _META_IDENTITY:
        if key in meta and meta[key] != lmeta.get(key):
            return False
    if lmeta.get("deletionTimestamp"):
        return False  # being deleted: let the server answer
    body = {k: v for k, v in desired.items() if k not in _IDENTITY}
    rest_meta = {k: v for k, v in meta.items() if k not in _META_IDENTITY}
    if rest_meta:
        body["metadata"] = rest_meta
    else:
        body.pop("metadata")
        if "f:metadata" in fields:
            return False
    if desired.get("kind") == "Secret" and desired.get("apiVersion") == "v1" and "stringData" in body:
        string_data = body.pop("stringData")
        fields = dict(fields)
        owned = fields.pop("f:stringData", None)
        if not _secret_string_data(owned, string_data, body.get("data"), live.get("data")):
            return False
    return _holds(fields, body, live, item=False)


def _apply_entry(live: Obj, manager: str, api_version: str) -> FieldSet | None:
    entries = (live.get("metadata") or {}).get("managedFields") or []
    found: list[FieldSet] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("manager") != manager or entry.get("operation") != "Apply":
            continue
        if entry.get("subresource") or entry.get("apiVersion") != api_version:
            return None  # an Apply entry of another version or subresource: let the server decide
        fields = entry.get("fieldsV1")
        if not isinstance(fields, dict):
            return None
        found.append(fields)
    return found[0] if len(found) == 1 else None


def _secret_string_data(owned: Any, string_data: Any, data: Any, live_data: Any) -> bool:
    if not isinstance(owned, dict) or not isinstance(string_data, dict) or not isinstance(live_data, dict):
        return False
    if set(owned) != {"f:" + k for k in string_data} or any(v != {} for v in owned.values()):
        return False
    for key, value in string_data.items():
        if not isinstance(value, str):
            return False
        if isinstance(data, dict) and key in data:
            return False  # both data and stringData name the key: let the server decide
        if live_data.get(key) != base64.b64encode(value.encode()).decode():
            return False
    return True


def _holds(fields: Any, desired: Any, live: Any, item: bool) -> bool:
    """`fields` is exactly what `desired` sets, and `live` holds every such value."""
    if not isinstance(fields, dict):
        return False
    if desired is None:
        return False
    if item:
        if "." not in fields or fields["."] != {}:
            return False
        fields = {k: v for k, v in fields.items() if k != "."}
    elif "." in fields:
        return False
    if not fields:
        return same(desired, live)  # owned whole (a scalar, or an atomic list/map/struct)
    if isinstance(desired, dict):
        if not isinstance(live, dict) or len(fields) != len(desired):
            return False
        for key, value in desired.items():
            child = fields.get("f:" + key)
            if child is None or key not in live or not _holds(child, value, live[key], item=False):
                return False
        return True
    if isinstance(desired, list):
        return isinstance(live, list) and _same_list(fields, desired, live)
    return False  # a scalar with children in the field set


def _matches(token: str, item: Any) -> bool:
    if token.startswith("k:"):
        keys = decode_token(token[2:])
        return isinstance(keys, dict) and bool(keys) and isinstance(item, dict) and all(
            same(item[f], v) if f in item else same(KEY_DEFAULTS.get(f, UNPARSABLE), v) for f, v in keys.items())
    if token.startswith("v:"):
        value = decode_token(token[2:])
        return value is not UNPARSABLE and not isinstance(item, dict | list) and same(value, item)
    return False


def _same_list(fields: FieldSet, desired: list[Any], live: list[Any]) -> bool:
    if len(fields) != len(desired):
        return False
    tokens = list(fields)
    if any(not (t.startswith("k:") or t.startswith("v:")) for t in tokens):
        return False  # positional (i:) items or a malformed set
    used: set[str] = set()
    last = -1
    for value in desired:
        mine = [t for t in tokens if _matches(t, value)]
        if len(mine) != 1 or mine[0] in used:
            return False
        token = mine[0]
        used.add(token)
        where = [i for i, x in enumerate(live) if _matches(token, x)]
        if len(where) != 1 or where[0] <= last:
            return False  # missing, ambiguous, or the merge would reorder
        last = where[0]
        child = fields[token]
        if token.startswith("v:"):
            if child != {} and child != {".": {}}:
                return False
            continue
        if not _holds(child, value, live[last], item=True):
            return False
    return True
