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

Nodes are created lazily and cached per raw dict, so walking is cheap. Pure: no I/O.
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
        "custom",
        "def_name",
        "kind",
        "raw",
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
        self.kind: NodeKind = _classify(merged)

    # ----- structure
    def field(self, name: str) -> SchemaNode:
        """The schema of a struct field or map value; an `any` node when unknown."""
        node = self._cache.get(name)
        if node is not None:
            return node
        sub: Mapping[str, Any] | None = None
        if self.kind == "struct":
            sub = (self.raw.get("properties") or {}).get(name)
            if sub is None and isinstance(self.raw.get("additionalProperties"), Mapping):
                sub = self.raw["additionalProperties"]
        elif self.kind == "map":
            ap = self.raw.get("additionalProperties")
            sub = ap if isinstance(ap, Mapping) else None
        node = SchemaNode(sub, self._resolve, self.custom) if sub is not None else ANY
        self._cache[name] = node
        return node

    def has_field(self, name: str) -> bool:
        """Whether `name` is a known field (always true for maps and unknown content)."""
        if self.kind == "struct":
            return name in (self.raw.get("properties") or {}) or isinstance(
                self.raw.get("additionalProperties"), Mapping
            ) or bool(self.raw.get("additionalProperties") is True)
        return True

    def fields(self) -> list[str]:
        return list((self.raw.get("properties") or {}).keys())

    @property
    def item(self) -> SchemaNode:
        if self._item is None:
            items = self.raw.get("items")
            self._item = SchemaNode(items, self._resolve, self.custom) if isinstance(items, Mapping) else ANY
        return self._item

    # ----- Kubernetes semantics
    @property
    def list_type(self) -> ListType:
        explicit = self.raw.get("x-kubernetes-list-type")
        if explicit in ("atomic", "set", "map"):
            return explicit  # type: ignore[no-any-return]
        if not self.custom and "merge" in self.patch_strategy:
            return "map" if self.patch_merge_key else "set"
        return "atomic"

    @property
    def list_keys(self) -> tuple[str, ...]:
        keys = self.raw.get("x-kubernetes-list-map-keys")
        if keys:
            return tuple(str(k) for k in keys)
        mk = self.patch_merge_key
        return (mk,) if mk else ()

    @property
    def key_defaults(self) -> dict[str, Any]:
        """Defaults for list-map key fields of this list's items."""
        return KEY_DEFAULTS.get(self.item.def_name, {})

    @property
    def atomic(self) -> bool:
        """A map/struct replaced as a whole (x-kubernetes-map-type: atomic), or an atomic list."""
        if self.kind == "list":
            return self.list_type == "atomic"
        return self.raw.get("x-kubernetes-map-type") == "atomic"

    @property
    def patch_strategy(self) -> frozenset[str]:
        s = self.raw.get("x-kubernetes-patch-strategy")
        return frozenset(p.strip() for p in str(s).split(",")) if s else frozenset()

    @property
    def patch_merge_key(self) -> str | None:
        k = self.raw.get("x-kubernetes-patch-merge-key")
        return str(k) if k else None

    @property
    def preserve_unknown(self) -> bool:
        return bool(self.raw.get("x-kubernetes-preserve-unknown-fields")) or self.kind == "any"

    @property
    def embedded_resource(self) -> bool:
        return bool(self.raw.get("x-kubernetes-embedded-resource"))

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
