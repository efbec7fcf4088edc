"""Which live objects belong to an app, decided from the object alone (pure).

An object is tracked when its `trueup.dev/tracking-id` annotation names the object itself:
`<app>:<group>/<kind>:<namespace>/<name>` equal to the object's own identity (the rule
`sync.gather_live` applies). A controller copying annotations onto what it creates (the
deployment controller onto ReplicaSets) does not make those copies part of the app. Hooks are
outside the app's resources and are not tracked either.
"""

from __future__ import annotations

import sys
from typing import Any

from trueup.model import ResourceKey
from trueup.sync.plan import TRACKING_ANNOTATION, is_hook, tracking_id

Obj = dict[str, Any]


def tracked_app(obj: Obj, group: str, kind: str) -> str | None:
    """The app an object of this group/kind belongs to, or None when it is not trueup-tracked."""
    meta = obj.get("metadata") or {}
    value = (meta.get("annotations") or {}).get(TRACKING_ANNOTATION)
    if not isinstance(value, str):
        return None
    app = value.partition(":")[0]
    if not app:
        return None
    key = ResourceKey(group, kind, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
    if value != tracking_id(app, key) or is_hook(obj):
        return None
    return app


def deep_size(obj: Any, seen: set[int] | None = None) -> int:
    """Bytes held by a decoded JSON value (dicts, lists, strings, numbers), each object counted once."""
    seen = set() if seen is None else seen
    stack = [obj]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return total
