"""trueup's HTTP server: the API, Git webhooks, Prometheus metrics and health probes (no UI yet).

```python
config = ServerConfig(api_tokens=(token,), webhook_secrets={"github": secret})
hooks = ServerHooks(apps=controller.app_refs, refresh=controller.refresh,
                    app_list=controller.app_list, app_get=controller.app_get, ready=controller.ready)
running = await serve(build_app(config, hooks, metrics), "127.0.0.1:8080")   # port 0: any free port
...
await running.stop()
```

Routes:

```
GET  /healthz, /readyz                  no auth (readiness from hooks.ready)
GET  /metrics                           no auth unless ServerConfig.metrics_require_token
POST /api/webhook                       signature-verified deliveries (webhook module); 202/200/4xx
GET  /api/v1/applications[/{name}]      bearer token; JSON; errors as {"error": ...}; trueup.dev and
                                        (when reconciled) argoproj.io apps; ?api= picks one of a shared name
```

Secure by default: 127.0.0.1 unless told otherwise; every route but the probes, the webhook and
(by default) /metrics needs a bearer token, compared in constant time; webhook signatures always
verified when a secret is configured, unsigned deliveries refused unless explicitly allowed;
no header, body, query string or configured secret in the logs, errors or API answers.

Modules: `config` (ServerConfig, ServerHooks), `app` (build_app, middlewares), `auth` (bearer
tokens, public routes), `api` (probes, metrics, applications), `webhook` (the webhook route),
`runner` (serve, Running, parse_listen), `logs` (the logger and its secret filter).
"""

from .app import build_app
from .config import APIS, AmbiguousApplication, ServerConfig, ServerHooks
from .runner import DEFAULT_LISTEN, Running, parse_listen, serve

__all__ = [
    "APIS",
    "DEFAULT_LISTEN",
    "AmbiguousApplication",
    "Running",
    "ServerConfig",
    "ServerHooks",
    "build_app",
    "parse_listen",
    "serve",
]
