"""Why a webhook delivery is refused: one exception carrying the HTTP status the server answers.

```
WebhookRejected(status, reason)
    401  no or wrong signature/token, or no secret configured and unsigned hooks not allowed
    400  unknown provider, malformed JSON, a missing or mistyped field (the reason names it)
    413  body larger than the cap (checked before anything else is read)
```

Reasons never contain the secret, the signature received or the expected one.
"""

from __future__ import annotations

from typing import Literal

Status = Literal[400, 401, 413]


class WebhookRejected(Exception):
    """A delivery that must change nothing; `status` is the HTTP status to answer with."""

    def __init__(self, status: Status, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status: Status = status
        self.reason = reason


def unauthorized(reason: str) -> WebhookRejected:
    return WebhookRejected(401, reason)


def bad_request(reason: str) -> WebhookRejected:
    return WebhookRejected(400, reason)
