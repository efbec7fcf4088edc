"""The provider registry: how each Git host is recognised, signs its hooks and shapes its pushes.

`PROVIDERS` maps a name to a `Provider`; `detect_provider` walks it in order, so Gitea and Gogs
(which also send GitHub's `X-GitHub-Event`) come before GitHub. Adding a provider is one entry.

```
name              recognised by               pushes (event header value)       signature
generic           X-Trueup-Signature / -Event  push (X-Trueup-Event, default)   X-Trueup-Signature: sha256=<hex>
gitea             X-Gitea-Event                push                             X-Gitea-Signature: <hex>
gogs              X-Gogs-Event                 push                             X-Gogs-Signature: <hex>
github            X-GitHub-Event               push (ping ignored)              X-Hub-Signature-256: sha256=<hex>
gitlab            X-Gitlab-Event               Push Hook, Tag Push Hook,        X-Gitlab-Token: <secret>
                                               System Hook (object_kind push)
bitbucket         X-Hook-UUID                  repo:push (X-Event-Key)          X-Hub-Signature: sha256=<hex>, or a
                                                                                shared token from the hook URL
bitbucket-server  X-Event-Key                  repo:refs_changed (ping ignored) X-Hub-Signature: sha256=<hex>
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import bitbucket, generic, github, gitlab
from .errors import bad_request
from .events import PushEvent
from .payload import Fields
from .signatures import HmacHeader, HmacOrUrlToken, SignatureScheme, TokenHeader

Parser = Callable[[str, Fields], list[PushEvent]]


@dataclass(frozen=True)
class Provider:
    """One Git host's webhook dialect."""

    name: str
    detect_headers: tuple[str, ...]  # any of these present (non-empty) identifies the provider
    event_header: str
    push_events: frozenset[str]  # event header values that carry pushes; others are ignored
    signature: SignatureScheme
    parse: Parser
    default_event: str | None = None  # when the event header is absent
    accepts_url_token: bool = False


PROVIDERS: dict[str, Provider] = {
    p.name: p for p in (
        Provider("generic", ("X-Trueup-Signature", "X-Trueup-Event"), "X-Trueup-Event", frozenset({"push"}),
                 HmacHeader("X-Trueup-Signature"), generic.parse_push, default_event="push"),
        Provider("gitea", ("X-Gitea-Event",), "X-Gitea-Event", frozenset({"push"}),
                 HmacHeader("X-Gitea-Signature", prefix=""), github.parse_push),
        Provider("gogs", ("X-Gogs-Event",), "X-Gogs-Event", frozenset({"push"}),
                 HmacHeader("X-Gogs-Signature", prefix=""), github.parse_push),
        Provider("github", ("X-GitHub-Event",), "X-GitHub-Event", frozenset({"push"}),
                 HmacHeader("X-Hub-Signature-256"), github.parse_push),
        Provider("gitlab", ("X-Gitlab-Event",), "X-Gitlab-Event",
                 frozenset({"Push Hook", "Tag Push Hook", "System Hook"}),
                 TokenHeader("X-Gitlab-Token"), gitlab.parse_push),
        Provider("bitbucket", ("X-Hook-UUID",), "X-Event-Key", frozenset({"repo:push"}),
                 HmacOrUrlToken("X-Hub-Signature"), bitbucket.parse_cloud_push, accepts_url_token=True),
        Provider("bitbucket-server", ("X-Event-Key",), "X-Event-Key", frozenset({"repo:refs_changed"}),
                 HmacHeader("X-Hub-Signature"), bitbucket.parse_server_push),
    )
}


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names lower-cased (HTTP names are case-insensitive)."""
    return {name.lower(): value for name, value in headers.items()}


def detect_provider(headers: Mapping[str, str]) -> str | None:
    """The provider whose event headers the request carries, or None."""
    present = {name for name, value in lower_headers(headers).items() if value}
    for provider in PROVIDERS.values():
        if any(h.lower() in present for h in provider.detect_headers):
            return provider.name
    return None


def get_provider(name: str) -> Provider:
    """The registered provider; a 400 for an unknown name."""
    provider = PROVIDERS.get(name)
    if provider is None:
        raise bad_request(f"unknown webhook provider {name[:40]!r}: use one of {', '.join(PROVIDERS)}")
    return provider
