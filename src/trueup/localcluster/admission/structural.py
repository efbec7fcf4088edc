"""Value validation of a custom resource against its CRD `openAPIV3Schema` (`schema.raw`).

Checks type (with nullable and x-kubernetes-int-or-string), required, enum, minimum/maximum
(and exclusive), multipleOf, minLength/maxLength, pattern, minItems/maxItems, uniqueItems,
minProperties/maxProperties, format int32/int64, and the allOf/anyOf/oneOf/not junctors.
Messages follow kube-apiserver (`spec.replicas: Invalid value: "string": spec.replicas in body
must be of type integer: "string"`). `$ref` nodes (the built-in ObjectMeta) are skipped:
metadata is checked by `validate_create`. CEL rules (x-kubernetes-validations) are not. Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from trueup.localcluster.errors import Cause
from trueup.localcluster.schema import SchemaNode

from .messages import duplicate, invalid, not_supported, required, too_long, too_many

_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "unknown"


def _type_ok(value: Any, expected: str) -> bool:
    actual = json_type(value)
    return actual == expected or (expected == "number" and actual == "integer")


@lru_cache(maxsize=512)
def _pattern(p: str) -> re.Pattern[str] | None:
    try:
        return re.compile(p)
    except re.error:
        return None


def validate_schema(obj: Any, schema: SchemaNode) -> list[Cause]:
    """Causes for every value of `obj` that breaks the schema (empty when valid)."""
    causes: list[Cause] = []
    _validate(obj, schema.raw, "", causes)
    return causes


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _validate(value: Any, s: Mapping[str, Any], path: str, out: list[Cause]) -> None:
    if "$ref" in s:
        return
    shown = path or "<root>"
    if value is None:
        if s.get("nullable") or not s.get("type"):
            return
        out.append(invalid(shown, "null", f'{shown} in body must be of type {s["type"]}: "null"'))
        return
    if not _check_type(value, s, shown, out):
        return
    _check_value(value, s, shown, out)
    for key in ("allOf", "anyOf", "oneOf", "not"):
        if key in s:
            _junctor(key, value, s[key], shown, path, out)
    if isinstance(value, dict):
        _check_object(value, s, path, shown, out)
    elif isinstance(value, list):
        _check_array(value, s, path, shown, out)


def _check_type(value: Any, s: Mapping[str, Any], shown: str, out: list[Cause]) -> bool:
    if s.get("x-kubernetes-int-or-string"):
        if json_type(value) in ("integer", "string"):
            return True
        out.append(invalid(shown, json_type(value),
                           f'{shown} in body must be of type integer,string: "{json_type(value)}"'))
        return False
    expected = s.get("type")
    if isinstance(expected, str) and not _type_ok(value, expected):
        actual = json_type(value)
        out.append(invalid(shown, actual, f'{shown} in body must be of type {expected}: "{actual}"'))
        return False
    fmt = s.get("format")
    if fmt in _INT_RANGES and json_type(value) == "integer":
        lo, hi = _INT_RANGES[fmt]
        if not lo <= int(value) <= hi:
            out.append(invalid(shown, value, f'{shown} in body must be of type {fmt}: "{value}"'))
            return False
    return True


def _check_value(value: Any, s: Mapping[str, Any], shown: str, out: list[Cause]) -> None:
    enum = s.get("enum")
    if isinstance(enum, list) and value not in enum:
        out.append(not_supported(shown, value, [e if isinstance(e, str) else json.dumps(e) for e in enum]))
    if json_type(value) in ("integer", "number"):
        _check_number(value, s, shown, out)
    if isinstance(value, str):
        if isinstance(s.get("minLength"), int) and len(value) < s["minLength"]:
            out.append(invalid(shown, value, f"{shown} in body should be at least {s['minLength']} chars long"))
        if isinstance(s.get("maxLength"), int) and len(value) > s["maxLength"]:
            out.append(too_long(shown, s["maxLength"]))
        pattern = s.get("pattern")
        if isinstance(pattern, str):
            compiled = _pattern(pattern)
            if compiled is not None and not compiled.search(value):
                out.append(invalid(shown, value, f"{shown} in body should match '{pattern}'"))


def _check_number(value: Any, s: Mapping[str, Any], shown: str, out: list[Cause]) -> None:
    minimum, maximum = s.get("minimum"), s.get("maximum")
    if isinstance(minimum, int | float):
        if s.get("exclusiveMinimum") and value <= minimum:
            out.append(invalid(shown, value, f"{shown} in body should be greater than {minimum}"))
        elif value < minimum:
            out.append(invalid(shown, value, f"{shown} in body should be greater than or equal to {minimum}"))
    if isinstance(maximum, int | float):
        if s.get("exclusiveMaximum") and value >= maximum:
            out.append(invalid(shown, value, f"{shown} in body should be less than {maximum}"))
        elif value > maximum:
            out.append(invalid(shown, value, f"{shown} in body should be less than or equal to {maximum}"))
    multiple = s.get("multipleOf")
    if isinstance(multiple, int | float) and multiple and (value / multiple) % 1 != 0:
        out.append(invalid(shown, value, f"{shown} in body should be a multiple of {multiple}"))


def _check_object(value: dict[str, Any], s: Mapping[str, Any], path: str, shown: str,
                  out: list[Cause]) -> None:
    for name in s.get("required") or ():
        if name not in value:
            out.append(required(_child(path, name)))
    if isinstance(s.get("minProperties"), int) and len(value) < s["minProperties"]:
        out.append(invalid(shown, len(value),
                           f"{shown} in body should have at least {s['minProperties']} properties"))
    if isinstance(s.get("maxProperties"), int) and len(value) > s["maxProperties"]:
        out.append(too_many(shown, len(value), s["maxProperties"]))
    props = s.get("properties") if isinstance(s.get("properties"), Mapping) else {}
    extra = s.get("additionalProperties")
    for key, sub in value.items():
        sub_schema = props.get(key) if props else None
        if sub_schema is None and isinstance(extra, Mapping):
            sub_schema = extra
        if isinstance(sub_schema, Mapping):
            _validate(sub, sub_schema, _child(path, key), out)


def _check_array(value: list[Any], s: Mapping[str, Any], path: str, shown: str, out: list[Cause]) -> None:
    if isinstance(s.get("minItems"), int) and len(value) < s["minItems"]:
        out.append(invalid(shown, len(value), f"{shown} in body should have at least {s['minItems']} items"))
    if isinstance(s.get("maxItems"), int) and len(value) > s["maxItems"]:
        out.append(too_many(shown, len(value), s["maxItems"]))
    if s.get("uniqueItems"):
        seen: list[str] = []
        for i, item in enumerate(value):
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                out.append(duplicate(f"{shown}[{i}]", item))
            seen.append(key)
    items = s.get("items")
    if isinstance(items, Mapping):
        for i, item in enumerate(value):
            _validate(item, items, f"{path}[{i}]", out)


def _junctor(key: str, value: Any, alts: Any, shown: str, path: str,
             out: list[Cause]) -> None:
    if key == "not":
        if isinstance(alts, Mapping):
            trial: list[Cause] = []
            _validate(value, alts, path, trial)
            if not trial:
                out.append(invalid(shown, value, f"{shown} in body must not validate the schema (not)"))
        return
    if not isinstance(alts, list):
        return
    results = []
    for alt in alts:
        trial = []
        if isinstance(alt, Mapping):
            _validate(value, alt, path, trial)
        results.append(trial)
    passed = sum(1 for r in results if not r)
    if key == "allOf":
        for r in results:
            out.extend(r)
    elif key == "anyOf" and passed == 0:
        out.append(invalid(shown, value, f"{shown} in body must validate at least one schema (anyOf)"))
    elif key == "oneOf" and passed != 1:
        out.append(invalid(shown, value, f"{shown} in body must validate one and only one schema (oneOf)"))
