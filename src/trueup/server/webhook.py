"""POST /api/webhook: one Git host delivery, from bytes to a refresh of the apps it concerns.

```
read the body, at most max_body_bytes (413 as soon as it is over: Content-Length or streamed)
detect_provider(headers)                       400 when no provider's event header is present
verify(provider, headers, body, secret,        401 forged, missing or unconfigured signature
       allow_unsigned, url_token=?secret=)     (the ?secret= token counts for Bitbucket Cloud only)
parse_all(...)                                 400 malformed; [] (a ping, another event) -> 200 ignored
select_apps(event, hooks.apps()) for each      none -> 200 "no matching apps"
await hooks.refresh(apps, reason)              -> 202 {"apps": [names]}; a failure -> 500
```

A rejected delivery changes nothing: `refresh` is only reached after verification and parsing.
Every delivery is counted in `trueup_webhook_requests_total{provider,result}`.
"""

from __future__ import annotations

from aiohttp import web

from trueup.metrics import WebhookResult
from trueup.webhooks import AppRef, PushEvent, WebhookRejected, detect_provider, parse_all, select_apps, verify

from .config import CONFIG, HOOKS, METRICS
from .logs import log

_RESULT_OF_STATUS: dict[int, WebhookResult] = {400: "bad_request", 401: "unauthorized", 413: "too_large"}


async def read_capped(request: web.Request, limit: int) -> bytes:
    """The body, or a 413 `WebhookRejected` once it is known to exceed `limit` (without reading it all)."""
    if request.content_length is not None and request.content_length > limit:
        raise WebhookRejected(413, f"payload of {request.content_length} bytes is over the {limit}-byte limit")
    body = bytearray()
    async for chunk in request.content.iter_any():
        body += chunk
        if len(body) > limit:
            raise WebhookRejected(413, f"payload is over the {limit}-byte limit")
    return bytes(body)


def describe(events: list[PushEvent]) -> str:
    """`push to refs/heads/main (9f8e7d6c5b4a)`, joined for deliveries with several refs."""
    return ", ".join(f"push to {e.ref} ({(e.commit_sha or 'deleted')[:12]})" for e in events)


def app_names(apps: list[AppRef]) -> list[str]:
    return list(dict.fromkeys(app.name for app in apps))


async def handle_webhook(request: web.Request) -> web.Response:
    config, hooks, metrics = request.app[CONFIG], request.app[HOOKS], request.app[METRICS]
    provider = "unknown"

    def answer(status: int, result: WebhookResult, payload: dict[str, object]) -> web.Response:
        metrics.record_webhook(provider, result)
        return web.json_response(payload, status=status)

    try:
        body = await read_capped(request, config.max_body_bytes)
        detected = detect_provider(request.headers)
        if detected is None:
            raise WebhookRejected(400, "not a webhook delivery this server knows: no provider event header "
                                       "(X-GitHub-Event, X-Gitlab-Event, X-Gitea-Event, X-Gogs-Event, "
                                       "X-Event-Key, X-Trueup-Event)")
        provider = detected
        verify(provider, request.headers, body, config.webhook_secrets.get(provider),
               allow_unsigned=config.allow_unsigned_webhooks, url_token=request.query.get("secret"),
               max_body_bytes=config.max_body_bytes)
        events = parse_all(provider, request.headers, body, max_body_bytes=config.max_body_bytes)
    except WebhookRejected as rejected:
        log.warning("webhook rejected: provider=%s status=%d reason=%s", provider, rejected.status, rejected.reason)
        return answer(rejected.status, _RESULT_OF_STATUS.get(rejected.status, "bad_request"),
                      {"error": rejected.reason})

    if not events:
        log.info("webhook ignored: provider=%s (not a push)", provider)
        return answer(200, "ignored", {"message": "not a push: nothing to refresh", "apps": []})

    known = hooks.apps()
    matched = list(dict.fromkeys(app for event in events for app in select_apps(event, known)))
    what = describe(events)
    if not matched:
        log.info("webhook: provider=%s %s: no matching apps", provider, what)
        return answer(200, "no_match", {"message": "no matching apps", "apps": []})

    names = app_names(matched)
    try:
        await hooks.refresh(matched, f"webhook from {provider}: {what}")
    except Exception:
        log.exception("webhook: provider=%s %s: refreshing %s failed", provider, what, ", ".join(names))
        return answer(500, "error", {"error": "refreshing the matching apps failed"})
    log.info("webhook: provider=%s %s: refreshing %s", provider, what, ", ".join(names))
    return answer(202, "accepted", {"message": f"refreshing {len(names)} app(s)", "apps": names})
