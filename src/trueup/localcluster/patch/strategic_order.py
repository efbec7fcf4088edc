"""Element order of strategic-merge-patched lists.

After a merge list is merged, its items are put in order: items named by the patch (or by its
`$setElementOrder/<list>` directive) follow that order, items only the live object has keep their
live order, and the two runs are interleaved by their positions in the live list. This is the
order kube-apiserver produces; kubectl relies on it to keep containers where the manifest has them.
Pure: no I/O.
"""

from __future__ import annotations

import json
from typing import Any

from trueup.localcluster.errors import APIError

from ._common import go_fmt, same, scalar_key, unreasoned


def no_merge_key(item: dict[str, Any], merge_key: str) -> APIError:
    return unreasoned(f"map: {go_fmt(item)} does not contain declared merge key: {merge_key}")


def index_of(order: list[Any], item: Any, merge_key: str) -> int:
    """Position of `item` in `order`, matching maps on `merge_key`; -1 when absent."""
    if merge_key:
        if not isinstance(item, dict) or merge_key not in item:
            return -1
        wanted = item[merge_key]
        for i, candidate in enumerate(order):
            if isinstance(candidate, dict) and merge_key in candidate and same(candidate[merge_key], wanted):
                return i
        return -1
    for i, candidate in enumerate(order):
        if same(candidate, item):
            return i
    return -1


def _ident(value: Any) -> tuple[str, Any]:
    if isinstance(value, dict | list):
        return ("json", json.dumps(value, sort_keys=True))
    return scalar_key(value)


class _Positions:
    """First position of each item (by merge key value, or by value) in an order list."""

    def __init__(self, order: list[Any], merge_key: str) -> None:
        self.merge_key = merge_key
        self.at: dict[tuple[str, Any], int] = {}
        for i, item in enumerate(order):
            ident = self._of(item)
            if ident is not None:
                self.at.setdefault(ident, i)

    def _of(self, item: Any) -> tuple[str, Any] | None:
        if self.merge_key:
            if not isinstance(item, dict) or self.merge_key not in item:
                return None
            return _ident(item[self.merge_key])
        return _ident(item)

    def __call__(self, item: Any) -> int:
        ident = self._of(item)
        return -1 if ident is None else self.at.get(ident, -1)


def partition(merged: list[Any], by: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """Split merged items into (present in `by`, absent from `by`), keeping their order."""
    present: list[Any] = []
    absent: list[Any] = []
    if merge_key:
        position = _Positions(by, merge_key)
        for item in merged:
            if not isinstance(item, dict) or merge_key not in item:
                raise no_merge_key(item if isinstance(item, dict) else {}, merge_key)
            (present if position(item) >= 0 else absent).append(item)
        return present, absent
    wanted = {scalar_key(v) for v in by if not isinstance(v, dict | list)}
    for item in merged:
        hit = not isinstance(item, dict | list) and scalar_key(item) in wanted
        (present if hit else absent).append(item)
    return present, absent


def _sort_by(items: list[Any], order: list[Any], merge_key: str) -> list[Any]:
    """Stable sort by position in `order`; items `order` lacks go last, in their current order."""
    position = _Positions(order, merge_key)
    keyed = [(position(item), n, item) for n, item in enumerate(items)]
    found = sorted((k for k in keyed if k[0] >= 0), key=lambda k: (k[0], k[1]))
    missing = [k for k in keyed if k[0] < 0]
    return [k[2] for k in found + missing]


def _require_keys(merge_key: str, *lists: list[Any]) -> None:
    for items in lists:
        for item in items:
            if not isinstance(item, dict) or merge_key not in item:
                raise no_merge_key(item if isinstance(item, dict) else {}, merge_key)


def normalize(
    patch_items: list[Any],
    server_only: list[Any],
    patch_order: list[Any],
    server_order: list[Any],
    merge_key: str,
) -> list[Any]:
    """Order patch items by `patch_order`, server-only items by `server_order`, then interleave."""
    if merge_key:
        _require_keys(merge_key, patch_items, patch_order, server_only, server_order)
    right = _sort_by(patch_items, patch_order, merge_key)
    left = _sort_by(server_only, server_order, merge_key)
    position = _Positions(server_order, merge_key)
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li, ri = position(left[i]), position(right[j])
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out
