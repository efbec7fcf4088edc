"""`FieldSet`: a set of field paths, as structured-merge-diff keeps them, and its fieldsV1 form.

A path is a tuple of path elements, each kept as its fieldsV1 key string:

    f:<name>      struct field or map key, verbatim
    k:<json>      map-list item: compact JSON object of its key fields, sorted by name
    v:<json>      set item: compact JSON of the value
    i:<n>         list index (read, never produced for typed schemas)

The set is a tree: `members` holds the elements whose path ends here (owned), `children`
holds the subtrees. An element can be both (fieldsV1 `"."`: the node itself is owned, besides
its listed children). Sets are treated as immutable once built: operations return new sets and
share untouched subtrees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import orjson

Path = tuple[str, ...]

_RANK = {"f": 0, "k": 1, "v": 2, "i": 3}


def pe_order(pe: str) -> tuple[int, str]:
    """Emit order of path elements: `f:` (byte order), then `k:`, `v:`, `i:`."""
    return (_RANK.get(pe[:1], 4), pe[2:])


def compact_json(value: Any) -> str:
    """Compact JSON with sorted keys, no ASCII escaping (as Go encodes key values)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # ints beyond 64 bits
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _go_string(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return compact_json(value)


def pe_string(pe: str) -> str:
    """A path element as conflict messages print it: `.name`, `[name="x"]`, `[="v"]`, `[0]`."""
    kind, rest = pe[:1], pe[2:]
    if kind == "f":
        return "." + rest
    if kind == "k":
        try:
            keys = json.loads(rest)
        except ValueError:
            return "[" + rest + "]"
        return "[" + ",".join(f"{k}={_go_string(v)}" for k, v in sorted(keys.items())) + "]"
    if kind == "v":
        try:
            return "[=" + _go_string(json.loads(rest)) + "]"
        except ValueError:
            return "[=" + rest + "]"
    return "[" + rest + "]"


def path_string(path: Path) -> str:
    return "".join(pe_string(pe) for pe in path)


def _canonical_pe(key: str) -> str | None:
    """The canonical form of a fieldsV1 key; None for unknown prefixes (ignored)."""
    prefix = key[:2]
    if prefix == "f:":
        return key
    if prefix in ("k:", "v:"):
        value = json.loads(key[2:])  # ValueError on malformed JSON: the caller rejects the set
        if prefix == "k:" and not isinstance(value, dict):
            raise ValueError(f"invalid key path element {key!r}")
        return prefix + compact_json(value)
    if prefix == "i:":
        return "i:" + str(int(key[2:]))
    return None


class FieldSet:
    """A set of paths (see module docstring)."""

    __slots__ = ("children", "members")

    def __init__(self, members: set[str] | None = None, children: dict[str, FieldSet] | None = None) -> None:
        self.members: set[str] = members if members is not None else set()
        self.children: dict[str, FieldSet] = children if children is not None else {}

    # ----- building (only while a set is being constructed)
    def child(self, pe: str) -> FieldSet:
        sub = self.children.get(pe)
        if sub is None:
            sub = self.children[pe] = FieldSet()
        return sub

    def insert(self, path: Path) -> None:
        node = self
        for pe in path[:-1]:
            node = node.child(pe)
        node.members.add(path[-1])

    def attach(self, pe: str, sub: FieldSet) -> None:
        """Add `sub` as the subtree under `pe` if it is not empty."""
        if sub.members or sub:
            self.children[pe] = sub

    @classmethod
    def of(cls, *paths: Path) -> FieldSet:
        out = cls()
        for p in paths:
            out.insert(p)
        return out

    # ----- queries
    def __bool__(self) -> bool:
        if self.members:
            return True
        # `c.members or c`: most subtrees own something themselves, so no recursion is needed;
        # a plain loop, not any(generator): this runs for every node of every set operation
        for c in self.children.values():  # noqa: SIM110
            if c.members or c:
                return True
        return False

    def empty(self) -> bool:
        return not self

    def has(self, path: Path) -> bool:
        node: FieldSet | None = self
        for pe in path[:-1]:
            node = node.children.get(pe) if node is not None else None
            if node is None:
                return False
        return node is not None and path[-1] in node.members

    def paths(self, prefix: Path = ()) -> Iterator[Path]:
        """Every path in the set, in structured-merge-diff order: a node's members, then its children."""
        for pe in sorted(self.members, key=pe_order):
            yield (*prefix, pe)
        for pe in sorted(self.children, key=pe_order):
            yield from self.children[pe].paths((*prefix, pe))

    def __iter__(self) -> Iterator[Path]:
        return self.paths()

    def __len__(self) -> int:
        return len(self.members) + sum(len(c) for c in self.children.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSet):
            return NotImplemented
        return self.to_fields_v1() == other.to_fields_v1()

    def __repr__(self) -> str:
        return f"FieldSet({compact_json(self.to_fields_v1())})"

    # ----- algebra (results share untouched subtrees with the operands)
    def union(self, other: FieldSet) -> FieldSet:
        if not other:
            return self
        if not self:
            return other
        children = dict(self.children)
        for pe, oc in other.children.items():
            mine = children.get(pe)
            children[pe] = oc if mine is None else mine.union(oc)
        return FieldSet(self.members | other.members, children)

    def difference(self, other: FieldSet) -> FieldSet:
        """Members of `other` are removed; subtrees are subtracted node by node."""
        if not other or not self:
            return self
        children: dict[str, FieldSet] = {}
        for pe, mine in self.children.items():
            oc = other.children.get(pe)
            sub = mine if oc is None else mine.difference(oc)
            if sub:
                children[pe] = sub
        return FieldSet(self.members - other.members, children)

    def recursive_difference(self, other: FieldSet) -> FieldSet:
        """Like difference, but a member of `other` also removes everything below it."""
        if not other or not self:
            return self
        children: dict[str, FieldSet] = {}
        for pe, mine in self.children.items():
            if pe in other.members:
                continue
            oc = other.children.get(pe)
            sub = mine if oc is None else mine.recursive_difference(oc)
            if sub:
                children[pe] = sub
        return FieldSet(self.members - other.members, children)

    def intersection(self, other: FieldSet) -> FieldSet:
        if not other or not self:
            return FieldSet()
        children: dict[str, FieldSet] = {}
        for pe, mine in self.children.items():
            oc = other.children.get(pe)
            if oc is not None:
                sub = mine.intersection(oc)
                if sub:
                    children[pe] = sub
        return FieldSet(self.members & other.members, children)

    # ----- fieldsV1
    def to_fields_v1(self) -> dict[str, Any]:
        """The fieldsV1 object: `.` first, then `f:` (byte order), `k:`, `v:`, `i:`."""
        children = self.children
        keys = sorted(self.members | children.keys()) if children else sorted(self.members)
        if keys and keys[-1][:1] != "f":
            # `f:` < `i:` < `k:` < `v:` in byte order; pe_order puts `i:` last
            keys.sort(key=pe_order)
        if not children:
            return {pe: {} for pe in keys}
        out: dict[str, Any] = {}
        for pe in keys:
            sub = children.get(pe)
            if sub is None or not (sub.members or sub):
                out[pe] = {}
            elif pe in self.members:
                out[pe] = {".": {}, **sub.to_fields_v1()}
            else:
                out[pe] = sub.to_fields_v1()
        return out

    @classmethod
    def from_fields_v1(cls, data: Any) -> FieldSet:
        """Parse a fieldsV1 object. Unknown prefixes are ignored; malformed input raises ValueError."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValueError("fieldsV1 must be an object")
        out = cls()
        for key, value in data.items():
            if key == ".":
                continue
            pe = _canonical_pe(str(key))
            if pe is None:
                continue
            if not isinstance(value, dict):
                raise ValueError(f"fieldsV1 value of {key!r} must be an object")
            if not value or "." in value:
                out.members.add(pe)
            sub = cls.from_fields_v1(value) if value else None
            if sub:
                existing = out.children.get(pe)
                out.children[pe] = sub if existing is None else existing.union(sub)
        return out


__all__ = ["FieldSet", "Path", "compact_json", "path_string", "pe_order", "pe_string"]
