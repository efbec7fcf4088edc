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

from trueup.localcluster.schema import SchemaNode

_EMBEDDED = ("apiVersion", "kind", "metadata")


def _known(node: SchemaNode, key: str) -> bool:
    if node.embedded_resource and key in _EMBEDDED:
        return True
    return key in (node.raw.get("properties") or {})


def _walk(value: Any, node: SchemaNode, parts: list[str], out: list[str], prune: bool) -> None:
    # `parts` is the path so far as pieces ("spec", ".template", "[0]"): joined only for an
    # unknown field, not built for every field walked.
    if isinstance(value, dict):
        if node.kind == "map":
            for key, sub in value.items():
                parts.append("." + key if parts else key)
                _walk(sub, node.field(key), parts, out, prune)
                parts.pop()
            return
        if node.kind != "struct":
            return
        preserve = node.preserve_unknown
        properties = node.raw.get("properties") or {}
        for key in list(value):
            if _known(node, key):
                implicit = key in _EMBEDDED and key not in properties
                if node.embedded_resource and implicit:
                    continue
            elif not isinstance(node.raw.get("additionalProperties"), dict):
                if not preserve:
                    out.append("".join(parts) + ("." + key if parts else key))
                    if prune:
                        del value[key]
                continue
            parts.append("." + key if parts else key)
            _walk(value[key], node.field(key), parts, out, prune)
            parts.pop()
    elif isinstance(value, list) and node.kind == "list":
        item = node.item
        for i, sub in enumerate(value):
            parts.append(f"[{i}]")
            _walk(sub, item, parts, out, prune)
            parts.pop()


def unknown_fields(obj: dict[str, Any], schema: SchemaNode) -> list[str]:
    """Paths of the fields of `obj` the schema does not know, in document order."""
    out: list[str] = []
    _walk(obj, schema, [], out, False)
    return out


def prune_unknown(obj: dict[str, Any], schema: SchemaNode) -> None:
    """Drop every field the schema does not know, in place."""
    _walk(obj, schema, [], [], True)
