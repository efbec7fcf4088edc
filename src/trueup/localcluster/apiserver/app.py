"""The request handler of aiohttp's low-level server: authentication, routing, error bodies,
and the non-resource endpoints.

Every request but the health probes needs `Authorization: Bearer <token>` (compared in
constant time); failures are 401 Status bodies. Unexpected exceptions become a 500 Status
with a generic message (details go to the log, never to the client). Discovery (aggregated
v2 and legacy) and OpenAPI v3 are generated from the registry; `/openapi/v2` answers 404 so
kubectl uses v3.

Routing is a few string tests, not aiohttp's Application/UrlDispatcher/middleware stack (which
cost more per request than our own routing, auth and error handling together): resource URLs
(`/api/V/...`, `/apis/G/V/...`, nearly every request) go straight to `handle_resource`; the
rest are exact paths or one-segment patterns; anything else, or another method than GET/HEAD
on a GET endpoint, is a 404 Status. As aiohttp's router did, paths are matched with `%2F` kept
encoded and the captured segments decoded.
"""

from __future__ import annotations

import hmac
import logging
import platform
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .. import discovery, errors
from ..schema import K8S_SCHEMA_VERSION
from . import codec
from .handlers import handle_resource, json_response, status_response
from .state import APIState

log = logging.getLogger("trueup.localcluster.apiserver")

AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
# gnostic openapi_v2.Document{swagger: "2.0"} in protobuf wire format (field 1, length-delimited).
_EMPTY_OPENAPI_V2 = b"\x0a\x032.0"
_PUBLIC = frozenset({"/healthz", "/livez", "/readyz"})
Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
#: called with (method, path, query string) of every request served (GETs as they start, the
#: others once handled, just before their response is sent)
Audit = Callable[[str, str, str], None]
_GET_METHODS = ("GET", "HEAD")


def _wants_aggregated(request: web.BaseRequest) -> bool:
    accept = request.headers.get("Accept", "")
    for clause in accept.split(","):
        params = {p.split("=", 1)[0].strip(): p.split("=", 1)[1].strip()
                  for p in clause.split(";")[1:] if "=" in p}
        if params.get("g") == "apidiscovery.k8s.io" and params.get("as") == "APIGroupDiscoveryList":
            return params.get("v") == "v2"
        if clause.strip().split(";")[0].strip() in ("application/json", "*/*"):
            return False
    return False


def build_server(
    state: APIState, token: str, version_info: dict[str, str] | None = None, *,
    audit: Audit | None = None, **kwargs: Any,
) -> web.Server:
    """aiohttp's low-level server for the API (`kwargs` go to it, e.g. access_log=None);
    serve it with `web.ServerRunner`. Needs a running event loop."""
    expected = f"Bearer {token}".encode()

    def not_found() -> errors.APIError:
        return errors.APIError(404, "NotFound", "the server could not find the requested resource")

    async def ok(request: web.BaseRequest) -> web.Response:
        return web.Response(text="ok")

    info = version_info or {
        "major": "1", "minor": "37", "gitVersion": f"{K8S_SCHEMA_VERSION}+trueup",
        "gitCommit": "trueup", "gitTreeState": "clean", "buildDate": "2026-11-01T00:00:00Z",
        "goVersion": "python" + platform.python_version(), "compiler": "cpython",
        "platform": f"{platform.system().lower()}/{platform.machine()}",
    }

    async def version(request: web.BaseRequest) -> web.Response:
        return json_response(info)

    async def api_root(request: web.BaseRequest) -> web.Response:
        if _wants_aggregated(request):
            body = discovery.aggregated_discovery(state.registry, core=True)
            return web.Response(body=codec.dumps(body), headers={"Content-Type": AGGREGATED_V2})
        host = request.host.split(":")[0]
        return json_response(discovery.legacy_api_versions(f"{host}:{request.url.port or 443}"))

    async def apis_root(request: web.BaseRequest) -> web.Response:
        if _wants_aggregated(request):
            body = discovery.aggregated_discovery(state.registry, core=False)
            return web.Response(body=codec.dumps(body), headers={"Content-Type": AGGREGATED_V2})
        return json_response(discovery.legacy_group_list(state.registry))

    def core_resources(version: str) -> web.Response:
        body = discovery.legacy_resource_list(state.registry, "", version)
        if body is None:
            raise not_found()
        return json_response(body)

    def group(name: str) -> web.Response:
        for g in discovery.legacy_group_list(state.registry).get("groups", []):
            if g.get("name") == name:
                return json_response({"kind": "APIGroup", "apiVersion": "v1", **g})
        raise not_found()

    def group_version(group: str, version: str) -> web.Response:
        body = discovery.legacy_resource_list(state.registry, group, version)
        if body is None:
            raise not_found()
        return json_response(body)

    async def openapi_index(request: web.BaseRequest) -> web.Response:
        return json_response(discovery.openapi_v3_index(state.registry))

    def openapi_doc(path: str) -> web.Response:
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) == 2:
            doc = discovery.openapi_v3_document(state.registry, "", parts[1])
        elif parts[0] == "apis" and len(parts) == 3:
            doc = discovery.openapi_v3_document(state.registry, parts[1], parts[2])
        else:
            doc = None
        if doc is None:
            raise not_found()
        return json_response(doc)

    async def openapi_v2(request: web.BaseRequest) -> web.Response:
        # kubectl validates `kind: List` documents client-side against OpenAPI v2 (protobuf only).
        # An empty v2 document (swagger "2.0", no definitions) lets it pass them on to the server,
        # which validates every item itself. JSON is never served here (kubectl must use v3).
        if "com.github.proto-openapi.spec.v2" not in request.headers.get("Accept", ""):
            raise not_found()
        return web.Response(body=_EMPTY_OPENAPI_V2, headers={"Content-Type": PROTOBUF_V2})

    exact: dict[str, Handler] = {
        "/healthz": ok, "/livez": ok, "/readyz": ok, "/version": version,
        "/api": api_root, "/api/": api_root, "/apis": apis_root, "/apis/": apis_root,
        "/openapi/v3": openapi_index, "/openapi/v2": openapi_v2,
    }

    async def route(request: web.BaseRequest, path: str) -> web.StreamResponse:
        """`path` is the URL path with %2F kept encoded (aiohttp's path_safe)."""
        if path.startswith("/api/"):
            # /api/{version}/{rest}: a resource URL; /api/{version}: the core resource list
            slash = path.find("/", 5)
            if slash > 5 and slash + 1 < len(path) and "{" not in path[5:slash] and "}" not in path[5:slash]:
                return await handle_resource(state, request)
        elif path.startswith("/apis/"):
            # /apis/{group}/{version}/{rest}: a resource URL
            first = path.find("/", 6)
            second = path.find("/", first + 1) if first > 6 else -1
            if second > first + 1 and second + 1 < len(path) and not _braces(path[6:second]):
                return await handle_resource(state, request)
        if request.method not in _GET_METHODS:
            raise not_found()
        handler = exact.get(path)
        if handler is not None:
            return await handler(request)
        segments = path.split("/")  # ["", first, ...]
        top = segments[1]
        if top in ("healthz", "livez", "readyz") and len(segments) > 2:
            return await ok(request)
        n = len(segments)
        if top == "api" and n == 3 and _segment(segments[2]):
            return core_resources(_unquote(segments[2]))
        if top == "apis" and n == 3 and _segment(segments[2]):
            return group(_unquote(segments[2]))
        if top == "apis" and n == 4 and _segment(segments[2]) and _segment(segments[3]):
            return group_version(_unquote(segments[2]), _unquote(segments[3]))
        if path.startswith("/openapi/v3/") and len(path) > 12:
            return openapi_doc(_unquote(path[12:]))
        raise not_found()

    async def serve(request: web.BaseRequest) -> web.StreamResponse:
        path = request.path
        if not (path in _PUBLIC or path.startswith(("/healthz/", "/livez/", "/readyz/"))):
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return status_response(errors.unauthorized())
        try:
            return await route(request, request.rel_url.path_safe)
        except errors.APIError as exc:
            return status_response(exc)
        except web.HTTPException:
            raise
        except Exception:
            log.exception("internal error serving %s %s", request.method, request.path)
            return status_response(errors.internal("an internal error occurred; see the server log"))

    handler: Handler = serve
    if audit is not None:
        record = audit

        async def audited(request: web.BaseRequest) -> web.StreamResponse:
            # GETs (watches too) as they start; writes once done, so a test that sees one in the
            # audit sees its effect too
            if request.method == "GET":
                record(request.method, request.path, request.query_string)
                return await serve(request)
            response = await serve(request)
            record(request.method, request.path, request.query_string)
            return response

        handler = audited
    return web.Server(handler, **kwargs)


def _segment(value: str) -> bool:
    """What aiohttp's `{name}` matched: a non-empty path segment without braces."""
    return bool(value) and not _braces(value)


def _unquote(value: str) -> str:
    """A captured segment of a path_safe path, decoded as aiohttp's router decodes match_info."""
    if "%" not in value:
        return value
    return value.replace("%2F", "/").replace("%25", "%")


def _braces(value: str) -> bool:
    return "{" in value or "}" in value
