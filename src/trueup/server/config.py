"""What the server is told (`ServerConfig`) and what it calls (`ServerHooks`), plus its app keys.

`ServerConfig` holds the secrets: API bearer tokens and webhook secrets per provider. None of
them is ever shown: they are left out of `repr()`, and the server's log filter masks them.

`ServerHooks` are the controller's callbacks. Each has a harmless default so the HTTP API exists
before the controller does: no apps, nothing to refresh, ready.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from aiohttp import web

from trueup.metrics import Metrics
from trueup.webhooks import MAX_BODY_BYTES, PROVIDERS, AppRef

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class ServerConfig:
    """How the server authenticates callers and webhook deliveries.

    api_tokens               bearer tokens accepted on /api/v1 (none: every API call is a 401)
    webhook_secrets          provider name (see trueup.webhooks.PROVIDERS) -> its webhook secret
    allow_unsigned_webhooks  accept deliveries of providers with no secret configured (never
                             deliveries whose signature is wrong: a configured secret is always checked)
    max_body_bytes           cap on a webhook body (413 above it, before anything is parsed)
    metrics_require_token    /metrics asks for a bearer token too (off: like most exporters)
    """

    api_tokens: tuple[str, ...] = field(default=(), repr=False)
    webhook_secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    allow_unsigned_webhooks: bool = False
    max_body_bytes: int = MAX_BODY_BYTES
    metrics_require_token: bool = False

    def __post_init__(self) -> None:
        tokens = (self.api_tokens,) if isinstance(self.api_tokens, str) else tuple(self.api_tokens)
        if any(not isinstance(t, str) or not t.strip() for t in tokens):
            raise ValueError("api_tokens: every token must be a non-empty string")
        object.__setattr__(self, "api_tokens", tokens)
        unknown = sorted(set(self.webhook_secrets) - set(PROVIDERS))
        if unknown:
            raise ValueError(f"webhook_secrets: unknown provider(s) {', '.join(unknown)}; "
                             f"use {', '.join(PROVIDERS)}")
        secrets = {p: s for p, s in self.webhook_secrets.items() if s}
        object.__setattr__(self, "webhook_secrets", MappingProxyType(secrets))
        if self.max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be positive")

    def secrets(self) -> list[str]:
        """Every secret value configured: what the log filter masks."""
        return [*self.api_tokens, *self.webhook_secrets.values()]


def _no_apps() -> list[AppRef]:
    return []


async def _no_refresh(apps: list[AppRef], reason: str) -> None:
    return None


async def _no_app_list() -> list[JsonObject]:
    return []


async def _no_app(name: str, api: str | None = None) -> JsonObject | None:
    return None


class AmbiguousApplication(Exception):
    """`app_get(name)` without `api` when Applications of that name exist in both APIs (409); the
    message names them and says how to choose (`?api=trueup.dev|argoproj.io`)."""


APIS = ("trueup.dev", "argoproj.io")  # the Application API groups `app_get(name, api)` takes


def _always_ready() -> bool:
    return True


@dataclass
class ServerHooks:
    """The controller's side of the server.

    apps()                  every Application source, for webhook matching (called per delivery)
    refresh(apps, reason)   refresh these apps now (the controller queues; the webhook answers 202)
    app_list()              the Applications as JSON objects, for GET /api/v1/applications
    app_get(name, api=None) one Application as a JSON object, or None (404); `api` (one of APIS) is
                            passed only when the caller chose one; AmbiguousApplication: a 409
    ready()                 whether /readyz answers 200 (caches synced, leader known, ...)
    """

    apps: Callable[[], list[AppRef]] = _no_apps
    refresh: Callable[[list[AppRef], str], Awaitable[None]] = _no_refresh
    app_list: Callable[[], Awaitable[list[JsonObject]]] = _no_app_list
    app_get: Callable[..., Awaitable[JsonObject | None]] = _no_app
    ready: Callable[[], bool] = _always_ready


CONFIG = web.AppKey("trueup.config", ServerConfig)
HOOKS = web.AppKey("trueup.hooks", ServerHooks)
METRICS = web.AppKey("trueup.metrics", Metrics)
