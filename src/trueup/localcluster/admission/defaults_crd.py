"""Defaults of apiextensions.k8s.io/v1 CustomResourceDefinition, and the structural-schema
`default` values kube-apiserver applies to custom resources.

CRD: names.singular = lowercase kind, names.listKind = kind + "List", conversion
`{strategy: None}`, webhook service port 443, status `acceptedNames: {kind: "", plural: ""}`,
`conditions: null` and `storedVersions` holding the storage version (added, never removed).

Custom resources (`apply_schema_defaults`): every property missing, or null without
`nullable: true`, takes a deep copy of its schema `default`; recursion goes into objects,
maps (additionalProperties) and list items, after the parent's default is applied. Pure.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ._util import Obj, child, default, default_empty, dicts


def storage_version(crd: Obj) -> str | None:
    for version in dicts((crd.get("spec") or {}).get("versions")):
        if version.get("storage") is True and version.get("name"):
            return str(version["name"])
    return None


def custom_resource_definition(obj: Obj) -> None:
    spec = child(obj, "spec")
    names = child(spec, "names")
    kind = names.get("kind")
    if isinstance(kind, str) and kind:
        default_empty(names, "singular", kind.lower())
        default_empty(names, "listKind", kind + "List")
    conversion = child(spec, "conversion")
    default_empty(conversion, "strategy", "None")
    svc = ((conversion.get("webhook") or {}).get("clientConfig") or {}).get("service")
    if isinstance(svc, dict):
        default(svc, "port", 443)
    status = child(obj, "status")
    default(status, "acceptedNames", {"kind": "", "plural": ""})
    status.setdefault("conditions", None)
    stored = status.get("storedVersions")
    if not isinstance(stored, list):
        stored = []
    version = storage_version(obj)
    if version and version not in stored:
        stored = [*stored, version]
    status["storedVersions"] = stored


def apply_schema_defaults(obj: Any, schema: Mapping[str, Any]) -> None:
    """Fill structural-schema `default`s into a custom resource (in place)."""
    _default_value(obj, schema)


def _default_value(value: Any, schema: Mapping[str, Any]) -> None:
    if isinstance(value, dict):
        props = schema.get("properties")
        if isinstance(props, Mapping):
            for name, sub in props.items():
                if not isinstance(sub, Mapping):
                    continue
                missing = name not in value or (value[name] is None and not sub.get("nullable"))
                if "default" in sub and missing:
                    value[name] = copy.deepcopy(sub["default"])
                if name in value:
                    _default_value(value[name], sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            for key in list(value):
                if isinstance(props, Mapping) and key in props:
                    continue
                _default_value(value[key], extra)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            for item in value:
                _default_value(item, items)
