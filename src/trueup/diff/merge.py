"""Offline ("legacy") target: desired laid over live, so only fields present in desired count.

Without a server-side apply dry run we cannot know the API server's defaults or other managers'
fields, so, as Argo CD's legacy diff, every field only in live is assumed to be one of those:
desired values replace live ones key by key, list-map items (containers by name, …) are matched by
key (live-only items are kept), other lists item by item when both have the same length (so
defaults inside their items are kept too), else replaced. Comparing live with this target shows
exactly the fields desired sets to a different value or adds.
"""

from __future__ import annotations

from typing import Any

from .listkeys import item_key, list_key_fields

__all__ = ["overlay"]


def overlay(live: Any, desired: Any, field_name: str = "") -> Any:
    """`desired` laid over `live` (neither is modified)."""
    if isinstance(live, dict) and isinstance(desired, dict):
        out = dict(live)
        for key, value in desired.items():
            out[key] = overlay(live[key], value, key) if key in live else value
        return out
    if isinstance(live, list) and isinstance(desired, list):
        fields = list_key_fields(field_name, live, desired)
        if fields is not None:
            wanted = {item_key(item, fields): item for item in desired}
            merged: list[Any] = []
            for item in live:
                match = wanted.pop(item_key(item, fields), None)
                merged.append(item if match is None else overlay(item, match))
            merged.extend(wanted.values())
            return merged
        if len(live) == len(desired):
            return [overlay(old, new) for old, new in zip(live, desired, strict=True)]
    return desired
