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


def _walk(value: Any, node: SchemaNode, path: str, out: list[str], prune: bool) -> None:
    if isinstance(value, dict):
        if node.kind == "map":
            for key, sub in value.items():
                _walk(sub, node.field(key), f"{path}.{key}" if path else key, out, prune)
            return
        if node.kind != "struct":
            return
        preserve = node.preserve_unknown
        for key in list(value):
            sub_path = f"{path}.{key}" if path else key
            if _known(node, key):
                implicit = key in _EMBEDDED and key not in (node.raw.get("properties") or {})
                if node.embedded_resource and implicit:
                    continue
                _walk(value[key], node.field(key), sub_path, out, prune)
            elif isinstance(node.raw.get("additionalProperties"), dict):
                _walk(value[key], node.field(key), sub_path, out, prune)
            elif not preserve:
                out.append(sub_path)
                if prune:
                    del value[key]
    elif isinstance(value, list) and node.kind == "list":
        item = node.item
        for i, sub in enumerate(value):
            _walk(sub, item, f"{path}[{i}]", out, prune)


def unknown_fields(obj: dict[str, Any], schema: SchemaNode) -> list[str]:
    """Paths of the fields of `obj` the schema does not know, in document order."""
    out: list[str] = []
    _walk(obj, schema, "", out, False)
    return out


def prune_unknown(obj: dict[str, Any], schema: SchemaNode) -> None:
    """Drop every field the schema does not know, in place."""
    _walk(obj, schema, "", [], True)
