"""Field-error causes worded the way kube-apiserver words them (apimachinery `field.Error`).

Each constructor returns a `Cause` dict (reason, message, field) whose message is the
`ErrorBody()` of the matching Go error: `Invalid value: "x": detail`, `Required value`,
`Unsupported value: "x": supported values: "a", "b"`, `Duplicate value: "x"`,
`Too long: may not be more than 63 bytes`, `Forbidden: detail`, `Too many: 3: must have at most 2 items`.
Values are printed like Go's `%q`/`%v`/`%#v` (close, not byte-exact for structs). Pure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from trueup.localcluster.errors import Cause, field_cause

INVALID = "FieldValueInvalid"
REQUIRED = "FieldValueRequired"
NOT_SUPPORTED = "FieldValueNotSupported"
DUPLICATE = "FieldValueDuplicate"
TOO_LONG = "FieldValueTooLong"
TOO_MANY = "FieldValueTooMany"
FORBIDDEN = "FieldValueForbidden"

IMMUTABLE = "field is immutable"


def go_value(value: Any) -> str:
    """A value as field errors print it: strings quoted, numbers/bools bare, maps Go-style."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        inner = ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(value.items()))
        return "map[string]string{" + inner + "}"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[]string{" + ", ".join(json.dumps(v) for v in value) + "}"
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _with_detail(head: str, detail: str) -> str:
    return f"{head}: {detail}" if detail else head


def invalid(field: str, value: Any, detail: str) -> Cause:
    return field_cause(field, _with_detail(f"Invalid value: {go_value(value)}", detail), INVALID)


def required(field: str, detail: str = "") -> Cause:
    return field_cause(field, _with_detail("Required value", detail), REQUIRED)


def not_supported(field: str, value: Any, supported: Iterable[str]) -> Cause:
    values = ", ".join(json.dumps(s) for s in supported)
    detail = f"supported values: {values}" if values else ""
    return field_cause(field, _with_detail(f"Unsupported value: {go_value(value)}", detail), NOT_SUPPORTED)


def duplicate(field: str, value: Any) -> Cause:
    return field_cause(field, f"Duplicate value: {go_value(value)}", DUPLICATE)


def too_long(field: str, max_length: int) -> Cause:
    unit = "byte" if max_length == 1 else "bytes"
    return field_cause(field, f"Too long: may not be more than {max_length} {unit}", TOO_LONG)


def too_many(field: str, actual: int, max_items: int) -> Cause:
    return field_cause(field, f"Too many: {actual}: must have at most {max_items} items", TOO_MANY)


def forbidden(field: str, detail: str) -> Cause:
    return field_cause(field, _with_detail("Forbidden", detail), FORBIDDEN)


def immutable(field: str, value: Any) -> Cause:
    return invalid(field, value, IMMUTABLE)
