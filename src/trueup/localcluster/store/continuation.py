"""Continue tokens for paginated lists: opaque, URL-safe base64 of a small JSON document.

A token records the list's resourceVersion and the last (namespace, name) returned; the next page is
a keyset scan after that key. Pure module: encoding and decoding only, no I/O.
"""

from __future__ import annotations

import base64
import binascii

import orjson

from .errors import InvalidContinue

_VERSION = 1


def encode(rv: int, namespace: str, name: str) -> str:
    raw = orjson.dumps({"v": _VERSION, "rv": rv, "ns": namespace, "n": name})
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(token: str) -> tuple[int, str, str]:
    """Return (rv, namespace, name) of the last item of the previous page."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        doc = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise InvalidContinue(f"invalid continue token: {exc}") from None
    if (
        not isinstance(doc, dict)
        or doc.get("v") != _VERSION
        or not isinstance(doc.get("rv"), int)
        or not isinstance(doc.get("ns"), str)
        or not isinstance(doc.get("n"), str)
        or doc["rv"] < 0
    ):
        raise InvalidContinue("invalid continue token")
    return doc["rv"], doc["ns"], doc["n"]
