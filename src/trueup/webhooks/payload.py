"""The body of a delivery: size cap, JSON decoding, and typed field access whose errors name the field.

Every accessor takes a dotted path (`repository.clone_url`, `commits[2].added`) so a 400 says
exactly which field is missing or of the wrong type. Nothing here trusts the payload: a field
that should be a string and is a number is an error, never coerced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import WebhookRejected, bad_request

MAX_BODY_BYTES = 1024 * 1024
"""Default cap on a delivery's body (1 MiB); bigger bodies get 413 before any parsing."""

ZERO_SHA = "0" * 40

Json = Mapping[str, Any]


def check_size(body: bytes, max_body_bytes: int = MAX_BODY_BYTES) -> None:
    """Raise 413 when the body is over the cap. Call it before reading anything else."""
    if len(body) > max_body_bytes:
        raise WebhookRejected(413, f"payload of {len(body)} bytes is over the {max_body_bytes}-byte limit")


def decode(body: bytes, *, provider: str) -> Json:
    """The body as a JSON object; anything else is a 400."""
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad_request(f"{provider} payload is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise bad_request(f"{provider} payload must be a JSON object, not {type(value).__name__}")
    return value


class Fields:
    """Typed reads from one JSON object at `where` (a dotted path, "" for the payload itself)."""

    def __init__(self, data: Json, provider: str, where: str = "") -> None:
        self.data = data
        self.provider = provider
        self.where = where

    def path_of(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _error(self, key: str, what: str) -> WebhookRejected:
        return bad_request(f"{self.provider} payload: field '{self.path_of(key)}' {what}")

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            raise self._error(key, "is missing")
        if not isinstance(value, str) or not value:
            raise self._error(key, "must be a non-empty string")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self._error(key, "must be a string")
        return value

    def opt_bool(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self._error(key, "must be true or false")
        return value

    def opt_int(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._error(key, "must be an integer")
        return value

    def obj(self, key: str) -> Fields:
        value = self.data.get(key)
        if value is None:
            raise self._error(key, "is missing")
        if not isinstance(value, dict):
            raise self._error(key, "must be an object")
        return Fields(value, self.provider, self.path_of(key))

    def opt_obj(self, key: str) -> Fields | None:
        if self.data.get(key) is None:
            return None
        return self.obj(key)

    def objs(self, key: str, *, required: bool = False) -> list[Fields]:
        """A list of objects; absent is [] unless `required`."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise self._error(key, "is missing")
            return []
        if not isinstance(value, list):
            raise self._error(key, "must be a list")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise bad_request(f"{self.provider} payload: field '{self.path_of(key)}[{i}]' must be an object")
            out.append(Fields(item, self.provider, f"{self.path_of(key)}[{i}]"))
        return out

    def texts(self, key: str) -> list[str]:
        """A list of strings; absent is []."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._error(key, "must be a list of strings")
        return list(value)
