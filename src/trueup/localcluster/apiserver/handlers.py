"""HTTP → verbs: one handler for every resource URL, dispatching on method and path shape.

    GET    collection → list, or watch (?watch=true, /watch/ paths)
    GET    object     → get (/scale: an autoscaling/v1 Scale)
    POST   collection → create (201)
    PUT    object     → update (/status, /scale, /finalize too)
    PATCH  object     → json, merge, strategic or apply patch (apply creates: 201)
    DELETE object     → delete; DELETE collection → deletecollection
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from .. import errors
from ..resources import ResourceType
from . import codec, deletes, reads, scale, writes
from .paths import RequestTarget, parse_resource_path
from .state import APIState, Obj, WriteOptions
from .watch import serve_watch

_MAX_MANAGER = 128
_JSON = "application/json"


def json_response(body: Any, status: int = 200, warnings: list[str] | None = None) -> web.Response:
    resp = web.Response(body=codec.dumps(body), status=status, content_type=_JSON)
    if warnings:
        for w in warnings:
            resp.headers.add("Warning", '299 - "' + w.replace('"', '\\"') + '"')
    return resp


def _manager(request: web.BaseRequest) -> str:
    manager = request.query.get("fieldManager", "")
    if not manager:
        ua = request.headers.get("User-Agent", "")
        manager = ua.split("/", 1)[0] if ua else "unknown"
    if len(manager) > _MAX_MANAGER or not manager.isprintable():
        raise errors.invalid("PatchOptions", "", [errors.field_cause(
            "fieldManager", f"Too long: may not be longer than {_MAX_MANAGER} and must be printable",
            "FieldValueTooLong")])
    return manager


def _write_options(request: web.BaseRequest, subresource: str) -> WriteOptions:
    q = request.query
    dry = q.getall("dryRun", [])
    for d in dry:
        if d != "All":
            raise errors.invalid("CreateOptions", "", [errors.field_cause(
                "dryRun", f'Unsupported value: "{d}": supported values: "All"', "FieldValueNotSupported")])
    fv = q.get("fieldValidation") or "Warn"
    if fv not in ("Strict", "Warn", "Ignore"):
        raise errors.bad_request(
            f'fieldValidation parameter unsupported value: "{fv}": supported values: "Ignore", "Strict", "Warn"')
    force = q.get("force", "false").lower() in ("true", "1")
    return WriteOptions(manager=_manager(request), dry_run=bool(dry), field_validation=fv, force=force,
                        subresource=subresource, manager_given=bool(q.get("fieldManager")))


def _list_options(request: web.BaseRequest) -> reads.ListOptions:
    q = request.query
    try:
        limit = int(q.get("limit") or 0)
    except ValueError:
        raise errors.bad_request(f'invalid limit "{q.get("limit")}"') from None
    return reads.ListOptions(
        label_selector=q.get("labelSelector", ""),
        field_selector=q.get("fieldSelector", ""),
        limit=max(limit, 0),
        continue_token=q.get("continue", ""),
        resource_version=q.get("resourceVersion", ""),
        resource_version_match=q.get("resourceVersionMatch", ""),
    )


def _resolve(state: APIState, target: RequestTarget) -> tuple[ResourceType, str | None]:
    rt = state.resource_type(target.group, target.version, target.resource)
    if rt.namespaced:
        namespace = target.namespace
    else:
        if target.namespace is not None:
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
        namespace = ""
    if target.subresource:
        allowed = set(rt.subresources)
        if rt.kind == "Namespace" and not rt.custom:
            allowed.add("finalize")
        if target.subresource not in allowed or not target.name:
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
    return rt, namespace


async def _read_body(request: web.BaseRequest) -> bytes:
    if request.content_length is not None and request.content_length > codec.MAX_BODY_BYTES:
        raise errors.too_large(f"the request body is larger than {codec.MAX_BODY_BYTES} bytes")
    if request.content_length is not None:
        # the parser delivers exactly Content-Length bytes (fewer only if the client goes away)
        try:
            return await request.content.readexactly(request.content_length)
        except asyncio.IncompleteReadError as exc:
            return exc.partial
    # chunked: StreamReader.read(n) returns what has arrived so far: read until EOF, within the limit
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(65536):
        size += len(chunk)
        if size > codec.MAX_BODY_BYTES:
            raise errors.too_large(f"the request body is larger than {codec.MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _delete_options(request: web.BaseRequest, body: bytes) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if body.strip():
        if codec.media_type(request.content_type) == codec.PROTOBUF:
            raise codec.refuse_protobuf()
        value = codec.decode_any(body, codec.media_type(request.content_type))
        if not isinstance(value, dict):
            raise errors.bad_request("DeleteOptions must be an object")
        options = value
    q = request.query
    if q.get("propagationPolicy"):
        options["propagationPolicy"] = q["propagationPolicy"]
    if q.get("gracePeriodSeconds"):
        options["gracePeriodSeconds"] = q["gracePeriodSeconds"]
    if q.get("orphanDependents"):
        options["orphanDependents"] = q["orphanDependents"] == "true"
    if options.get("dryRun"):
        options["_dry_run"] = True
    return options


async def handle_resource(state: APIState, request: web.BaseRequest) -> web.StreamResponse:
    target = parse_resource_path(request.path)
    if target is None:
        raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
    rt, namespace = _resolve(state, target)
    method = request.method
    name = target.name
    sub = target.subresource
    accept = codec.negotiate(request.headers.get("Accept"), request.query.get("includeObject"))

    if method == "GET":
        if name and not target.legacy_watch:
            obj = reads.get(state, rt, namespace or "", name)
            if sub == "scale":
                return json_response(scale.to_scale(rt, obj))
            return json_response(reads.object_body(rt, obj, accept))
        opts = _list_options(request)
        if name:  # legacy /watch/.../name
            opts = reads.ListOptions(field_selector=f"metadata.name={name}", resource_version=opts.resource_version)
        if target.legacy_watch or request.query.get("watch") in ("true", "1"):
            return await serve_watch(request, state, rt, namespace, opts, accept)
        items, rv, token = reads.list_objects(state, rt, namespace, opts)
        return json_response(reads.list_body(rt, items, rv, token, accept))

    if rt.namespaced and namespace is None and method != "GET":
        raise errors.method_not_allowed(f"{method} is not supported on {rt.group_resource} across all namespaces")
    ns = namespace or ""
    body = await _read_body(request)
    wopts = _write_options(request, sub)

    if method == "POST":
        if name:
            raise errors.method_not_allowed(f"POST is not supported on a named {rt.kind}")
        obj = codec.decode_object(body, request.content_type)
        return json_response(writes.create(state, rt, ns, obj, wopts), 201, wopts.warnings)

    if not name and method != "DELETE":
        raise errors.method_not_allowed(f"{method} needs an object name")

    if method == "PUT":
        obj = codec.decode_object(body, request.content_type)
        if sub == "scale":
            live = reads.get(state, rt, ns, name)
            return json_response(scale.put_scale(state, rt, live, obj, wopts), 200, wopts.warnings)
        return json_response(writes.update(state, rt, ns, name, obj, wopts), 200, wopts.warnings)

    if method == "PATCH":
        if sub == "scale":
            live = reads.get(state, rt, ns, name)
            out = scale.patch_scale(state, rt, live, request.content_type, body, wopts)
            return json_response(out, 200, wopts.warnings)
        obj, created = writes.patch(state, rt, ns, name, request.content_type, body, wopts)
        return json_response(obj, 201 if created else 200, wopts.warnings)

    if method == "DELETE":
        options = _delete_options(request, body)
        if options.pop("_dry_run", False):
            wopts.dry_run = True
        if name:
            return json_response(deletes.delete(state, rt, ns, name, options, wopts))
        lopts = _list_options(request)
        items, _, _ = reads.list_objects(state, rt, namespace, reads.ListOptions(
            label_selector=lopts.label_selector, field_selector=lopts.field_selector))
        deleted = deletes.delete_collection(state, rt, namespace, items, options, wopts)
        return json_response(reads.list_body(rt, deleted, state.store.current_rv, None, codec.Accept()))

    raise errors.method_not_allowed(f"method {method} is not supported")


def status_response(exc: errors.APIError) -> web.Response:
    body: Obj = exc.status()
    headers = {}
    if exc.retry_after:
        headers["Retry-After"] = str(exc.retry_after)
    return web.Response(body=codec.dumps(body), status=exc.code,
                        headers={"Content-Type": "application/json", **headers})
