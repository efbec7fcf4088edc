"""Strategic merge patch (`application/strategic-merge-patch+json`) of built-in kinds.

Owns the merge of a patch map into a live object, guided by the schema's SMP metadata
(`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`), and every directive kubectl
sends: `$patch` (replace/delete in maps and list items), `$retainKeys`,
`$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`. Directives never reach the
result. Failures carry the codes kube-apiserver answers with: malformed directives 400, a list
of lists 422, a missing merge key or an unknown `$patch` value 500 without a reason.
Element order is computed by `strategic_order`. Pure: no I/O; inputs are never mutated.
"""

from __future__ import annotations

import copy
from typing import Any

from trueup.localcluster.errors import bad_request
from trueup.localcluster.schema import SchemaNode

from ..jsoncopy import copy_json
from ._common import Category, category, go_fmt, go_type, rejected, same, scalar_key, unreasoned
from .strategic_order import index_of, no_merge_key, normalize, partition

PATCH = "$patch"
RETAIN_KEYS = "$retainKeys"
SET_ORDER = "$setElementOrder"
DELETE_PRIMITIVE = "$deleteFromPrimitiveList"

_BAD_FORMAT = {
    DELETE_PRIMITIVE: "invalid patch format of primitive list",
    SET_ORDER: "invalid patch format of setElementOrder list",
    RETAIN_KEYS: "invalid patch format of retainKeys",
}

_JSON_NAMES: dict[Category, str] = {
    "list": "array",
    "string": "string",
    "number": "number",
    "bool": "bool",
    "map": "object",
    "null": "null",
}


def strategic_merge_patch(
    original: dict[str, Any], patch: dict[str, Any], schema: SchemaNode
) -> dict[str, Any]:
    """Apply a strategic merge patch to `original` (the live object) and return the new object."""
    if patch is None:
        return copy_json(original)
    if not isinstance(patch, dict):
        kind = _JSON_NAMES[category(patch)]
        raise bad_request(f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}")
    if not isinstance(original, dict):
        raise bad_request("invalid JSON document")
    return _merge_map(copy_json(original), copy_json(patch), schema)


# ----- maps


def _merge_map(original: dict[str, Any], patch: dict[str, Any], schema: SchemaNode) -> dict[str, Any]:
    """Merge `patch` into `original`; both are owned by the caller and may be consumed."""
    if PATCH in patch:
        directive = patch[PATCH]
        if directive == "replace":
            rest = {k: v for k, v in patch.items() if k != PATCH}
            return _merge_map({}, rest, schema)
        if directive == "delete":
            return {}
        raise unreasoned(f"unknown patch type: {go_fmt(directive)} in map: {go_fmt(patch)}")

    _apply_retain_keys(original, patch)
    _merge_ordered_lists(original, patch, schema)

    deletions: list[tuple[str, Any]] = []
    for key, value in patch.items():
        if key.startswith(DELETE_PRIMITIVE):
            deletions.append((_extract_key(key, DELETE_PRIMITIVE), value))
            continue
        if value is None:
            original.pop(key, None)
            continue
        sub = schema.field(key)
        if key not in original or category(original[key]) != category(value):
            original[key] = _fresh(value, sub)
        elif isinstance(value, dict):
            if "replace" in sub.patch_strategy:
                original[key] = _fresh(value, sub)
            else:
                original[key] = _merge_map(original[key], value, sub)
        elif isinstance(value, list):
            original[key] = _merge_list_field(original[key], value, sub)
        else:
            original[key] = value

    for target, values in deletions:
        _delete_from_primitive_list(original, target, values)
    return original


def _extract_key(key: str, prefix: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise bad_request(_BAD_FORMAT[prefix])
    return rest


def _apply_retain_keys(original: dict[str, Any], patch: dict[str, Any]) -> None:
    """`$retainKeys`: drop live keys not listed; every non-null patch key must be listed."""
    if RETAIN_KEYS not in patch:
        return
    keys = patch.pop(RETAIN_KEYS)
    if not isinstance(keys, list):
        raise bad_request(_BAD_FORMAT[RETAIN_KEYS])
    allowed = {k for k in keys if isinstance(k, str)}
    for key, value in patch.items():
        if value is None or key.startswith((DELETE_PRIMITIVE, SET_ORDER)):
            continue
        if key not in allowed:
            raise bad_request(_BAD_FORMAT[RETAIN_KEYS])
    for key in [k for k in original if k not in allowed]:
        del original[key]


def _delete_from_primitive_list(original: dict[str, Any], target: str, values: Any) -> None:
    """`$deleteFromPrimitiveList/<list>`: remove those scalar values from the live list."""
    if not isinstance(values, list) or any(isinstance(v, dict | list) for v in values):
        raise bad_request(_BAD_FORMAT[DELETE_PRIMITIVE])
    current = original.get(target)
    if not isinstance(current, list):
        return
    drop = {scalar_key(v) for v in values}
    original[target] = [v for v in current if isinstance(v, dict | list) or scalar_key(v) not in drop]


# ----- $setElementOrder


def _merge_ordered_lists(original: dict[str, Any], patch: dict[str, Any], schema: SchemaNode) -> None:
    """Merge every list named by a `$setElementOrder/<list>` directive and put it in that order."""
    for key in [k for k in patch if k.startswith(SET_ORDER)]:
        order = patch.pop(key)
        target = _extract_key(key, SET_ORDER)
        sub = schema.field(target)
        merge_key = sub.patch_merge_key or ""
        _check_order_list(order, merge_key)
        found_live, found_patch = target in original, target in patch
        live, patch_list = original.get(target), patch.get(target)
        if found_patch and patch_list is None:
            continue  # the list is deleted; the main loop does it
        if found_live and not isinstance(live, list):
            raise unreasoned(f"expected a []interface {{}}, but received a {go_type(live)}")
        if found_patch and not isinstance(patch_list, list):
            raise unreasoned(f"expected a []interface {{}}, but received a {go_type(patch_list)}")
        live_items: list[Any] = live if isinstance(live, list) else []
        patch_items: list[Any] = patch_list if isinstance(patch_list, list) else []
        _check_patch_follows_order(patch_items, order, merge_key)
        if found_live and not found_patch:
            merged = live_items
        elif found_patch and not found_live:
            merged = _fresh_list(patch_items, sub)
        elif found_live and found_patch:
            merged = _merge_list_field(copy.copy(live_items), patch_items, sub)
        else:
            continue
        if live_items or patch_items:
            _element_kind(live_items, patch_items)
        present, absent = partition(merged, order, merge_key)
        original[target] = normalize(present, absent, order, live_items, merge_key)
        patch.pop(target, None)


def _check_order_list(order: Any, merge_key: str) -> None:
    if not isinstance(order, list):
        raise bad_request(_BAD_FORMAT[SET_ORDER])
    for entry in order:
        if merge_key:
            ok = isinstance(entry, dict) and merge_key in entry
        else:
            ok = not isinstance(entry, dict | list)
        if not ok:
            raise bad_request(_BAD_FORMAT[SET_ORDER])


def _check_patch_follows_order(patch_items: list[Any], order: list[Any], merge_key: str) -> None:
    """Patch items (deletions aside) must appear in `$setElementOrder` order."""
    if not patch_items or not order:
        return
    items = patch_items
    if merge_key:
        items = [i for i in patch_items if not (isinstance(i, dict) and i.get(PATCH) == "delete")]
    p = s = 0
    while p < len(items) and s < len(order):
        if isinstance(items[p], dict) and PATCH in items[p]:
            p += 1
            continue
        if index_of([order[s]], items[p], merge_key) == 0:
            p += 1
        s += 1
    if p < len(items):
        raise unreasoned(
            f"The order in patch list:\n{go_fmt(patch_items)}\n doesn't match {SET_ORDER} list:\n"
            f"{go_fmt(order)}\n"
        )


# ----- lists


def _merge_list_field(live: list[Any], patch: list[Any], schema: SchemaNode) -> list[Any]:
    if "merge" in schema.patch_strategy:
        return _merge_slice(live, patch, schema)
    return _fresh_list(patch, schema)


def _element_kind(live: list[Any], patch: list[Any]) -> Category:
    """The common JSON type of all items; lists of lists are refused (422)."""
    kinds = {category(v) for v in (*live, *patch)}
    first = category((live or patch)[0])
    if first == "list":
        raise rejected()
    if len(kinds) > 1:
        raise unreasoned(f"list element types are not identical: {go_fmt([live, patch])}")
    return first


def _merge_slice(live: list[Any], patch: list[Any], schema: SchemaNode) -> list[Any]:
    """Merge two lists of a `merge` strategy field and put the result in order."""
    if not live and not patch:
        return []
    if _element_kind(live, patch) != "map":
        merged = _dedupe([*live, *patch])
        present, absent = partition(merged, patch, "")
        return normalize(present, absent, patch, live, "")
    merge_key = schema.patch_merge_key or ""
    if not merge_key:
        name = schema.item.def_name.rsplit(".", 1)[-1]
        raise unreasoned(f"cannot merge lists without merge key for {name}")
    live, patch = _special_items(live, patch, merge_key, schema.item)
    merged = list(live)
    for item in patch:
        if merge_key not in item:
            raise no_merge_key(item, merge_key)
        at = index_of(merged, item, merge_key)
        if at >= 0:
            merged[at] = _merge_map(merged[at], item, schema.item)
        else:
            merged.append(_fresh(item, schema.item))
    present, absent = partition(merged, patch, merge_key)
    return normalize(present, absent, patch, live, merge_key)


def _special_items(
    live: list[Any], patch: list[Any], merge_key: str, item_schema: SchemaNode
) -> tuple[list[Any], list[Any]]:
    """Apply `$patch` list items: delete matching live items, or replace the whole list."""
    rest: list[Any] = []
    replace = False
    for item in patch:
        if PATCH not in item:
            rest.append(item)
            continue
        directive = item[PATCH]
        if directive == "delete":
            if merge_key not in item:
                raise no_merge_key(item, merge_key)
            live = [v for v in live if not (isinstance(v, dict) and same(v.get(merge_key), item[merge_key]))]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise unreasoned("merging lists cannot yet be specified in the patch")
        else:
            raise unreasoned(f"unknown patch type: {go_fmt(directive)} in map: {go_fmt(item)}")
    if replace:
        return [_fresh(v, item_schema) for v in rest], []
    return live, rest


def _dedupe(items: list[Any]) -> list[Any]:
    seen: set[tuple[str, Any]] = set()
    out: list[Any] = []
    for v in items:
        k = scalar_key(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


# ----- values with nothing live to merge into


def _fresh(value: Any, schema: SchemaNode) -> Any:
    """A patch value taking a place of its own: directives applied against nothing, nulls dropped."""
    if isinstance(value, dict):
        return _merge_map({}, value, schema)
    if isinstance(value, list):
        return _fresh_list(value, schema)
    return value


def _fresh_list(items: list[Any], schema: SchemaNode) -> list[Any]:
    if "merge" in schema.patch_strategy:
        return _merge_slice([], items, schema)
    # A replaced list: items carrying `$patch` are dropped, the rest cleaned of directives.
    return [_fresh(v, schema.item) for v in items if not (isinstance(v, dict) and PATCH in v)]
