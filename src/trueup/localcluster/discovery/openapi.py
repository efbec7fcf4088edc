"""OpenAPI v3: the `/openapi/v3` index and one document per group-version.

kubectl (apply, create -f, edit, replace, SSA) reads the index, fetches the group-version's
document by its `serverRelativeURL` (the `hash` query parameter is its cache key) and looks
for a PATCH operation carrying the kind's `x-kubernetes-group-version-kind` and a
`fieldValidation` parameter. The PATCH request bodies deliberately omit
`application/strategic-merge-patch+json`, so kubectl computes strategic merge patches from
its compiled-in types. Documents are cached per registry by (revision, group, version) and
hashed over their canonical JSON, so the hash changes exactly when the content does.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from typing import Any

from ..resources import Registry, ResourceType
from ..schema import K8S_SCHEMA_VERSION
from .openapi_schemas import (
    DELETE_OPTIONS,
    PATCH,
    SCALE,
    STATUS,
    builtin_kind_name,
    closure,
    custom_kind_name,
    custom_schemas,
    ref,
)

PATCH_CONTENT_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
)
_Cached = tuple[dict[str, Any], str]
_CACHE: weakref.WeakKeyDictionary[Registry, tuple[int, dict[tuple[str, str], _Cached]]] = (
    weakref.WeakKeyDictionary()
)


def _query_param(name: str, description: str, schema_type: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": {"type": schema_type,
                                                                                 "uniqueItems": True}}


_DRY_RUN = _query_param("dryRun", "When present, indicates that modifications should not be persisted. "
                        "Valid values are: - All: all dry run stages will be processed")
_FIELD_MANAGER = _query_param("fieldManager", "fieldManager is a name associated with the actor or entity "
                              "that is making these changes.")
_FIELD_VALIDATION = _query_param(
    "fieldValidation",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) "
    "containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
)
_FORCE = _query_param("force", "Force is going to \"force\" Apply requests.", "boolean")
_PRETTY = _query_param("pretty", "If 'true', then the output is pretty printed.")
_LIST_PARAMS = [
    _query_param("labelSelector", "A selector to restrict the list of returned objects by their labels."),
    _query_param("fieldSelector", "A selector to restrict the list of returned objects by their fields."),
    _query_param("limit", "limit is a maximum number of responses to return for a list call.", "integer"),
    _query_param("continue", "The continue option should be set when retrieving more results from the "
                 "server."),
    _query_param("resourceVersion", "resourceVersion sets a constraint on what resource versions a request "
                 "may be served from."),
    _query_param("watch", "Watch for changes to the described resources.", "boolean"),
    _query_param("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
]


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "description": description, "required": True,
            "schema": {"type": "string", "uniqueItems": True}}


def _json_response(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": schema},
            "application/yaml": {"schema": schema},
        },
    }


def _camel(text: str) -> str:
    parts = [p for p in text.replace("-", ".").split(".") if p]
    return "".join(p[:1].upper() + p[1:] for p in parts)


def _operation(
    action: str, op_verb: str, rt: ResourceType, kind: str, schema: dict[str, Any], *,
    gvk: dict[str, str], namespaced: bool, suffix: str = "", params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None, responses: dict[str, Any] | None = None,
) -> dict[str, Any]:
    scope = "Namespaced" if namespaced else ""
    group_part = _camel(rt.group) if rt.group else "Core"
    op_id = f"{op_verb}{group_part}{rt.version.capitalize()}{scope}{rt.kind}{suffix}"
    op: dict[str, Any] = {
        "tags": [f"{rt.group or 'core'}_{rt.version}"],
        "description": f"{action} {kind}",
        "operationId": op_id,
        "responses": responses or {"200": _json_response(schema), "401": {"description": "Unauthorized"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": gvk,
    }
    if params:
        op["parameters"] = params
    if body is not None:
        op["requestBody"] = body
    return op


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"*/*": {"schema": schema}}, "required": True}


def _patch_body() -> dict[str, Any]:
    return {"content": {ct: {"schema": ref(PATCH)} for ct in PATCH_CONTENT_TYPES}, "required": True}


def _write_responses(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": _json_response(schema), "201": _json_response(schema, "Created"),
            "401": {"description": "Unauthorized"}}


def _paths_for(rt: ResourceType, kind_schema: dict[str, Any], list_schema: dict[str, Any]) -> dict[str, Any]:
    base = f"/apis/{rt.group}/{rt.version}" if rt.group else f"/api/{rt.version}"
    gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
    verbs = set(rt.verbs)
    ns = rt.namespaced
    collection = f"{base}/namespaces/{{namespace}}/{rt.plural}" if ns else f"{base}/{rt.plural}"
    item = f"{collection}/{{name}}"
    common = [_PRETTY] + ([_path_param("namespace", "object name and auth scope")] if ns else [])
    name_param = _path_param("name", f"name of the {rt.kind}")
    writes = [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION]
    paths: dict[str, Any] = {}

    coll: dict[str, Any] = {"parameters": common}
    if "list" in verbs:
        coll["get"] = _operation("list", "list", rt, rt.kind, list_schema, gvk=gvk, namespaced=ns,
                                 params=_LIST_PARAMS)
    if "create" in verbs:
        coll["post"] = _operation("post", "create", rt, rt.kind, kind_schema, gvk=gvk, namespaced=ns,
                                  params=writes, body=_body(kind_schema),
                                  responses=_write_responses(kind_schema))
    if "deletecollection" in verbs:
        coll["delete"] = _operation("deletecollection", "deleteCollection", rt, rt.kind, ref(STATUS),
                                    gvk=gvk, namespaced=ns, params=[_DRY_RUN, *_LIST_PARAMS],
                                    body=_body(ref(DELETE_OPTIONS)))
    paths[collection] = coll

    one: dict[str, Any] = {"parameters": [name_param, *common]}
    if "get" in verbs:
        one["get"] = _operation("get", "read", rt, rt.kind, kind_schema, gvk=gvk, namespaced=ns)
    if "update" in verbs:
        one["put"] = _operation("put", "replace", rt, rt.kind, kind_schema, gvk=gvk, namespaced=ns,
                                params=writes, body=_body(kind_schema),
                                responses=_write_responses(kind_schema))
    if "patch" in verbs:
        one["patch"] = _operation("patch", "patch", rt, rt.kind, kind_schema, gvk=gvk, namespaced=ns,
                                  params=[*writes, _FORCE], body=_patch_body(),
                                  responses=_write_responses(kind_schema))
    if "delete" in verbs:
        one["delete"] = _operation("delete", "delete", rt, rt.kind, ref(STATUS), gvk=gvk, namespaced=ns,
                                   params=[_DRY_RUN], body=_body(ref(DELETE_OPTIONS)))
    paths[item] = one

    if ns and "list" in verbs:
        paths[f"{base}/{rt.plural}"] = {
            "parameters": [_PRETTY],
            "get": _operation("list", "list", rt, rt.kind, list_schema, gvk=gvk, namespaced=False,
                              suffix="ForAllNamespaces", params=_LIST_PARAMS),
        }

    for sub in sorted(rt.subresources):
        if sub == "scale":
            sub_schema = ref(SCALE)
            sub_gvk = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
        else:
            sub_schema, sub_gvk = kind_schema, gvk
        suffix = sub.capitalize()
        paths[f"{item}/{sub}"] = {
            "parameters": [name_param, *common],
            "get": _operation("get", "read", rt, rt.kind, sub_schema, gvk=sub_gvk, namespaced=ns,
                              suffix=suffix),
            "put": _operation("put", "replace", rt, rt.kind, sub_schema, gvk=sub_gvk, namespaced=ns,
                              suffix=suffix, params=writes, body=_body(sub_schema),
                              responses=_write_responses(sub_schema)),
            "patch": _operation("patch", "patch", rt, rt.kind, sub_schema, gvk=sub_gvk, namespaced=ns,
                                suffix=suffix, params=[*writes, _FORCE], body=_patch_body(),
                                responses=_write_responses(sub_schema)),
        }
    return paths


_BEARER = {"type": "apiKey", "description": "Bearer Token authentication", "name": "authorization",
           "in": "header"}


def _build_document(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    types = registry.in_group_version(group, version)
    if not types:
        return None
    paths: dict[str, Any] = {}
    roots: set[str] = {STATUS, DELETE_OPTIONS, PATCH}
    custom: dict[str, dict[str, Any]] = {}
    for rt in sorted(types, key=lambda r: r.plural):
        if rt.custom:
            schemas = custom_schemas(rt)
            custom.update(schemas)
            kind_schema, list_schema = ref(custom_kind_name(rt)), ref(custom_kind_name(rt, rt.list_kind))
        else:
            kind_name = builtin_kind_name(rt)
            list_name = builtin_kind_name(rt, rt.list_kind)
            kind_schema = ref(kind_name) if kind_name else {"type": "object"}
            list_schema = ref(list_name) if list_name else {"type": "object"}
            roots.update(n for n in (kind_name, list_name) if n)
        if "scale" in rt.subresources:
            roots.add(SCALE)
        paths.update(_paths_for(rt, kind_schema, list_schema))
    schemas = {**closure(roots, custom.values()), **custom}
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": K8S_SCHEMA_VERSION},
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"BearerToken": _BEARER},
        },
        "security": [{"BearerToken": []}],
    }


def _digest(doc: dict[str, Any]) -> str:
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha512(canonical).hexdigest().upper()


def _cached(registry: Registry, group: str, version: str) -> _Cached | None:
    entry = _CACHE.get(registry)
    if entry is None or entry[0] != registry.revision:
        entry = (registry.revision, {})
        _CACHE[registry] = entry
    docs = entry[1]
    key = (group, version)
    if key not in docs:
        doc = _build_document(registry, group, version)
        if doc is None:
            return None
        docs[key] = (doc, _digest(doc))
    return docs[key]


def openapi_v3_document(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """The OpenAPI 3 document of one group-version (None if not served). Shared: do not mutate."""
    cached = _cached(registry, group, version)
    return cached[0] if cached else None


def openapi_v3_hash(registry: Registry, group: str, version: str) -> str | None:
    cached = _cached(registry, group, version)
    return cached[1] if cached else None


def group_version_path(group: str, version: str) -> str:
    """`api/v1`, `apis/apps/v1`: the key of a group-version in the index."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def openapi_v3_index(registry: Registry) -> dict[str, Any]:
    """`GET /openapi/v3`: every served group-version with its document URL and content hash."""
    paths: dict[str, Any] = {}
    for group, versions in registry.groups():
        for version in versions:
            digest = openapi_v3_hash(registry, group, version)
            if digest is None:
                continue
            key = group_version_path(group, version)
            paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={digest}"}
    return {"paths": paths}
