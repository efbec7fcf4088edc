"""`build_app`: the aiohttp application, its routes and the middlewares every request passes.

```
log_requests     one line per request: method, path (no query), status, duration, remote
  json_errors    aiohttp's 404/405/... and unexpected exceptions as {"error": ...} (500s say nothing more)
    authenticate bearer token on every non-public route (auth.PUBLIC_ROUTES), 401 + WWW-Authenticate
      handler
```

While the app runs, a `SecretFilter` on the server's logger masks every configured secret.
"""

from __future__ import annotations

import time

from aiohttp import web
from aiohttp.typedefs import Handler

from trueup.metrics import Metrics

from . import api
from .auth import check_bearer, is_public
from .config import CONFIG, HOOKS, METRICS, ServerConfig, ServerHooks
from .logs import SecretFilter, log
from .webhook import handle_webhook


@web.middleware
async def log_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        log.info("%s %s %d %.1fms %s", request.method, request.path, status,
                 (time.perf_counter() - started) * 1000, request.remote or "-")


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "www-authenticate")}
        return web.json_response({"error": exc.reason.lower()}, status=exc.status, headers=headers)
    except Exception:
        log.exception("%s %s: unexpected error", request.method, request.path)
        return web.json_response({"error": "internal server error"}, status=500)


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    config = request.app[CONFIG]
    if not is_public(request, config.metrics_require_token):
        problem = check_bearer(request, config.api_tokens)
        if problem is not None:
            log.warning("%s %s: 401 %s", request.method, request.path, problem)
            return web.json_response({"error": problem}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="trueup"'})
    return await handler(request)


def build_app(config: ServerConfig, hooks: ServerHooks | None = None, metrics: Metrics | None = None
              ) -> web.Application:
    """The server's application: routes, auth, logging. `metrics` defaults to a fresh registry."""
    app = web.Application(middlewares=[log_requests, json_errors, authenticate],
                          client_max_size=config.max_body_bytes)
    app[CONFIG] = config
    app[HOOKS] = hooks if hooks is not None else ServerHooks()
    app[METRICS] = metrics if metrics is not None else Metrics()
    app.router.add_get("/healthz", api.healthz)
    app.router.add_get("/readyz", api.readyz)
    app.router.add_get("/metrics", api.metrics)
    app.router.add_post("/api/webhook", handle_webhook)
    app.router.add_get("/api/v1/applications", api.list_applications)
    app.router.add_get("/api/v1/applications/{name}", api.get_application)

    secret_filter = SecretFilter(config.secrets())

    async def install_filter(_: web.Application) -> None:
        log.addFilter(secret_filter)

    async def remove_filter(_: web.Application) -> None:
        log.removeFilter(secret_filter)

    app.on_startup.append(install_filter)
    app.on_cleanup.append(remove_filter)
    return app
