"""Label values: repository URLs without credentials, and the fixed vocabularies of bounded labels.

A label value is stored and exported as is, so anything secret must be removed before it becomes
one. `scrub_repo_url` keeps what identifies a repository (scheme, host, port, path) and drops
what may authenticate to it (`user:token@`, `?private_token=...`, `#...`).
"""

from __future__ import annotations

from typing import Literal, get_args
from urllib.parse import urlsplit, urlunsplit

WebhookResult = Literal["accepted", "no_match", "ignored", "unauthorized", "bad_request", "too_large", "error"]
"""What the server did with a webhook delivery:

accepted      202, apps refreshed          unauthorized  401 (signature, token, no secret configured)
no_match      200, a push no app follows   bad_request   400 (unknown provider, malformed payload)
ignored       200, a ping or other event   too_large     413 (over the body cap)
error         500, the refresh failed
"""

WEBHOOK_RESULTS: tuple[str, ...] = get_args(WebhookResult)

INVALID_URL = "invalid-url"


def scrub_repo_url(url: str) -> str:
    """`url` with user-info, query and fragment removed; scp-like `user@host:path` loses `user@`.

    >>> scrub_repo_url("https://bot:ghp_secret@github.com/acme/platform.git?x=1")
    'https://github.com/acme/platform.git'
    """
    url = url.strip()
    if "://" not in url:
        host_path = url.rsplit("@", 1)[-1]
        return host_path.split("?", 1)[0].split("#", 1)[0]
    try:
        parts = urlsplit(url)
    except ValueError:
        return INVALID_URL
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
