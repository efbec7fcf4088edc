"""Structured output: every resource's diff as JSON (`trueup diff -o json`, the API).

`{"summary": {"total", "Synced", "OutOfSync", "Missing", "Extra"}, "resources": [ResourceDiff.to_dict()]}`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from .types import Obj, ResourceDiff, SyncStatus

__all__ = ["render_json", "summarize"]


def summarize(diffs: Iterable[ResourceDiff]) -> dict[str, int]:
    """Resource counts per status, and the total."""
    counts = {str(status): 0 for status in SyncStatus}
    total = 0
    for diff in diffs:
        counts[str(diff.status)] += 1
        total += 1
    return {"total": total, **counts}


def render_json(diffs: Iterable[ResourceDiff], include_objects: bool = False, indent: int | None = 2) -> str:
    items = list(diffs)
    document: Obj = {"summary": summarize(items), "resources": [d.to_dict(include_objects) for d in items]}
    return json.dumps(document, indent=indent, sort_keys=False, ensure_ascii=False)
