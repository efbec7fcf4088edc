"""Comparing two versions of an object: which paths were added, modified and removed.

Leaves (scalars, atomic values, empty or null containers on both sides) are compared by value.
Granular containers are walked; list items are matched by their identity (`k:`/`v:`), with
duplicated items compared as a whole. A container that appears or disappears is itself added or
removed, with these exceptions for additions, as kube-apiserver's typed (Go struct) objects
behave: a built-in struct field that appears outside a new list item is not itself added (its zero
value already existed), nor is a required built-in list or map (Go encodes it as null), while
other maps and lists, list items, custom-resource structs and everything inside a new list item are.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..schema import SchemaNode
from .fieldset import FieldSet
from .walk import granular, item_pe_lenient, list_mode


class Comparison:
    """`added`, `modified` and `removed` path sets between two objects."""

    __slots__ = ("added", "modified", "removed")

    def __init__(self, added: FieldSet, modified: FieldSet, removed: FieldSet) -> None:
        self.added = added
        self.modified = modified
        self.removed = removed

    def changed(self) -> FieldSet:
        """Modified + added: what an update takes and what conflicts with other owners."""
        return self.modified.union(self.added)

    def same(self) -> bool:
        return not self.added and not self.modified and not self.removed


class _Absent:
    __slots__ = ()


ABSENT: Any = _Absent()


def compare(lhs: dict[str, Any] | None, rhs: dict[str, Any], schema: SchemaNode) -> Comparison:
    """Compare `lhs` (None: an empty object) with `rhs`."""
    a, m, d = FieldSet(), FieldSet(), FieldSet()
    if lhs is None:  # a create: everything is added; the walk builds only that set
        _added_dict(rhs, schema, a, False)
    else:
        _dict(lhs, rhs, schema, a, m, d, False)
    return Comparison(a, m, d)


def scalar_equal(x: Any, y: Any) -> bool:
    if x is y:
        return True
    if isinstance(x, bool) or isinstance(y, bool):
        return type(x) is type(y) and x == y
    return bool(x == y)


def _kind(v: Any) -> str:
    if v is ABSENT:
        return "a"
    if isinstance(v, dict):
        return "d"
    if isinstance(v, list):
        return "l"
    return "n" if v is None else "s"


def _empty(v: Any) -> bool:
    return v is ABSENT or v is None or (isinstance(v, (dict, list)) and not v)


def _entry(lhs: Any, rhs: Any, node: SchemaNode, pe: str, a: FieldSet, m: FieldSet, d: FieldSet,
           is_item: bool, in_new: bool, required: bool = False) -> None:
    lk, rk = _kind(lhs), _kind(rhs)
    container = lhs if lk in ("d", "l") else rhs
    ck = _kind(container)
    mismatch = lk in ("d", "l", "s") and rk in ("d", "l", "s") and lk != rk
    if mismatch:
        m.members.add(pe)
        if lk in ("d", "l") and lhs and granular(node, lhs):
            _descend(lhs, ABSENT, node, pe, a, m, d, in_new)
        if rk in ("d", "l") and rhs and granular(node, rhs):
            _descend(ABSENT, rhs, node, pe, a, m, d, True)
        return
    if ck not in ("d", "l") or not granular(node, container) or (_empty(lhs) and _empty(rhs)):
        # a leaf: scalar, atomic, or empty/null/absent on both sides
        if lk == "a":
            a.members.add(pe)
        elif rk == "a":
            d.members.add(pe)
        elif (ck in ("d", "l") and lhs != rhs) or (ck not in ("d", "l") and not scalar_equal(lhs, rhs)):
            m.members.add(pe)
        return
    child_new = in_new or (lk == "a" and is_item)
    _descend(lhs, rhs, node, pe, a, m, d, child_new)
    if lk == "a":
        if is_item or in_new or node.custom or (node.kind != "struct" and not required):
            a.members.add(pe)
    elif rk == "a":
        d.members.add(pe)


def _descend(lhs: Any, rhs: Any, node: SchemaNode, pe: str, a: FieldSet, m: FieldSet, d: FieldSet,
             in_new: bool) -> None:
    sa, sm, sd = FieldSet(), FieldSet(), FieldSet()
    sample = lhs if isinstance(lhs, (dict, list)) else rhs
    if isinstance(sample, dict):
        _dict(lhs if isinstance(lhs, dict) else {}, rhs if isinstance(rhs, dict) else {}, node, sa, sm, sd, in_new)
    else:
        _list(lhs if isinstance(lhs, list) else [], rhs if isinstance(rhs, list) else [], node, sa, sm, sd, in_new)
    a.attach(pe, sa)
    m.attach(pe, sm)
    d.attach(pe, sd)


def same_json(x: dict[str, Any] | list[Any], y: Any) -> bool:
    """Whether two containers are the same JSON (true is not 1, key order counts): when they
    are, comparing them finds nothing. Python's == (fast, but true == 1) rules most out first."""
    if type(x) is not type(y) or x != y:
        return False
    try:
        return orjson.dumps(x) == orjson.dumps(y)
    except (TypeError, orjson.JSONEncodeError):
        return False


def _dict(lhs: dict[str, Any], rhs: dict[str, Any], node: SchemaNode, a: FieldSet, m: FieldSet, d: FieldSet,
          in_new: bool) -> None:
    for k, lv in lhs.items():
        rv = rhs.get(k, ABSENT)
        if rv is lv or (isinstance(lv, (dict, list)) and same_json(lv, rv)):
            continue
        _entry(lv, rv, node.field(k), "f:" + k, a, m, d, False, in_new)
    required = () if node.custom or in_new else (node.raw.get("required") or ())
    for k, rv in rhs.items():
        if k not in lhs:
            _entry(ABSENT, rv, node.field(k), "f:" + k, a, m, d, False, in_new, k in required)


# ----- the same walk against an absent object (compare(None, rhs)): `_entry(ABSENT, ...)`
# without the modified and removed sets, which stay empty
def _added_entry(rhs: Any, node: SchemaNode, pe: str, a: FieldSet, is_item: bool, in_new: bool,
                 required: bool = False) -> None:
    if not isinstance(rhs, (dict, list)) or not rhs or not granular(node, rhs):
        a.members.add(pe)  # a leaf: scalar, atomic, empty or null
        return
    sa = FieldSet()
    if isinstance(rhs, dict):
        _added_dict(rhs, node, sa, in_new or is_item)
    else:
        _added_list(rhs, node, sa, in_new or is_item)
    a.attach(pe, sa)
    if is_item or in_new or node.custom or (node.kind != "struct" and not required):
        a.members.add(pe)


def _added_dict(rhs: dict[str, Any], node: SchemaNode, a: FieldSet, in_new: bool) -> None:
    required = () if node.custom or in_new else (node.raw.get("required") or ())
    for k, rv in rhs.items():
        _added_entry(rv, node.field(k), "f:" + k, a, False, in_new, k in required)


def _added_list(rhs: list[Any], node: SchemaNode, a: FieldSet, in_new: bool) -> None:
    inode = node.item
    for pe, items in _index(rhs, node, list_mode(node)).items():
        if len(items) >= 2:
            a.members.add(pe)
        else:
            _added_entry(items[0], inode, pe, a, True, in_new)


def _index(items: list[Any], node: SchemaNode, mode: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    keys = node.list_keys
    for item in items:
        pe = item_pe_lenient(item, node, mode, keys)
        if pe is not None:
            out.setdefault(pe, []).append(item)
    return out


def _list(lhs: list[Any], rhs: list[Any], node: SchemaNode, a: FieldSet, m: FieldSet, d: FieldSet,
          in_new: bool) -> None:
    mode = list_mode(node)
    inode = node.item
    li, ri = _index(lhs, node, mode), _index(rhs, node, mode)
    for pe in (*li, *(p for p in ri if p not in li)):
        ll, rl = li.get(pe, ()), ri.get(pe, ())
        if len(ll) >= 2 or len(rl) >= 2:
            if not ll:
                a.members.add(pe)
            elif not rl:
                d.members.add(pe)
            elif list(ll) != list(rl):
                m.members.add(pe)
            continue
        _entry(ll[0] if ll else ABSENT, rl[0] if rl else ABSENT, inode, pe, a, m, d, True, in_new)


__all__ = ["ABSENT", "Comparison", "compare", "scalar_equal"]
