"""A read-only view over one JSON-schema node, with Kubernetes' list/map/patch semantics.

Strategic merge patch, server-side apply (managedFields) and field validation all walk an
object alongside its schema. They ask the same questions: is this a struct, a map, a list?
Which kind of list (atomic, set, map keyed by which fields)? Is this map atomic? What is the
SMP patch strategy and merge key? `SchemaNode` answers them from the OpenAPI extensions
(`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`,
`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`,
`x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`).

Rules (structured-merge-diff, as kube-apiserver applies them):
- list type: `x-kubernetes-list-type` if present; else, for built-in kinds, patch strategy
  `merge` makes a map-list keyed by the merge key (a set when there is no key); else atomic.
  Custom resources: unmarked lists are atomic.
- maps and structs are granular unless `x-kubernetes-map-type: atomic`.
- missing list-map keys take schema defaults (`protocol: TCP` on ports), see `KEY_DEFAULTS`.

Nodes are created lazily and cached per parent, and each answers from attributes computed
once when it is created (the raw schema is never modified), so walking is cheap. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

NodeKind = Literal["struct", "map", "list", "scalar", "any"]
ListType = Literal["atomic", "set", "map"]

# Defaults of list-map key fields that the schema documents only in prose.
KEY_DEFAULTS: dict[str, dict[str, Any]] = {
    "io.k8s.api.core.v1.ContainerPort": {"protocol": "TCP"},
    "io.k8s.api.core.v1.ServicePort": {"protocol": "TCP"},
    "io.k8s.api.core.v1.EndpointPort": {"protocol": "TCP"},
    "io.k8s.api.discovery.v1.EndpointPort": {"protocol": "TCP"},
}

_SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean"})


class SchemaNode:
    """One node of a schema. `kind` is struct, map, list, scalar or any (unknown content)."""

    __slots__ = (
        "_cache",
        "_item",
        "_resolve",
        "_value_node",
        "atomic",
        "closed_builtin",
        "custom",
        "def_name",
        "dict_granular",
        "embedded_resource",
        "kind",
        "list_granular",
        "list_keys",
        "list_mode",
        "list_type",
        "patch_merge_key",
        "patch_strategy",
        "preserve_unknown",
        "properties",
        "raw",
        "value_schema",
    )

    def __init__(
        self,
        raw: Mapping[str, Any],
        resolve: Callable[[Mapping[str, Any]], tuple[Mapping[str, Any], str]],
        custom: bool = False,
        def_name: str = "",
        parent_ext: Mapping[str, Any] | None = None,
    ) -> None:
        resolved, name = resolve(raw)
        merged: dict[str, Any] = dict(resolved)
        # Extensions on the referencing property (e.g. patch strategy next to a $ref) apply too.
        for source in (parent_ext or {}, raw):
            for k, v in source.items():
                if k.startswith("x-kubernetes-"):
                    merged.setdefault(k, v)
        self.raw: Mapping[str, Any] = merged
        self._resolve = resolve
        self.custom = custom
        self.def_name = name or def_name
        self._cache: dict[str, SchemaNode] = {}
        self._item: SchemaNode | None = None
        self._value_node: SchemaNode | None = None
        self.kind: NodeKind = _classify(merged)
        # Everything below is a function of `raw`, computed once.
        props = merged.get("properties")
        self.properties: Mapping[str, Any] = props if isinstance(props, Mapping) and props else {}
        ap = merged.get("additionalProperties")
        # The schema of keys that are not properties (struct additionalProperties, map values).
        self.value_schema: Mapping[str, Any] | None = ap if isinstance(ap, Mapping) else None
        s = merged.get("x-kubernetes-patch-strategy")
        self.patch_strategy: frozenset[str] = (
            frozenset(p.strip() for p in str(s).split(",")) if s else frozenset())
        mk = merged.get("x-kubernetes-patch-merge-key")
        self.patch_merge_key: str | None = str(mk) if mk else None
        self.list_type: ListType = self._list_type()
        keys = merged.get("x-kubernetes-list-map-keys")
        self.list_keys: tuple[str, ...] = (
            tuple(str(k) for k in keys) if keys else (self.patch_merge_key,) if self.patch_merge_key else ())
        self.atomic: bool = (self.list_type == "atomic" if self.kind == "list"
                             else merged.get("x-kubernetes-map-type") == "atomic")
        self.preserve_unknown: bool = bool(merged.get("x-kubernetes-preserve-unknown-fields")) or self.kind == "any"
        self.embedded_resource: bool = bool(merged.get("x-kubernetes-embedded-resource"))
        # How server-side apply walks a value here: a list's mode (atomic unless the schema
        # says set, or map with keys), and whether a dict / a list is tracked key by key.
        mode: ListType = "atomic"
        if self.kind == "list":
            mode = self.list_type
            if mode == "map" and not self.list_keys:
                mode = "atomic"
        self.list_mode: ListType = mode
        self.list_granular: bool = mode != "atomic"
        self.dict_granular: bool = (not self.atomic) if self.kind in ("struct", "map") else self.kind == "any"
        # A built-in struct that declares every field it may hold (apply bodies may set no other).
        self.closed_builtin: bool = (self.kind == "struct" and not custom and not merged.get("additionalProperties")
                                     and not merged.get("x-kubernetes-preserve-unknown-fields"))

    # ----- structure
    def field(self, name: str) -> SchemaNode:
        """The schema of a struct field or map value; an `any` node when unknown."""
        node = self._cache.get(name)
        if node is not None:
            return node
        if self.kind == "struct":
            sub = self.properties.get(name)
            if sub is not None:
                node = self._cache[name] = SchemaNode(sub, self._resolve, self.custom)
                return node
        elif self.kind != "map":
            return ANY
        # a map key or a struct's additional property: one node for all of them
        if self._value_node is None:
            vs = self.value_schema
            self._value_node = SchemaNode(vs, self._resolve, self.custom) if vs is not None else ANY
        return self._value_node

    def has_field(self, name: str) -> bool:
        """Whether `name` is a known field (always true for maps and unknown content)."""
        if self.kind == "struct":
            return name in self.properties or self.value_schema is not None or bool(
                self.raw.get("additionalProperties") is True)
        return True

    def fields(self) -> list[str]:
        return list(self.properties.keys())

    @property
    def item(self) -> SchemaNode:
        if self._item is None:
            items = self.raw.get("items")
            self._item = SchemaNode(items, self._resolve, self.custom) if isinstance(items, Mapping) else ANY
        return self._item

    # ----- Kubernetes semantics (list_type, list_keys, atomic, patch_strategy, patch_merge_key,
    # preserve_unknown, embedded_resource are attributes set in __init__)
    def _list_type(self) -> ListType:
        explicit = self.raw.get("x-kubernetes-list-type")
        if explicit in ("atomic", "set", "map"):
            return explicit  # type: ignore[no-any-return]
        if not self.custom and "merge" in self.patch_strategy:
            return "map" if self.patch_merge_key else "set"
        return "atomic"

    @property
    def key_defaults(self) -> dict[str, Any]:
        """Defaults for list-map key fields of this list's items."""
        return KEY_DEFAULTS.get(self.item.def_name, {})

    @property
    def json_types(self) -> frozenset[str]:
        """Allowed JSON types ('null' removed); empty means anything."""
        if self.raw.get("x-kubernetes-int-or-string"):
            return frozenset({"integer", "string"})
        t = self.raw.get("type")
        if isinstance(t, str):
            return frozenset({t})
        if isinstance(t, list):
            return frozenset(str(x) for x in t if x != "null")
        one_of = self.raw.get("oneOf") or self.raw.get("anyOf")
        if isinstance(one_of, list):
            out: set[str] = set()
            for alt in one_of:
                at = alt.get("type") if isinstance(alt, Mapping) else None
                if isinstance(at, str):
                    out.add(at)
                elif isinstance(at, list):
                    out.update(str(x) for x in at if x != "null")
            return frozenset(out)
        return frozenset()

    @property
    def nullable(self) -> bool:
        t = self.raw.get("type")
        return bool(self.raw.get("nullable")) or (isinstance(t, list) and "null" in t)

    def __repr__(self) -> str:
        return f"SchemaNode({self.kind}, {self.def_name or '-'})"


def _classify(raw: Mapping[str, Any]) -> NodeKind:
    if not raw:
        return "any"
    if raw.get("x-kubernetes-int-or-string") or "oneOf" in raw or "anyOf" in raw:
        return "scalar"
    t = raw.get("type")
    types = {t} if isinstance(t, str) else set(t or [])
    types.discard("null")
    if "array" in types:
        return "list"
    if raw.get("properties"):
        return "struct"
    if isinstance(raw.get("additionalProperties"), Mapping):
        return "map"
    if "object" in types or not types:
        return "any"
    if types <= _SCALAR_TYPES:
        return "scalar"
    return "any"


def _no_refs(raw: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    return raw, ""


# The node for unknown content: anything goes, nothing is granular.
ANY = SchemaNode({}, _no_refs)
