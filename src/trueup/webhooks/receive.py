"""What the server does with one delivery: cap, verify, parse. Each step raises `WebhookRejected`.

```python
provider = detect_provider(request.headers)           # or fixed by the route
verify(provider, request.headers, body, secrets.get(provider))   # 413 / 401 / 400
for event in parse_all(provider, request.headers, body):         # [] for pings and other events
    for app in select_apps(event, apps):
        refresh(app)
```

Unsigned hooks: `verify` with `secret=None` refuses (401) unless the caller passes
`allow_unsigned=True`, which the server does only when its configuration explicitly says that
provider's hooks may come unsigned. With a secret configured there is no way to accept a
delivery whose signature is missing or wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import bad_request, unauthorized
from .events import PushEvent
from .payload import MAX_BODY_BYTES, Fields, check_size, decode
from .providers import get_provider, lower_headers


def verify(
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    secret: str | None,
    *,
    allow_unsigned: bool = False,
    url_token: str | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> None:
    """Return if the delivery is authentic, else raise `WebhookRejected` (413, 400 or 401).

    `secret` is the provider's configured webhook secret; None (or "") means none is configured,
    which is a 401 unless `allow_unsigned`. `url_token` is a shared token the server read from the
    hook URL's query (`?secret=`): only Bitbucket Cloud hooks may use it, and only when they carry
    no X-Hub-Signature.
    """
    check_size(body, max_body_bytes)
    spec = get_provider(provider)
    if not secret:
        if allow_unsigned:
            return
        raise unauthorized(f"no webhook secret is configured for {spec.name}: unsigned deliveries are refused "
                           f"(configure a secret, or explicitly allow unsigned {spec.name} hooks)")
    spec.signature.check(spec.name, lower_headers(headers), body, secret,
                         url_token if spec.accepts_url_token else None)


def parse_all(
    provider: str, headers: Mapping[str, str], body: bytes, *, max_body_bytes: int = MAX_BODY_BYTES
) -> list[PushEvent]:
    """Every ref update in the delivery ([] for pings and non-push events); 413 or 400 otherwise."""
    check_size(body, max_body_bytes)
    spec = get_provider(provider)
    event = lower_headers(headers).get(spec.event_header.lower()) or spec.default_event
    if event is None:
        raise bad_request(f"{spec.name} delivery has no {spec.event_header} header")
    if event.strip() not in spec.push_events:
        return []
    return spec.parse(event.strip(), Fields(decode(body, provider=spec.name), spec.name))


def parse(
    provider: str, headers: Mapping[str, str], body: bytes, *, max_body_bytes: int = MAX_BODY_BYTES
) -> PushEvent | None:
    """The delivery's push, or None when it is not one (a ping, an issue, ...).

    GitHub, GitLab, Gitea and the generic hook report one ref per delivery. Bitbucket may report
    several: this returns the first; use `parse_all` to see them all.
    """
    events = parse_all(provider, headers, body, max_body_bytes=max_body_bytes)
    return events[0] if events else None
