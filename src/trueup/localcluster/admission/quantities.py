"""Canonicalises every `resource.Quantity` of a built-in object, guided by its schema.

kube-apiserver stores and prints quantities in canonical form, so `memory: 1024Mi` reads back
as `1Gi`. Values of a ResourceList (a map of quantities: container resources, PVC requests,
PV capacity, quotas, limit ranges) are first rounded up to milli precision, like
`SetDefaults_ResourceList`. Subtrees of the schema that cannot hold a quantity are skipped,
so the walk is cheap. Unparsable values are left for validation. Pure.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from trueup.localcluster.schema import SchemaNode

from .quantity import try_canonical

QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"

_HAS_QUANTITY: dict[str | int, bool] = {}
_KEEP: list[SchemaNode] = []  # keeps memoised anonymous nodes alive so their ids stay unique


def _children(node: SchemaNode) -> list[SchemaNode]:
    if node.kind == "struct":
        return [node.field(name) for name in node.fields()]
    if node.kind == "map":
        return [node.field("*")]
    if node.kind == "list":
        return [node.item]
    return []


def has_quantity(node: SchemaNode, _visiting: frozenset[str | int] = frozenset()) -> bool:
    """Whether a quantity can occur at or below this schema node (memoised per definition)."""
    key: str | int = node.def_name or id(node)
    cached = _HAS_QUANTITY.get(key)
    if cached is not None:
        return cached
    if node.def_name == QUANTITY:
        result = True
    elif node.kind in ("scalar", "any"):
        result = False
    elif key in _visiting:
        return False  # a cycle (JSONSchemaProps): decided by the outer call
    else:
        inner = _visiting | {key}
        result = any(has_quantity(c, inner) for c in _children(node))
    _HAS_QUANTITY[key] = result
    if not node.def_name:
        _KEEP.append(node)
    return result


@lru_cache(maxsize=4096)
def _canonical_text(text: str, milli_round_up: bool) -> object:
    return try_canonical(text, milli_round_up=milli_round_up)


def canonicalize(value: Any, node: SchemaNode, *, in_list_map: bool = False) -> Any:
    """The value with every quantity below `node` canonical (dicts/lists changed in place)."""
    if node.def_name == QUANTITY:
        if isinstance(value, str):  # manifests repeat the same few quantities
            return _canonical_text(value, in_list_map)
        return try_canonical(value, milli_round_up=in_list_map)
    if not has_quantity(node):
        return value
    # Only containers and quantities can change: scalars elsewhere are not visited.
    if node.kind == "struct" and isinstance(value, dict):
        props = node.properties
        open_struct = node.value_schema is not None
        for name, sub in value.items():
            if name in props or open_struct:
                child = node.field(name)
                if child.def_name == QUANTITY or isinstance(sub, (dict, list)):
                    value[name] = canonicalize(sub, child)
    elif node.kind == "map" and isinstance(value, dict):
        item = node.field("*")
        resource_list = item.def_name == QUANTITY
        for name, sub in value.items():
            if resource_list or isinstance(sub, (dict, list)):
                value[name] = canonicalize(sub, item, in_list_map=resource_list)
    elif node.kind == "list" and isinstance(value, list):
        item = node.item
        quantities = item.def_name == QUANTITY
        for i, sub in enumerate(value):
            if quantities or isinstance(sub, (dict, list)):
                value[i] = canonicalize(sub, item)
    return value
