"""Component schemas for OpenAPI v3 documents: built-in definitions and CRD schemas.

Built-in definitions come from `trueup.localcluster.schema.builtin_schemas().defs`, a JSON-Schema
conversion of the upstream OpenAPI: `$ref`s point at `#/$defs/...` and `type` may be a list like
["string", "null"]. They are rewritten to OpenAPI 3.0 form (`#/components/schemas/...`, a single
type plus `nullable`, `$ref` with siblings wrapped in `allOf` as kube-apiserver does).
Custom resources get their CRD `openAPIV3Schema` with the built-in ObjectMeta.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Mapping
from typing import Any

from ..resources import ResourceType
from ..schema import builtin_schemas

DEFS_PREFIX = "#/$defs/"
COMPONENTS_PREFIX = "#/components/schemas/"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
DELETE_OPTIONS = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
PATCH = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
SCALE = "io.k8s.api.autoscaling.v1.Scale"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"

_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "additionalItems")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def ref(name: str) -> dict[str, str]:
    return {"$ref": COMPONENTS_PREFIX + name}


def convert(schema: Any) -> Any:
    """One JSON-Schema (draft 2020) node as an OpenAPI 3.0 schema object."""
    if not isinstance(schema, Mapping):
        return copy.deepcopy(schema)
    out: dict[str, Any] = {}
    nullable = False
    for key, value in schema.items():
        if key == "$ref" and isinstance(value, str):
            is_def = value.startswith(DEFS_PREFIX)
            out[key] = COMPONENTS_PREFIX + value[len(DEFS_PREFIX):] if is_def else value
        elif key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            nullable = len(types) != len(value)
            if len(types) == 1:
                out["type"] = types[0]
            elif types:
                out.setdefault("anyOf", []).extend({"type": t} for t in types)
        elif key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {k: convert(v) for k, v in value.items()}
        elif key in _SCHEMA_VALUES and isinstance(value, Mapping):
            out[key] = convert(value)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out.setdefault(key, []).extend(convert(v) for v in value)
        else:
            out[key] = copy.deepcopy(value)
    if nullable:
        out["nullable"] = True
    if "$ref" in out and len(out) > 1:
        target = out.pop("$ref")
        out = {"allOf": [{"$ref": target}], **out}
    return out


@functools.lru_cache(maxsize=2048)
def _converted(name: str) -> dict[str, Any]:
    if name == INT_OR_STRING:
        return {"type": "string", "format": "int-or-string"}
    raw = builtin_schemas().defs.get(name)
    if raw is None:
        return {"type": "object"}
    converted: dict[str, Any] = convert(raw)
    converted.pop("nullable", None)
    if "x-kubernetes-group-version-kind" in converted:
        # The JSON-Schema conversion pins apiVersion/kind with an enum; upstream OpenAPI does not.
        for prop in ("apiVersion", "kind"):
            field = (converted.get("properties") or {}).get(prop)
            if isinstance(field, dict):
                field.pop("enum", None)
    return converted


def builtin_definition(name: str) -> dict[str, Any]:
    """The converted definition (a fresh copy)."""
    return copy.deepcopy(_converted(name))


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(COMPONENTS_PREFIX):
                found.add(value[len(COMPONENTS_PREFIX):])
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for item in node:
            _refs(item, found)


def closure(roots: Iterable[str], extra: Iterable[Mapping[str, Any]] = ()) -> dict[str, dict[str, Any]]:
    """The named built-in definitions plus every definition they (or `extra` schemas) reference."""
    pending: set[str] = set(roots)
    for schema in extra:
        _refs(schema, pending)
    defs = builtin_schemas().defs
    out: dict[str, dict[str, Any]] = {}
    while pending:
        name = pending.pop()
        if name in out or name not in defs:
            continue
        out[name] = builtin_definition(name)
        found: set[str] = set()
        _refs(out[name], found)
        pending |= found - set(out)
    return dict(sorted(out.items()))


def builtin_kind_name(rt: ResourceType, kind: str | None = None) -> str | None:
    return builtin_schemas().definition_name(rt.api_version, kind or rt.kind)


def custom_kind_name(rt: ResourceType, kind: str | None = None) -> str:
    """kube-apiserver's name for a CRD schema: reversed group, version, kind (com.example.v1.Widget)."""
    reversed_group = ".".join(reversed(rt.group.split(".")))
    return f"{reversed_group}.{rt.version}.{kind or rt.kind}"


def _gvk(rt: ResourceType, kind: str) -> list[dict[str, str]]:
    return [{"group": rt.group, "kind": kind, "version": rt.version}]


def custom_schemas(rt: ResourceType) -> dict[str, dict[str, Any]]:
    """The kind and list schemas of a custom resource version."""
    base: dict[str, Any] = copy.deepcopy(rt.crd_schema) if rt.crd_schema else {
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": True,
    }
    props = dict(base.get("properties") or {})
    props["apiVersion"] = {"type": "string", "description": "APIVersion defines the versioned schema of this "
                           "representation of an object."}
    props["kind"] = {"type": "string", "description": "Kind is a string value representing the REST resource "
                     "this object represents."}
    props["metadata"] = {"allOf": [ref(OBJECT_META)], "description": "Standard object's metadata."}
    base["properties"] = props
    base.setdefault("type", "object")
    base["x-kubernetes-group-version-kind"] = _gvk(rt, rt.kind)
    name = custom_kind_name(rt)
    list_schema: dict[str, Any] = {
        "type": "object",
        "description": f"{rt.kind}List is a list of {rt.kind}",
        "required": ["items"],
        "properties": {
            "apiVersion": {"type": "string"},
            "items": {"type": "array", "items": ref(name)},
            "kind": {"type": "string"},
            "metadata": {"allOf": [ref(LIST_META)]},
        },
        "x-kubernetes-group-version-kind": _gvk(rt, rt.list_kind),
    }
    return {name: base, custom_kind_name(rt, rt.list_kind): list_schema}
