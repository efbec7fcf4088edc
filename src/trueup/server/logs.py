"""The server's one logger, and the filter that keeps configured secrets out of it.

What the server logs, by construction: method, path (never the query string: Bitbucket's
`?secret=` lives there), status, duration, remote address; webhook provider, result, refs and
app names; rejection reasons (trueup.webhooks never puts a secret or signature in one). Never
headers, never bodies.

What it cannot vouch for (a hook's exception message) passes through `SecretFilter`, which
replaces every configured token and webhook secret with `***` in the message and traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger("trueup.server")

MASK = "***"


class SecretFilter(logging.Filter):
    """Masks the given secret strings in a record's message and formatted traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg = self.mask(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = self.mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        return True
