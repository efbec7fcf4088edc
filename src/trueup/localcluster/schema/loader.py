"""Schemas for built-in kinds (Kubernetes 1.37 OpenAPI) and for custom resources (CRD schemas).

Built-in definitions come from the `kubernetes-validate` package, which ships the upstream
1.37 OpenAPI definitions with every `x-kubernetes-*` extension intact. They are read once
(lazily) and indexed by group/version/kind.

For custom resources the CRD's `openAPIV3Schema` is used as is (no $refs), except that
`metadata` is always the built-in ObjectMeta, as kube-apiserver does.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from .node import ANY, SchemaNode

K8S_SCHEMA_VERSION = "v1.37.0"
_REF_PREFIX = "#/$defs/"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def _definitions_path() -> Path:
    import kubernetes_validate

    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    return base / f"{K8S_SCHEMA_VERSION}-local" / "_definitions.json"


class BuiltinSchemas:
    """The upstream definitions, indexed by (apiVersion, kind)."""

    def __init__(self, defs: Mapping[str, Any]) -> None:
        self.defs = defs
        self._by_gvk: dict[tuple[str, str], str] = {}
        for name, d in defs.items():
            for gvk in d.get("x-kubernetes-group-version-kind") or ():
                group, version = gvk.get("group", ""), gvk.get("version", "")
                api_version = f"{group}/{version}" if group else version
                self._by_gvk.setdefault((api_version, gvk.get("kind", "")), name)
        self._roots: dict[str, SchemaNode] = {}

    def resolve(self, raw: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
        name = ""
        seen = 0
        while True:
            ref = raw.get("$ref")
            if ref is None:
                all_of = raw.get("allOf")
                if isinstance(all_of, list) and len(all_of) == 1 and "$ref" in all_of[0]:
                    ref = all_of[0]["$ref"]
            if not isinstance(ref, str) or not ref.startswith(_REF_PREFIX) or seen > 16:
                return raw, name
            name = ref[len(_REF_PREFIX):]
            target = self.defs.get(name)
            if target is None:
                return {}, name
            raw = target
            seen += 1

    def definition_name(self, api_version: str, kind: str) -> str | None:
        return self._by_gvk.get((api_version, kind))

    def node(self, def_name: str) -> SchemaNode:
        root = self._roots.get(def_name)
        if root is None:
            root = SchemaNode({"$ref": _REF_PREFIX + def_name}, self.resolve)
            self._roots[def_name] = root
        return root

    def for_kind(self, api_version: str, kind: str) -> SchemaNode | None:
        name = self.definition_name(api_version, kind)
        return self.node(name) if name else None

    def crd_root(self, openapi_v3_schema: Mapping[str, Any] | None) -> SchemaNode:
        """The schema of a custom resource: its CRD schema with the built-in ObjectMeta."""
        if not openapi_v3_schema:
            return ANY
        raw = dict(openapi_v3_schema)
        props = dict(raw.get("properties") or {})
        props["metadata"] = {"$ref": _REF_PREFIX + OBJECT_META}
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        raw["properties"] = props
        raw.setdefault("type", "object")
        return SchemaNode(raw, self.resolve, custom=True)


@functools.lru_cache(maxsize=1)
def builtin_schemas() -> BuiltinSchemas:
    data = orjson.loads(_definitions_path().read_bytes())
    return BuiltinSchemas(data["$defs"])
