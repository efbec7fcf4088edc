"""Masking: Secret values and caller-marked sensitive fields never leave the diff package.

Each masked value becomes a fixed mask that says only whether the two sides are equal:
equal values (or a value present on one side only) → `++++++++`; different values → `--------`
on the live side and `++++++++` on the desired side. Never the value, never its length. Masking
happens after ignore rules and before the comparison, so the comparison, the changed paths, the
text/JSON/Markdown outputs all see masks only.
"""

from __future__ import annotations

from typing import Any

from trueup.model import ResourceKey

from .paths import parse_pointer
from .types import Obj

__all__ = ["MASK", "MASK_CHANGED", "mask_sides"]

MASK = "++++++++"
MASK_CHANGED = "--------"
_SECRET_FIELDS = ("data", "stringData")


def _masks(before: Any, after: Any, present_before: bool, present_after: bool) -> tuple[str, str]:
    if present_before and present_after and before != after:
        return MASK_CHANGED, MASK
    return MASK, MASK


def _mask_map(before: Obj | None, after: Obj | None, field: str) -> None:
    """Mask each key of the map `field` of both objects (modified in place: they are private copies)."""
    left = before.get(field) if before else None
    right = after.get(field) if after else None
    left = left if isinstance(left, dict) else None
    right = right if isinstance(right, dict) else None
    if left is None and right is None:
        return
    new_left: dict[str, Any] = {}
    new_right: dict[str, Any] = {}
    for key in dict.fromkeys([*(left or {}), *(right or {})]):
        in_left, in_right = left is not None and key in left, right is not None and key in right
        mask_left, mask_right = _masks(left and left.get(key), right and right.get(key), in_left, in_right)
        if in_left:
            new_left[key] = mask_left
        if in_right:
            new_right[key] = mask_right
    if before is not None and left is not None:
        before[field] = new_left
    if after is not None and right is not None:
        after[field] = new_right


_ABSENT = object()


def _get(value: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return _ABSENT
    return value


def _set(value: Any, tokens: list[str], new: Any) -> Any:
    if not tokens:
        return new
    head, rest = tokens[0], tokens[1:]
    if isinstance(value, dict):
        copy = dict(value)
        copy[head] = _set(value[head], rest, new)
        return copy
    items = list(value)
    items[int(head)] = _set(value[int(head)], rest, new)
    return items


def _mask_pointer(before: Obj | None, after: Obj | None, pointer: str) -> tuple[Obj | None, Obj | None]:
    tokens = parse_pointer(pointer)
    if not tokens:
        return before, after
    left = _get(before, tokens) if before is not None else _ABSENT
    right = _get(after, tokens) if after is not None else _ABSENT
    mask_left, mask_right = _masks(left, right, left is not _ABSENT, right is not _ABSENT)
    if left is not _ABSENT:
        before = _set(before, tokens, mask_left)
    if right is not _ABSENT:
        after = _set(after, tokens, mask_right)
    return before, after


def is_secret(key: ResourceKey) -> bool:
    return key.group == "" and key.kind == "Secret"


def mask_sides(
    key: ResourceKey, before: Obj | None, after: Obj | None, pointers: tuple[str, ...] = (),
) -> tuple[Obj | None, Obj | None]:
    """Both sides with Secret data and the fields at `pointers` masked (new top-level objects)."""
    before = dict(before) if before is not None else None
    after = dict(after) if after is not None else None
    if is_secret(key):
        for field in _SECRET_FIELDS:
            _mask_map(before, after, field)
    for pointer in pointers:
        before, after = _mask_pointer(before, after, pointer)
    return before, after
