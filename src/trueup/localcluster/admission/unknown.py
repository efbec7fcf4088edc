"""Unknown fields against a schema: report them (fieldValidation=Strict/Warn) or drop them
(pruning of custom resources).

A struct node knows its `properties`; maps, `any` nodes and nodes with
`x-kubernetes-preserve-unknown-fields` accept any key (known properties are still walked).
Embedded resources (`x-kubernetes-embedded-resource`) also accept apiVersion/kind/metadata.
Paths look like kube-apiserver's strict decoding errors: `spec.template.spec.containers[0].foo`.
Pure.
"""

from __future__ import annotations

from typing import Any

from trueup.localcluster.jsoncopy import JsonMemo
from trueup.localcluster.schema import SchemaNode

_EMBEDDED = ("apiVersion", "kind", "metadata")
_CONTAINERS = ("struct", "map", "list")
_OPAQUE: dict[SchemaNode, bool] = {}  # per node; emptied beyond _OPAQUE_MAX (CRD schemas come and go)
_OPAQUE_MAX = 65536


def _opaque(node: SchemaNode) -> bool:
    """Whether `_walk` finds nothing below `node` whatever the value: it checks and prunes only
    the keys of structs, found through maps and lists of containers."""
    hit = _OPAQUE.get(node)
    if hit is None:
        kind = node.kind
        if kind == "map":
            hit = node.field("").kind not in _CONTAINERS
        elif kind == "list":
            hit = node.item.kind not in _CONTAINERS
        else:
            hit = kind != "struct"
        if len(_OPAQUE) >= _OPAQUE_MAX:
            _OPAQUE.clear()
        _OPAQUE[node] = hit
    return hit


def _walk(value: Any, node: SchemaNode, parts: list[str], out: list[str], prune: bool) -> None:
    # `parts` is the path so far as pieces ("spec", ".template", "[0]"): joined only for an
    # unknown field, not built for every field walked.
    if isinstance(value, dict):
        if node.kind == "map":
            values = node.field("")  # every key's schema
            if values.kind not in ("struct", "map", "list"):
                return  # scalar or unknown content: nothing below is checked
            for key, sub in value.items():
                if isinstance(sub, (dict, list)):
                    parts.append("." + key if parts else key)
                    _walk(sub, values, parts, out, prune)
                    parts.pop()
            return
        if node.kind != "struct":
            return
        properties = node.properties
        if not prune and node.value_schema is None and not node.preserve_unknown and not node.embedded_resource:
            # the common case, a closed struct being checked: every key is known or reported
            for key, sub in value.items():
                if key not in properties:
                    out.append("".join(parts) + ("." + key if parts else key))
                elif isinstance(sub, (dict, list)):
                    child = node.field(key)
                    if not _opaque(child):  # e.g. labels, a list of strings: nothing to check
                        parts.append("." + key if parts else key)
                        _walk(sub, child, parts, out, prune)
                        parts.pop()
            return
        preserve = node.preserve_unknown
        embedded = node.embedded_resource
        open_struct = node.value_schema is not None
        for key in list(value):
            sub = value[key]
            if key in properties:
                pass
            elif embedded and key in _EMBEDDED:
                continue  # implicit apiVersion/kind/metadata of an embedded resource
            elif not open_struct:
                if not preserve:
                    out.append("".join(parts) + ("." + key if parts else key))
                    if prune:
                        del value[key]
                continue
            if isinstance(sub, (dict, list)):  # scalars have no fields to check
                parts.append("." + key if parts else key)
                _walk(sub, node.field(key), parts, out, prune)
                parts.pop()
    elif isinstance(value, list) and node.kind == "list":
        item = node.item
        if item.kind not in ("struct", "map", "list"):
            return  # items of scalar or unknown content: nothing below them is checked
        for i, sub in enumerate(value):
            if isinstance(sub, (dict, list)):
                parts.append(f"[{i}]")
                _walk(sub, item, parts, out, prune)
                parts.pop()


# Appliers send each body twice (a dry run, then the apply) and again on every re-sync: the
# answer is memoised per (schema, object JSON).
_UNKNOWN: JsonMemo[tuple[str, ...]] = JsonMemo(max_entries=8192, max_key_bytes=16 * 1024 * 1024, max_text=64 * 1024)


def unknown_fields(obj: dict[str, Any], schema: SchemaNode) -> list[str]:
    """Paths of the fields of `obj` the schema does not know, in document order."""
    key = _UNKNOWN.key(schema, obj)
    if key is not None:
        hit = _UNKNOWN.get(key)
        if hit is not None:
            return list(hit)
    out: list[str] = []
    _walk(obj, schema, [], out, False)
    if key is not None:
        _UNKNOWN.put(key, tuple(out))
    return out


def prune_unknown(obj: dict[str, Any], schema: SchemaNode) -> None:
    """Drop every field the schema does not know, in place."""
    _walk(obj, schema, [], [], True)
