"""How each provider proves a delivery came from it, checked in constant time.

```
HmacHeader("X-Hub-Signature-256", prefix="sha256=")   GitHub, Bitbucket Server, Bitbucket Cloud,
                                                        generic (X-Trueup-Signature)
HmacHeader("X-Gitea-Signature", prefix="")            Gitea, Gogs (X-Gogs-Signature): bare hex
TokenHeader("X-Gitlab-Token")                          GitLab: the secret itself, compared
HmacOrUrlToken("X-Hub-Signature")                      Bitbucket Cloud: its HMAC, or (no header) a
                                                        shared token the server took from the
                                                        hook URL (`?secret=`), for old hooks
```

HMAC-SHA256 over the raw body bytes, keyed with the secret (UTF-8). Every comparison is
`hmac.compare_digest`. A missing, malformed or wrong signature is 401 with a reason that never
shows the secret or either signature.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import unauthorized

Headers = Mapping[str, str]  # lower-cased names

_HEX_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    """The lower-case hex HMAC-SHA256 of `body` keyed with `secret`: what a sender puts in its header."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True)
class HmacHeader:
    """A hex HMAC-SHA256 of the body in `header`, after `prefix` (`sha256=`, or none)."""

    header: str
    prefix: str = "sha256="

    def check(self, provider: str, headers: Headers, body: bytes, secret: str, url_token: str | None) -> None:
        value = headers.get(self.header.lower())
        if not value:
            raise unauthorized(f"{provider} delivery is not signed: {self.header} header missing")
        self._check_value(provider, value.strip(), body, secret)

    def _check_value(self, provider: str, value: str, body: bytes, secret: str) -> None:
        if self.prefix and not value.lower().startswith(self.prefix):
            raise unauthorized(f"{provider} signature is malformed: {self.header} must be {self.prefix}<hex>")
        digest = value[len(self.prefix):]
        if not _HEX_SHA256.match(digest):
            raise unauthorized(f"{provider} signature is malformed: {self.header} must hold 64 hex digits")
        if not _same(digest.lower(), hmac_sha256_hex(secret, body)):
            raise unauthorized(f"{provider} signature does not match the body and the configured secret")


@dataclass(frozen=True)
class TokenHeader:
    """The secret itself in `header` (GitLab's X-Gitlab-Token)."""

    header: str

    def check(self, provider: str, headers: Headers, body: bytes, secret: str, url_token: str | None) -> None:
        value = headers.get(self.header.lower())
        if not value:
            raise unauthorized(f"{provider} delivery has no {self.header} header")
        if not _same(value, secret):
            raise unauthorized(f"{provider} token does not match the configured secret")


@dataclass(frozen=True)
class HmacOrUrlToken(HmacHeader):
    """Bitbucket Cloud: the HMAC header when present (then it must verify); else the URL's shared token."""

    def check(self, provider: str, headers: Headers, body: bytes, secret: str, url_token: str | None) -> None:
        value = headers.get(self.header.lower())
        if value:
            self._check_value(provider, value.strip(), body, secret)
            return
        if url_token is None:
            raise unauthorized(f"{provider} delivery is not signed: {self.header} header missing "
                               "and no shared token in the hook URL")
        if not _same(url_token, secret):
            raise unauthorized(f"{provider} hook URL token does not match the configured secret")


SignatureScheme = HmacHeader | TokenHeader
