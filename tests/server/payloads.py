"""Webhook bodies and headers for the server tests, signed here with hashlib (not with the code under test)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from trueup.webhooks import AppRef

REPO = "https://github.com/acme/platform.git"
GITHUB_SECRET = "gh-webhook-secret-0451"
BITBUCKET_SECRET = "bb-url-token-0452"
API_TOKEN = "api-token-0453-abcdef"
BEFORE = "1" * 40
AFTER = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c"

APPS = [
    AppRef(REPO, "main", "apps/web", ".", name="web", namespace="trueup"),
    AppRef(REPO, "main", "apps/api", ".", name="api", namespace="trueup"),
    AppRef("https://github.com/acme/other.git", "main", "", None, name="other", namespace="trueup"),
    AppRef("git@github.com:acme/platform.git", "HEAD", "", None, name="platform", namespace="trueup"),
    AppRef(REPO, "release", "", None, name="release", namespace="trueup"),
]
MATCHING = [APPS[0], APPS[3]]  # a push to main touching apps/web/values.yaml


def github_push(ref: str = "refs/heads/main", files: tuple[str, ...] = ("apps/web/values.yaml",),
                repo: str = REPO) -> bytes:
    return json.dumps({
        "ref": ref, "before": BEFORE, "after": AFTER, "created": False, "deleted": False, "forced": False,
        "commits": [{"id": AFTER, "added": [], "removed": [], "modified": list(files)}],
        "head_commit": {"id": AFTER},
        "repository": {"clone_url": repo, "html_url": repo.removesuffix(".git"), "default_branch": "main"},
    }).encode()


def github_signature(body: bytes, secret: str = GITHUB_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_headers(body: bytes, event: str = "push", secret: str | None = GITHUB_SECRET) -> dict[str, str]:
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": "d-1", "Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = github_signature(body, secret)
    return headers


GITHUB_PING = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1,
                          "repository": {"html_url": "https://github.com/acme/platform"}}).encode()


def bitbucket_push(branch: str = "main") -> bytes:
    change: dict[str, Any] = {
        "new": {"type": "branch", "name": branch, "target": {"type": "commit", "hash": AFTER}},
        "old": {"type": "branch", "name": branch, "target": {"type": "commit", "hash": BEFORE}},
        "created": False, "forced": False, "closed": False, "truncated": False,
    }
    return json.dumps({
        "repository": {"full_name": "acme/platform",
                       "links": {"html": {"href": "https://bitbucket.org/acme/platform"}}},
        "push": {"changes": [change]},
    }).encode()


BITBUCKET_HEADERS = {"X-Event-Key": "repo:push", "X-Hook-UUID": "{0d1e2f30-0000-4000-8000-000000000001}",
                     "Content-Type": "application/json"}
BITBUCKET_APP = AppRef("https://bitbucket.org/acme/platform.git", "main", "", None, name="bb", namespace="trueup")
