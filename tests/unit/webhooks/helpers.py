"""Fixture payloads and correctly signed headers for each provider."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trueup.webhooks import hmac_sha256_hex

TESTDATA = Path(__file__).parent / "testdata"
SECRET = "s3cret-for-tests"


def load(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def load_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(load(name))
    return data


def dump(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


# provider -> (event header, push event value)
EVENT_HEADERS = {
    "github": ("X-GitHub-Event", "push"),
    "gitlab": ("X-Gitlab-Event", "Push Hook"),
    "gitea": ("X-Gitea-Event", "push"),
    "gogs": ("X-Gogs-Event", "push"),
    "bitbucket": ("X-Event-Key", "repo:push"),
    "bitbucket-server": ("X-Event-Key", "repo:refs_changed"),
    "generic": ("X-Trueup-Event", "push"),
}


def signature_headers(provider: str, body: bytes, secret: str = SECRET) -> dict[str, str]:
    """The header(s) a provider sends to prove a body, for `secret`."""
    digest = hmac_sha256_hex(secret, body)
    return {
        "github": {"X-Hub-Signature-256": f"sha256={digest}"},
        "gitlab": {"X-Gitlab-Token": secret},
        "gitea": {"X-Gitea-Signature": digest},
        "gogs": {"X-Gogs-Signature": digest},
        "bitbucket": {"X-Hub-Signature": f"sha256={digest}"},
        "bitbucket-server": {"X-Hub-Signature": f"sha256={digest}"},
        "generic": {"X-Trueup-Signature": f"sha256={digest}"},
    }[provider]


def event_headers(provider: str, event: str | None = None) -> dict[str, str]:
    """What identifies a delivery of `provider` (with the push event unless `event` says otherwise)."""
    name, push = EVENT_HEADERS[provider]
    headers = {name: event or push}
    if provider == "bitbucket":
        headers["X-Hook-UUID"] = "{0d1e2f30-0000-4000-8000-000000000001}"
        headers["X-Request-UUID"] = "{0d1e2f30-0000-4000-8000-000000000002}"
    if provider == "bitbucket-server":
        headers["X-Request-Id"] = "7a1c2b3d-0000-4000-8000-000000000003"
    if provider == "gitea":  # Gitea also sends the Gogs and GitHub event headers
        headers |= {"X-Gogs-Event": event or push, "X-GitHub-Event": event or push}
    return headers


def signed(provider: str, body: bytes, event: str | None = None, secret: str = SECRET) -> dict[str, str]:
    return event_headers(provider, event) | signature_headers(provider, body, secret)
