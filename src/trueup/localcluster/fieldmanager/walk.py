"""Walking an object alongside its schema: list item identities, the set of fields an object
sets (`fields_of`), checks of an apply body, and removal of paths from an object.

Shape rules (structured-merge-diff, as kube-apiserver configures it):
- a dict is granular under a struct, a map or unknown (`any`) content, unless `x-kubernetes-map-type:
  atomic`; a list is granular only when its schema says set or map (with keys); lists in unknown
  content are atomic; everything else (scalars, atomic values, type mismatches) is one leaf.
- map-list items are identified by `k:{key fields, absent → schema default}`, set items by `v:<json>`.
"""

from __future__ import annotations

from typing import Any

from ..jsoncopy import JsonMemo
from ..schema import ANY, SchemaNode
from .fieldset import FieldSet, Path, compact_json, path_string


class TypedError(ValueError):
    """A body that cannot be made a typed object (duplicate or missing list keys, unknown fields)."""


def list_mode(node: SchemaNode) -> str:
    """atomic | set | map, for a list node (anything else is atomic)."""
    return node.list_mode


def granular(node: SchemaNode, value: Any) -> bool:
    """Whether `value` (a dict or list) is tracked field by field / item by item under `node`."""
    if isinstance(value, dict):
        return node.dict_granular
    if isinstance(value, list):
        return node.list_granular
    return False


def declared(node: SchemaNode, name: str) -> bool:
    """A named struct field (not a map key, not unknown content)."""
    return node.kind == "struct" and name in node.properties


def child_node(node: SchemaNode, pe: str) -> SchemaNode:
    if pe[:2] == "f:":
        return node.field(pe[2:]) if node.kind in ("struct", "map") else ANY
    return node.item if node.kind == "list" else ANY


def item_pe(item: Any, lnode: SchemaNode, mode: str, list_keys: tuple[str, ...] | None = None) -> str:
    """The path element of a list item; TypedError when a key is missing and has no default.

    `list_keys` (the node's keys) may be passed by callers walking many items of one list.
    """
    if mode == "set":
        return "v:" + compact_json(item)
    if not isinstance(item, dict):
        raise TypedError("associative list with keys has an element that is not a map type")
    keys: dict[str, Any] = {}
    defaults: dict[str, Any] | None = None
    for k in lnode.list_keys if list_keys is None else list_keys:
        v = item.get(k)
        if v is None:
            if defaults is None:
                defaults = lnode.key_defaults
            if k not in defaults:
                raise TypedError(
                    f'associative list with keys has an element that omits key field "{k}" '
                    "(and doesn't have default value)"
                )
            v = defaults[k]
        keys[k] = v
    return "k:" + compact_json(keys)


def item_pe_lenient(item: Any, lnode: SchemaNode, mode: str,
                    list_keys: tuple[str, ...] | None = None) -> str | None:
    try:
        return item_pe(item, lnode, mode, list_keys)
    except TypedError:
        return None


# ----- the set an object sets (apply semantics)
def fields_of(obj: dict[str, Any], schema: SchemaNode) -> FieldSet:
    """The paths `obj` sets: scalars, atomic values, every list item, map keys, empty `{}`/null.

    Non-empty struct fields are not members themselves (no `.` on `f:spec`); metadata fields
    that are never owned are not removed here (see `managed.strip_meta`).
    """
    out = FieldSet()
    _dict_fields(obj, schema, out)
    return out


def _dict_fields(value: dict[str, Any], node: SchemaNode, out: FieldSet) -> None:
    props = node.properties if node.kind == "struct" else {}
    members = out.members
    for key, v in value.items():
        pe = "f:" + key
        if isinstance(v, dict):
            child = node.field(key)
            if v and child.dict_granular:
                sub = FieldSet()
                _dict_fields(v, child, sub)
                out.attach(pe, sub)
                if key not in props:
                    members.add(pe)
                continue
        elif isinstance(v, list):
            child = node.field(key)
            if child.list_granular:
                if v:
                    sub = FieldSet()
                    _list_fields(v, child, sub)
                    out.attach(pe, sub)
                if key not in props:
                    members.add(pe)
                continue
        members.add(pe)


def _list_fields(value: list[Any], lnode: SchemaNode, out: FieldSet) -> None:
    mode = list_mode(lnode)
    inode = lnode.item
    keys = lnode.list_keys
    for item in value:
        pe = item_pe_lenient(item, lnode, mode, keys)
        if pe is None:
            continue
        if isinstance(item, dict) and item and inode.dict_granular:
            sub = FieldSet()
            _dict_fields(item, inode, sub)
            out.attach(pe, sub)
        out.members.add(pe)


# ----- checks of an apply body (and, in the same walk, the set it applies)
def check_config(config: dict[str, Any], schema: SchemaNode) -> list[str]:
    """Errors that make an apply body untypable, worded as structured-merge-diff does."""
    return typed_fields(config, schema)[0]


# Appliers send each body twice (a dry run, then the apply) and again on every re-sync: the
# walk's result is memoised per (schema, body JSON). Sets are never changed once built. 4,096
# entries (a set is a few KiB): a sync of up to ~4,000 objects finds its dry run's walks.
_TYPED: JsonMemo[tuple[tuple[str, ...], FieldSet]] = JsonMemo(
    max_entries=4096, max_key_bytes=16 * 1024 * 1024, max_text=64 * 1024)


def typed_fields(config: dict[str, Any], schema: SchemaNode) -> tuple[list[str], FieldSet]:
    """(check_config's errors, fields_of(config)) from one walk; the set is meaningful only
    when there are no errors."""
    key = _TYPED.key(schema, config)
    if key is None:
        return _typed_fields(config, schema)
    hit = _TYPED.get(key)
    if hit is None:
        errs, out = _typed_fields(config, schema)
        _TYPED.put(key, (tuple(errs), out))
        return errs, out
    return list(hit[0]), hit[1]


def _typed_fields(config: dict[str, Any], schema: SchemaNode) -> tuple[list[str], FieldSet]:
    errs: list[str] = []
    out = FieldSet()
    _typed_dict(config, schema, (), errs, out)
    return errs, out


def _typed_dict(value: dict[str, Any], node: SchemaNode, path: Path, errs: list[str], out: FieldSet) -> None:
    strict = node.closed_builtin
    props = node.properties if node.kind == "struct" else {}
    members = out.members
    for key, v in value.items():
        pe = "f:" + key
        if strict and key not in props:
            errs.append(f"{path_string((*path, pe))}: field not declared in schema")
            continue
        if isinstance(v, dict):
            child = node.field(key)
            if v and child.dict_granular:
                sub = FieldSet()
                _typed_dict(v, child, (*path, pe), errs, sub)
                out.attach(pe, sub)
                if key not in props:
                    members.add(pe)
                continue
        elif isinstance(v, list):
            child = node.field(key)
            if child.list_granular:
                if v:
                    sub = FieldSet()
                    _typed_list(v, child, (*path, pe), errs, sub)
                    out.attach(pe, sub)
                if key not in props:
                    members.add(pe)
                continue
        members.add(pe)


def _typed_list(v: list[Any], node: SchemaNode, path: Path, errs: list[str], out: FieldSet) -> None:
    mode = node.list_mode
    inode = node.item
    seen: set[str] = set()
    keys = node.list_keys
    for i, item in enumerate(v):
        try:
            pe = item_pe(item, node, mode, keys)
        except TypedError as e:
            errs.append(f"{path_string(path)}: element {i}: {e}")
            continue
        if pe in seen:
            errs.append(f"{path_string(path)}: duplicate entries for key {path_string((pe,))}")
            continue
        seen.add(pe)
        if isinstance(item, dict) and item and inode.dict_granular:
            sub = FieldSet()
            _typed_dict(item, inode, (*path, pe), errs, sub)
            out.attach(pe, sub)
        out.members.add(pe)


# ----- removing paths
def remove_items(value: Any, fs: FieldSet, node: SchemaNode) -> Any:
    """`value` without the subtrees at the members of `fs`; containers are copied only on change."""
    if isinstance(value, dict) and granular(node, value):
        out: dict[str, Any] = {}
        changed = False
        for k, v in value.items():
            pe = "f:" + k
            if pe in fs.members:
                changed = True
                continue
            sub = fs.children.get(pe)
            if sub:
                nv = remove_items(v, sub, node.field(k))
                changed = changed or nv is not v
                out[k] = nv
            else:
                out[k] = v
        return out if changed else value
    if isinstance(value, list) and granular(node, value):
        mode = list_mode(node)
        inode = node.item
        items: list[Any] = []
        changed = False
        keys = node.list_keys
        for item in value:
            ipe = item_pe_lenient(item, node, mode, keys)
            if ipe is not None and ipe in fs.members:
                changed = True
                continue
            sub = fs.children.get(ipe) if ipe is not None else None
            if sub:
                nv = remove_items(item, sub, inode)
                changed = changed or nv is not item
                items.append(nv)
            else:
                items.append(item)
        return items if changed else value
    return value


def ensure_named_fields_are_members(fs: FieldSet, node: SchemaNode) -> FieldSet:
    """`fs` where every named struct field with owned children counts as owned itself."""
    if not fs.children:
        return fs
    members = set(fs.members)
    children: dict[str, FieldSet] = {}
    for pe, sub in fs.children.items():
        if pe[:2] == "f:" and declared(node, pe[2:]):
            members.add(pe)
        children[pe] = ensure_named_fields_are_members(sub, child_node(node, pe))
    return FieldSet(members, children)


__all__ = [
    "TypedError",
    "check_config",
    "child_node",
    "declared",
    "ensure_named_fields_are_members",
    "fields_of",
    "granular",
    "item_pe",
    "item_pe_lenient",
    "list_mode",
    "remove_items",
    "typed_fields",
]
