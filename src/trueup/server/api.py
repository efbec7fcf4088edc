"""The read routes: probes, /metrics, and the Applications API (JSON; errors as {"error": ...}).

```
GET /healthz                        200 {"status": "ok"} while the process serves
GET /readyz                         200 {"status": "ready"} | 503 {"status": "not ready"} (hooks.ready)
GET /metrics                        Prometheus text (OpenMetrics when the Accept header asks)
GET /api/v1/applications            200 {"items": [...]}                         (bearer token)
GET /api/v1/applications/{name}     200 the Application | 400 bad name | 404     (bearer token)
    [?api=trueup.dev|argoproj.io]   which API's app, when both have one of that name (else 409)
```
"""

from __future__ import annotations

import re

from aiohttp import web

from .config import APIS, HOOKS, METRICS, AmbiguousApplication

# A Kubernetes object name (DNS subdomain): lower-case alphanumerics, '-' and '.', at most 253.
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    if request.app[HOOKS].ready():
        return web.json_response({"status": "ready"})
    return web.json_response({"status": "not ready"}, status=503)


async def metrics(request: web.Request) -> web.Response:
    body, content_type = request.app[METRICS].exposition(request.headers.get("Accept"))
    return web.Response(body=body, headers={"Content-Type": content_type})


async def list_applications(request: web.Request) -> web.Response:
    items = await request.app[HOOKS].app_list()
    return web.json_response({"items": items})


async def get_application(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if not _NAME.match(name):
        return error(400, "invalid application name: lower-case letters, digits, '-' and '.', at most 253")
    api = request.query.get("api")
    if api is not None and api not in APIS:
        return error(400, f"invalid api {api!r}: one of {', '.join(APIS)}")
    try:
        app = await (request.app[HOOKS].app_get(name) if api is None else request.app[HOOKS].app_get(name, api))
    except AmbiguousApplication as exc:
        return error(409, str(exc))
    if app is None:
        return error(404, f"application {name!r} not found" + (f" in {api}" if api else ""))
    return web.json_response(app)
