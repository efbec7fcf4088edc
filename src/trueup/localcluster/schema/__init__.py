"""Schemas of built-in kinds and custom resources, with Kubernetes list/map/patch semantics."""

from .loader import K8S_SCHEMA_VERSION, BuiltinSchemas, builtin_schemas
from .node import ANY, KEY_DEFAULTS, ListType, NodeKind, SchemaNode

__all__ = [
    "ANY",
    "K8S_SCHEMA_VERSION",
    "KEY_DEFAULTS",
    "BuiltinSchemas",
    "ListType",
    "NodeKind",
    "SchemaNode",
    "builtin_schemas",
]
