"""Bearer tokens: which routes are public, and a constant-time check for the rest.

Secure by default: every route requires `Authorization: Bearer <token>` except the probes, the
webhook (authenticated by its signature instead) and, unless configured otherwise, /metrics.
Routes added later are protected without anyone remembering to. Unknown paths are a 401 for an
anonymous caller (no route discovery without a token).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from aiohttp import web

PUBLIC_ROUTES = frozenset({"/healthz", "/readyz", "/api/webhook"})
METRICS_ROUTE = "/metrics"


def route_of(request: web.Request) -> str | None:
    """The canonical path of the route that matched, or None (404/405)."""
    route = request.match_info.route
    return route.resource.canonical if route.resource is not None else None


def is_public(request: web.Request, metrics_require_token: bool) -> bool:
    route = route_of(request)
    return route in PUBLIC_ROUTES or (route == METRICS_ROUTE and not metrics_require_token)


def token_valid(presented: str, tokens: Iterable[str]) -> bool:
    """Whether `presented` equals a configured token; every token is compared, in constant time."""
    given = presented.encode()
    ok = False
    for token in tokens:
        ok |= hmac.compare_digest(given, token.encode())
    return ok


def check_bearer(request: web.Request, tokens: tuple[str, ...]) -> str | None:
    """None when the request carries a valid bearer token, else why not (never echoing it)."""
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if not header:
        return "authentication required: send Authorization: Bearer <token>"
    if scheme.lower() != "bearer" or not presented.strip():
        return "authentication required: the Authorization header must be Bearer <token>"
    if not tokens:
        return "no API token is configured on this server: the API is closed"
    if not token_valid(presented.strip(), tokens):
        return "invalid token"
    return None
