"""Webhooks from Git hosts: verify a delivery, read its push, pick the apps it refreshes (pure).

No network, no cluster, no clock: bytes and headers in, data out. The HTTP server owns the
route, the configured secrets and the refresh itself.

```python
name = detect_provider(headers)                       # "github", "gitlab", "gitea", "gogs",
                                                      # "bitbucket", "bitbucket-server", "generic"
verify(name, headers, body, secret)                   # WebhookRejected(413 | 401 | 400)
for event in parse_all(name, headers, body):          # PushEvent(repo_urls, ref, commit_sha,
    refresh(select_apps(event, app_refs))             #   changed_files or None = unknown)
```

The server refuses unsigned hooks: `verify` with no secret configured is a 401 unless the
server's configuration explicitly allows that provider's hooks unsigned (`allow_unsigned=True`).
With a secret configured, a missing, malformed or wrong signature is always a 401. Bodies over
`MAX_BODY_BYTES` (1 MiB; `max_body_bytes=` to change) are a 413 before anything is parsed.

Modules: `receive` (verify, parse), `providers` (the registry, detection), `signatures`
(HMAC and token schemes), `github` (GitHub, Gitea, Gogs payloads), `gitlab`, `bitbucket` (Cloud
and Server), `generic` (trueup's HMAC hook for CI), `events` (PushEvent), `payload` (size cap,
JSON, fields named in errors), `urls` (normalize_repo_url), `matching` (AppRef, matches,
select_apps), `errors`.
"""

from .errors import WebhookRejected
from .events import PushEvent
from .matching import MANIFEST_GENERATE_PATHS, AppRef, matches, resolve_refresh_paths, select_apps
from .payload import MAX_BODY_BYTES
from .providers import PROVIDERS, Provider, detect_provider
from .receive import parse, parse_all, verify
from .signatures import hmac_sha256_hex
from .urls import normalize_repo_url

__all__ = [
    "MANIFEST_GENERATE_PATHS",
    "MAX_BODY_BYTES",
    "PROVIDERS",
    "AppRef",
    "Provider",
    "PushEvent",
    "WebhookRejected",
    "detect_provider",
    "hmac_sha256_hex",
    "matches",
    "normalize_repo_url",
    "parse",
    "parse_all",
    "resolve_refresh_paths",
    "select_apps",
    "verify",
]
