"""Normalization: remove from an object everything that never counts as drift.

`normalize(obj)` returns a new object (the input is not modified) without:
- `status`, and the server-written metadata: `managedFields`, `resourceVersion`, `uid`,
  `generation`, `creationTimestamp`, `selfLink`, `deletionTimestamp`,
  `deletionGracePeriodSeconds`, and the `kubectl.kubernetes.io/last-applied-configuration`
  annotation (it also holds a copy of Secret values);
- `null` values, empty maps and empty lists (the API server prints `resources: {}`,
  `securityContext: {}`, template `metadata: {creationTimestamp: null}`; a manifest may omit them);
- spelling differences that mean the same value: resource quantities in canonical form
  (`1024Mi` = `1Gi`, `0.5` = `500m`) at the fields that hold quantities, and integral floats
  as integers (`1.0` = `1`). Int-vs-string is NOT folded: `targetPort: 80` is a port number,
  `targetPort: "http"` a port name, and the API server rejects `"80"`, so they never mean the same;
- for a v1 Secret, `stringData` is folded into `data` (base64), as the API server stores it.

The tracking annotation is kept here: `compare` drops it only when both sides carry the same
value (a different or missing value means the object is not, or not only, ours).
"""

from __future__ import annotations

import base64
from typing import Any

from .quantity import canonical_quantity
from .types import Obj

__all__ = ["SERVER_METADATA", "drop_empty", "normalize"]

SERVER_METADATA = (
    "managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink",
    "deletionTimestamp", "deletionGracePeriodSeconds",
)
_IGNORED_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)
_QUANTITY_SCALARS = frozenset({"sizeLimit", "divisor"})
_LIMIT_RANGE_MAPS = frozenset({"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"})


def _quantity_map(parent: object, last: object, kind: str) -> bool:
    """Whether the map at key `last` (under key `parent`) holds quantities (resource name → amount)."""
    if parent == "resources" and last in ("limits", "requests"):
        return True
    if last in ("capacity", "allocatable") and parent in ("spec", "status"):
        return True
    if last in ("hard", "used") and kind == "ResourceQuota":
        return True
    if last == "overhead" or last == "podFixed":
        return True
    return kind == "LimitRange" and last in _LIMIT_RANGE_MAPS


def _clean(value: Any, parent: object, last: object, kind: str, quantities: bool) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        child_quantities = _quantity_map(parent, last, kind)
        for key, item in value.items():
            if isinstance(item, dict | list):
                cleaned = _clean(item, last, key, kind, False)
                if cleaned:
                    out[key] = cleaned
            elif item is not None:
                out[key] = _scalar(item, child_quantities or key in _QUANTITY_SCALARS)
        return out
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, dict | list):
                items.append(_clean(item, last, None, kind, False))
            elif item is not None:
                items.append(_scalar(item, False))
        return items
    return _scalar(value, quantities)


def _scalar(value: Any, quantity: bool) -> Any:
    if quantity and isinstance(value, str | int | float) and not isinstance(value, bool):
        return canonical_quantity(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fold_string_data(obj: Obj) -> Obj:
    string_data = obj.get("stringData")
    if not isinstance(string_data, dict):
        return obj
    data = dict(obj.get("data") or {})
    for key, value in string_data.items():
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        data[key] = base64.b64encode(text.encode()).decode()
    folded = {k: v for k, v in obj.items() if k != "stringData"}
    folded["data"] = data
    return folded


def normalize(obj: Obj) -> Obj:
    """A copy of `obj` without what never counts as drift (see the module docstring)."""
    kind = str(obj.get("kind", ""))
    if kind == "Secret" and obj.get("apiVersion") == "v1":
        obj = _fold_string_data(obj)
    top = {k: v for k, v in obj.items() if k != "status"}
    meta = top.get("metadata")
    if isinstance(meta, dict):
        meta = {k: v for k, v in meta.items() if k not in SERVER_METADATA}
        annotations = meta.get("annotations")
        if isinstance(annotations, dict) and any(a in annotations for a in _IGNORED_ANNOTATIONS):
            meta["annotations"] = {k: v for k, v in annotations.items() if k not in _IGNORED_ANNOTATIONS}
        top["metadata"] = meta
    cleaned: Obj = _clean(top, None, None, kind, False)
    return cleaned


def drop_empty(obj: Obj) -> Obj:
    """`obj` without null values, empty maps and empty lists (e.g. left behind by ignore rules)."""
    cleaned: Obj = _clean(obj, None, None, "", False)
    return cleaned
