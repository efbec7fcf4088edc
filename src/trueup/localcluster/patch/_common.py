"""Helpers shared by the patch verbs: JSON value categories, equality, Go-style message text, errors.

kube-apiserver's patch errors quote values the way Go's `%v` prints them (`map[name:a]`), and it
compares values the way decoded JSON compares in Go (a boolean never equals a number). Both are
reproduced here so every verb words and matches things alike. Pure: no I/O.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from trueup.localcluster.errors import APIError

Category = Literal["null", "bool", "number", "string", "map", "list"]

# The generic text kube-apiserver puts on a 422 built without field causes.
REJECTED_MESSAGE = "the server rejected our request due to an error in our request"


def category(value: Any) -> Category:
    """The JSON type of a decoded value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "list"
    return "string"  # anything else (should not occur in decoded JSON) compares by value


def same(a: Any, b: Any) -> bool:
    """JSON equality: same category and equal value (True never equals 1)."""
    return category(a) == category(b) and bool(a == b)


def scalar_key(value: Any) -> tuple[str, Any]:
    """A hashable identity for a scalar, consistent with `same`."""
    return (category(value), value)


def go_fmt(value: Any) -> str:
    """Render a decoded JSON value the way Go's `%v` prints `interface{}` values."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_fmt(value[k])}" for k in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_fmt(v) for v in value) + "]"
    return str(value)


def go_type(value: Any) -> str:
    """The Go type name a decoded JSON value has (for `expected a X, but received a Y`)."""
    return {
        "null": "<nil>",
        "bool": "bool",
        "number": "int64" if isinstance(value, int) else "float64",
        "string": "string",
        "map": "map[string]interface {}",
        "list": "[]interface {}",
    }[category(value)]


def unreasoned(message: str) -> APIError:
    """A plain Go error surfacing from the patch code: 500 with an empty reason."""
    return APIError(500, "", message)


def rejected() -> APIError:
    """422 Invalid with the generic message and empty details (the cause text is dropped)."""
    return APIError(422, "Invalid", REJECTED_MESSAGE)
