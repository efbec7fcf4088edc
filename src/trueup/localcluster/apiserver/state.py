"""The API server's shared state and the small object helpers every verb uses.

`APIState` bundles the store, the resource registry, schemas and allocators. The verb modules
(`reads`, `writes`, `deletes`, `scale`) are functions of an `APIState`; they are synchronous
(sqlite on the loop thread), so a request's read-modify-write never interleaves with another's.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..jsoncopy import copy_json
from ..resources import Registry, ResourceType
from ..schema import ANY, SchemaNode, builtin_schemas
from ..store import Store

Obj = dict[str, Any]

FIELD_VALIDATION = ("Strict", "Warn", "Ignore")


_CLOCK: list[Any] = [-1, ""]  # (second, its RFC 3339 text): formatted once per second, not per call


def now_rfc3339() -> str:
    second = int(time.time())
    if second != _CLOCK[0]:
        _CLOCK[0], _CLOCK[1] = second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
    return str(_CLOCK[1])


def new_uid() -> str:
    """A random (version 4) UUID as text, as str(uuid.uuid4()) gives it, at a third of its cost."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class WriteOptions:
    """Query options shared by create, update, patch and delete."""

    manager: str = ""
    dry_run: bool = False
    field_validation: str = "Warn"
    force: bool = False
    # Whether ?fieldManager= was given (apply requires it; other writes fall back to the User-Agent).
    manager_given: bool = False
    subresource: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class APIState:
    store: Store
    registry: Registry
    # Service IP and node-port allocation (see allocate.py); set by the server on start.
    allocator: Any = None
    _schema_cache: dict[tuple[str, str, int], SchemaNode] = field(default_factory=dict)

    def schema_for(self, rt: ResourceType) -> SchemaNode:
        key = (rt.api_version, rt.kind, self.registry.revision if rt.custom else 0)
        node = self._schema_cache.get(key)
        if node is None:
            if rt.custom:
                node = builtin_schemas().crd_root(rt.crd_schema)
            else:
                node = builtin_schemas().for_kind(rt.api_version, rt.kind) or ANY
            self._schema_cache[key] = node
        return node

    def storage_type(self, rt: ResourceType) -> ResourceType:
        """The resource type at its storage version (itself for built-ins)."""
        if rt.custom and rt.storage_version and rt.storage_version != rt.version:
            return self.registry.version_of(rt, rt.storage_version) or rt
        return rt

    def resource_type(self, group: str, version: str, resource: str) -> ResourceType:
        rt = self.registry.lookup(group, version, resource)
        if rt is None:
            gv = f"{group}/{version}" if group else version
            raise errors.APIError(
                404, "NotFound", f"the server could not find the requested resource ({resource} in {gv})"
            )
        return rt


def meta(obj: Obj) -> Obj:
    m = obj.get("metadata")
    if m is None:
        m = obj["metadata"] = {}
    if not isinstance(m, dict):
        raise errors.bad_request("metadata must be an object")
    return m


def as_version(obj: Obj, rt: ResourceType) -> Obj:
    """The stored object as the client's requested version (CRDs: conversion strategy None)."""
    if obj.get("apiVersion") == rt.api_version and obj.get("kind") == rt.kind:
        return obj
    out = dict(obj)
    out["apiVersion"] = rt.api_version
    out["kind"] = rt.kind
    return out


def deep_copy(obj: Obj) -> Obj:
    """A deep copy of a JSON object (dicts and lists copied, scalars shared); far cheaper than
    copy.deepcopy, which tracks every node for cycles JSON cannot have."""
    out: Obj = copy_json(obj)
    return out


def object_namespace(rt: ResourceType, namespace: str | None) -> str:
    return (namespace or "") if rt.namespaced else ""


def check_type(rt: ResourceType, obj: Obj) -> None:
    """A body's apiVersion/kind must name the URL's resource (filled in when absent)."""
    kind = obj.get("kind")
    api_version = obj.get("apiVersion")
    if not kind:
        obj["kind"] = rt.kind
    elif kind != rt.kind:
        raise errors.bad_request(
            f"the kind in the data ({kind}) does not match the expected kind ({rt.kind}) for "
            f"{rt.group_resource}"
        )
    if not api_version:
        obj["apiVersion"] = rt.api_version
    elif api_version != rt.api_version:
        raise errors.bad_request(
            f"the API version in the data ({api_version}) does not match the expected API version "
            f"({rt.api_version})"
        )
