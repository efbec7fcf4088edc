"""The aiohttp application: authentication, error bodies, and the non-resource endpoints.

Every request but the health probes needs `Authorization: Bearer <token>` (compared in
constant time); failures are 401 Status bodies. Unexpected exceptions become a 500 Status
with a generic message (details go to the log, never to the client). Discovery (aggregated
v2 and legacy) and OpenAPI v3 are generated from the registry; `/openapi/v2` answers 404 so
kubectl uses v3.
"""

from __future__ import annotations

import hmac
import logging
import platform
from collections.abc import Awaitable, Callable

from aiohttp import web

from .. import discovery, errors
from ..schema import K8S_SCHEMA_VERSION
from . import codec
from .handlers import STATE, handle_resource, json_response, status_response
from .state import APIState

log = logging.getLogger("trueup.localcluster.apiserver")

AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
# gnostic openapi_v2.Document{swagger: "2.0"} in protobuf wire format (field 1, length-delimited).
_EMPTY_OPENAPI_V2 = b"\x0a\x032.0"
_PUBLIC = frozenset({"/healthz", "/livez", "/readyz"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _wants_aggregated(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    for clause in accept.split(","):
        params = {p.split("=", 1)[0].strip(): p.split("=", 1)[1].strip()
                  for p in clause.split(";")[1:] if "=" in p}
        if params.get("g") == "apidiscovery.k8s.io" and params.get("as") == "APIGroupDiscoveryList":
            return params.get("v") == "v2"
        if clause.strip().split(";")[0].strip() in ("application/json", "*/*"):
            return False
    return False


def build_app(state: APIState, token: str, version_info: dict[str, str] | None = None) -> web.Application:
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if not (path in _PUBLIC or path.startswith(("/healthz/", "/livez/", "/readyz/"))):
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return status_response(errors.unauthorized())
        try:
            return await handler(request)
        except errors.APIError as exc:
            return status_response(exc)
        except web.HTTPException:
            raise
        except Exception:
            log.exception("internal error serving %s %s", request.method, path)
            return status_response(errors.internal("an internal error occurred; see the server log"))

    app = web.Application(middlewares=[guard], client_max_size=codec.MAX_BODY_BYTES + 1)
    app[STATE] = state

    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    info = version_info or {
        "major": "1", "minor": "37", "gitVersion": f"{K8S_SCHEMA_VERSION}+trueup",
        "gitCommit": "trueup", "gitTreeState": "clean", "buildDate": "2026-11-01T00:00:00Z",
        "goVersion": "python" + platform.python_version(), "compiler": "cpython",
        "platform": f"{platform.system().lower()}/{platform.machine()}",
    }

    async def version(request: web.Request) -> web.Response:
        return json_response(info)

    async def api_root(request: web.Request) -> web.Response:
        if _wants_aggregated(request):
            body = discovery.aggregated_discovery(state.registry, core=True)
            return web.Response(body=codec.dumps(body), headers={"Content-Type": AGGREGATED_V2})
        host = request.host.split(":")[0]
        return json_response(discovery.legacy_api_versions(f"{host}:{request.url.port or 443}"))

    async def apis_root(request: web.Request) -> web.Response:
        if _wants_aggregated(request):
            body = discovery.aggregated_discovery(state.registry, core=False)
            return web.Response(body=codec.dumps(body), headers={"Content-Type": AGGREGATED_V2})
        return json_response(discovery.legacy_group_list(state.registry))

    async def core_resources(request: web.Request) -> web.Response:
        body = discovery.legacy_resource_list(state.registry, "", request.match_info["version"])
        if body is None:
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
        return json_response(body)

    async def group(request: web.Request) -> web.Response:
        name = request.match_info["group"]
        for g in discovery.legacy_group_list(state.registry).get("groups", []):
            if g.get("name") == name:
                return json_response({"kind": "APIGroup", "apiVersion": "v1", **g})
        raise errors.APIError(404, "NotFound", "the server could not find the requested resource")

    async def group_version(request: web.Request) -> web.Response:
        body = discovery.legacy_resource_list(state.registry, request.match_info["group"],
                                              request.match_info["version"])
        if body is None:
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
        return json_response(body)

    async def openapi_index(request: web.Request) -> web.Response:
        return json_response(discovery.openapi_v3_index(state.registry))

    async def openapi_doc(request: web.Request) -> web.Response:
        parts = request.match_info["path"].strip("/").split("/")
        if parts[0] == "api" and len(parts) == 2:
            doc = discovery.openapi_v3_document(state.registry, "", parts[1])
        elif parts[0] == "apis" and len(parts) == 3:
            doc = discovery.openapi_v3_document(state.registry, parts[1], parts[2])
        else:
            doc = None
        if doc is None:
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
        return json_response(doc)

    async def openapi_v2(request: web.Request) -> web.Response:
        # kubectl validates `kind: List` documents client-side against OpenAPI v2 (protobuf only).
        # An empty v2 document (swagger "2.0", no definitions) lets it pass them on to the server,
        # which validates every item itself. JSON is never served here (kubectl must use v3).
        if "com.github.proto-openapi.spec.v2" not in request.headers.get("Accept", ""):
            raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
        return web.Response(body=_EMPTY_OPENAPI_V2, headers={"Content-Type": PROTOBUF_V2})

    async def not_found(request: web.Request) -> web.Response:
        raise errors.APIError(404, "NotFound", "the server could not find the requested resource")

    r = app.router
    # Resource URLs first: nearly every request is one, and no other route matches them (the
    # discovery routes below have fewer segments), so resolution stops at the first candidate.
    r.add_route("*", "/api/{version}/{tail:.+}", handle_resource)
    r.add_route("*", "/apis/{group}/{version}/{tail:.+}", handle_resource)
    for p in ("/healthz", "/livez", "/readyz"):
        r.add_get(p, ok)
        r.add_get(p + "/{check:.*}", ok)
    r.add_get("/version", version)
    r.add_get("/api", api_root)
    r.add_get("/api/", api_root)
    r.add_get("/apis", apis_root)
    r.add_get("/apis/", apis_root)
    r.add_get("/api/{version}", core_resources)
    r.add_get("/apis/{group}", group)
    r.add_get("/apis/{group}/{version}", group_version)
    r.add_get("/openapi/v3", openapi_index)
    r.add_get("/openapi/v3/{path:.+}", openapi_doc)
    r.add_get("/openapi/v2", openapi_v2)
    r.add_route("*", "/{tail:.*}", not_found)
    return app
