"""The JSONPath subset that CRD `additionalPrinterColumns` use (k8s.io/client-go/util/jsonpath).

Supported: optional `{...}` and `$`, `.field`, `["key.with.dots"]` / `['key']`, `[0]`, `[-1]`,
`[*]`, `.*`, slices `[a:b]`, and filters `[?(@.type=="Ready")]` with `==`, `!=`, `<`, `>`, `<=`,
`>=` or bare existence `[?(@.x)]`. `find(path, obj)` returns every match, in order.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class JSONPathError(ValueError):
    pass


@dataclass(frozen=True)
class _Field:
    name: str


@dataclass(frozen=True)
class _Wildcard:
    pass


@dataclass(frozen=True)
class _Index:
    index: int


@dataclass(frozen=True)
class _Slice:
    start: int | None
    stop: int | None


@dataclass(frozen=True)
class _Filter:
    path: tuple[Any, ...]
    op: str  # "" = existence
    literal: Any = None


_FIELD_END = ".["


def _parse_literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        raise JSONPathError(f"unrecognized literal {text!r}") from None


def _parse_filter(body: str) -> _Filter:
    body = body.strip()
    for op in ("==", "!=", "<=", ">=", "<", ">"):
        # Split on the first operator outside quotes.
        quote = ""
        for i, ch in enumerate(body):
            if quote:
                if ch == quote:
                    quote = ""
                continue
            if ch in "'\"":
                quote = ch
                continue
            if body.startswith(op, i):
                return _Filter(_parse_relative(body[:i].strip()), op, _parse_literal(body[i + len(op):]))
    return _Filter(_parse_relative(body), "")


def _parse_relative(text: str) -> tuple[Any, ...]:
    if not text.startswith("@"):
        raise JSONPathError(f"filter must start with @: {text!r}")
    return _parse_steps(text[1:])


def _bracket_end(text: str, start: int) -> int:
    """Index of the `]` closing the bracket opened at `start`, skipping quotes and parentheses."""
    depth, quote = 0, ""
    for i in range(start + 1, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "]" and depth == 0:
            return i
    raise JSONPathError("unclosed [")


def _parse_bracket(body: str) -> Any:
    body = body.strip()
    if body == "*":
        return _Wildcard()
    if body.startswith("?"):
        inner = body[1:].strip()
        if not (inner.startswith("(") and inner.endswith(")")):
            raise JSONPathError(f"bad filter {body!r}")
        return _parse_filter(inner[1:-1])
    if body and body[0] in "'\"":
        return _Field(_parse_literal(body))
    if ":" in body:
        a, _, b = body.partition(":")
        b = b.partition(":")[0]
        try:
            return _Slice(int(a) if a.strip() else None, int(b) if b.strip() else None)
        except ValueError:
            raise JSONPathError(f"bad slice {body!r}") from None
    try:
        return _Index(int(body))
    except ValueError:
        raise JSONPathError(f"bad index {body!r}") from None


def _parse_steps(text: str) -> tuple[Any, ...]:
    steps: list[Any] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == ".":
            j = i + 1
            while j < n and text[j] not in _FIELD_END:
                j += 1
            name = text[i + 1:j]
            if name == "*":
                steps.append(_Wildcard())
            elif name:
                steps.append(_Field(name))
            i = j
        elif ch == "[":
            end = _bracket_end(text, i)
            steps.append(_parse_bracket(text[i + 1:end]))
            i = end + 1
        elif ch in " \t":
            i += 1
        else:
            j = i
            while j < n and text[j] not in _FIELD_END:
                j += 1
            steps.append(_Field(text[i:j]))
            i = j
    return tuple(steps)


@functools.lru_cache(maxsize=512)
def parse(path: str) -> tuple[Any, ...]:
    """Compile a JSONPath expression; raises JSONPathError when it is outside the subset."""
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    if text.startswith("$"):
        text = text[1:]
    return _parse_steps(text)


def _compare(have: Any, op: str, want: Any) -> bool:
    if op == "==":
        return bool(have == want)
    if op == "!=":
        return bool(have != want)
    try:
        if op == "<":
            return bool(have < want)
        if op == ">":
            return bool(have > want)
        if op == "<=":
            return bool(have <= want)
        return bool(have >= want)
    except TypeError:
        return False


def _apply(step: Any, values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if isinstance(step, _Field):
            if isinstance(v, Mapping) and step.name in v:
                out.append(v[step.name])
        elif isinstance(step, _Wildcard):
            if isinstance(v, Mapping):
                out.extend(v[k] for k in sorted(v))
            elif isinstance(v, list):
                out.extend(v)
        elif isinstance(step, _Index):
            if isinstance(v, list) and -len(v) <= step.index < len(v):
                out.append(v[step.index])
        elif isinstance(step, _Slice):
            if isinstance(v, list):
                out.extend(v[step.start:step.stop])
        elif isinstance(step, _Filter) and isinstance(v, list):
            for item in v:
                found = _evaluate(step.path, [item])
                if found and (not step.op or _compare(found[0], step.op, step.literal)):
                    out.append(item)
    return out


def _evaluate(steps: tuple[Any, ...], values: list[Any]) -> list[Any]:
    for step in steps:
        values = _apply(step, values)
        if not values:
            break
    return values


def find(path: str, obj: Any) -> list[Any]:
    """Every value `path` selects in `obj` (empty when nothing matches)."""
    return _evaluate(parse(path), [obj])


def format_value(value: Any) -> str:
    """A matched value as kubectl's JSONPath printer writes it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)
