"""Label selectors: the `labelSelector` query parameter and `metav1.LabelSelector` objects.

Grammar and validation follow k8s.io/apimachinery/pkg/labels:

    selector    := requirement ("," requirement)*   (empty text selects everything)
    requirement := ["!"] KEY
                 | KEY ("=" | "==" | "!=") VALUE
                 | KEY ("in" | "notin") "(" VALUE ("," VALUE)* ")"
                 | KEY (">" | "<") INTEGER

Keys are qualified names (optional DNS-subdomain prefix and "/"), values are empty or label
values (63 characters, alphanumeric at both ends). Syntax errors raise `errors.bad_request`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import errors

_NAME_RE = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS1123_SUBDOMAIN_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_VALUE_RE = _NAME_RE
_SPECIAL = "=!(),<>"
_WHITESPACE = " \t\r\n"

EXISTS = "exists"
DOES_NOT_EXIST = "!"
EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="
IN = "in"
NOT_IN = "notin"
GREATER_THAN = "gt"
LESS_THAN = "lt"

_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
_NAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
    "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def _bad(message: str) -> errors.APIError:
    return errors.bad_request(f"unable to parse requirement: {message}")


def validate_label_key(key: str) -> None:
    """Raise bad_request unless `key` is a qualified name (`[prefix/]name`)."""
    if key.count("/") > 1:
        raise _bad(
            f'key: Invalid value: "{key}": a qualified name must consist of alphanumeric characters, '
            "'-', '_' or '.', and must start and end with an alphanumeric character with an optional "
            "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        )
    prefix, slash, name = key.partition("/") if "/" in key else ("", "", key)
    problems: list[str] = []
    if slash and not prefix:
        problems.append("prefix part must be non-empty")
    elif slash:
        if len(prefix) > 253:
            problems.append("prefix part must be no more than 253 characters")
        elif not _DNS1123_SUBDOMAIN_RE.fullmatch(prefix):
            problems.append(
                "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an alphanumeric character"
            )
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > 63:
        problems.append("name part must be no more than 63 characters")
    elif not _NAME_RE.fullmatch(name):
        problems.append(_NAME_MSG)
    if problems:
        raise _bad(f'key: Invalid value: "{key}": ' + "; ".join(problems))


def validate_label_value(key: str, value: str, index: int = 0) -> None:
    if value and (len(value) > 63 or not _VALUE_RE.fullmatch(value)):
        detail = "must be no more than 63 characters" if len(value) > 63 else _VALUE_MSG
        raise _bad(f'values[{index}][{key}]: Invalid value: "{value}": {detail}')


@dataclass(frozen=True)
class Requirement:
    """One term of a selector: key, operator (one of the module constants) and values."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        if op in (EQUALS, DOUBLE_EQUALS, IN):
            return self.key in labels and labels[self.key] in self.values
        if op in (NOT_EQUALS, NOT_IN):
            return self.key not in labels or labels[self.key] not in self.values
        if op in (GREATER_THAN, LESS_THAN):
            if self.key not in labels:
                return False
            try:
                have, want = int(labels[self.key]), int(self.values[0])
            except ValueError:
                return False
            return have > want if op == GREATER_THAN else have < want
        return False

    def __str__(self) -> str:
        op = self.operator
        if op == EXISTS:
            return self.key
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({','.join(sorted(self.values))})"
        symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(op, op)
        return f"{self.key}{symbol}{self.values[0] if self.values else ''}"


def make_requirement(key: str, operator: str, values: Sequence[str] = ()) -> Requirement:
    """A validated requirement (kube's labels.NewRequirement)."""
    validate_label_key(key)
    vals = tuple(values)
    if operator in (IN, NOT_IN):
        if not vals:
            raise _bad("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty")
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(vals) != 1:
            raise _bad(f"values: Invalid value: {list(vals)}: exact-match compatibility requires one "
                       "single value")
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if vals:
            raise _bad(f"values: Invalid value: {list(vals)}: values set must be empty for exists and "
                       "does not exist")
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(vals) != 1:
            raise _bad(f"values: Invalid value: {list(vals)}: for 'Gt', 'Lt' operators, exactly one "
                       "value is required")
        try:
            int(vals[0])
        except ValueError:
            raise _bad(
                f"values[0]: Invalid value: \"{vals[0]}\": for 'Gt', 'Lt' operators, the value must "
                "be an integer"
            ) from None
        return Requirement(key, operator, vals)
    else:
        raise _bad(f'operator: Unsupported value: "{operator}"')
    for i, v in enumerate(vals):
        validate_label_value(key, v, i)
    return Requirement(key, operator, vals)


@dataclass(frozen=True)
class LabelSelector:
    """A conjunction of requirements. `LabelSelector(())` selects everything; `nothing` none."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    @classmethod
    def parse(cls, text: str) -> LabelSelector:
        return parse_label_selector(text)

    @classmethod
    def everything(cls) -> LabelSelector:
        return cls(())

    @property
    def empty(self) -> bool:
        """True when the selector selects everything."""
        return not self.requirements and not self.nothing

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


class _Lexer:
    """Tokens: ("id", text), ("op", symbol), ("end", "")."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch in _WHITESPACE:
                i += 1
            elif ch in _SPECIAL:
                two = text[i:i + 2]
                if two in ("==", "!="):
                    self.tokens.append(("op", two))
                    i += 2
                else:
                    self.tokens.append(("op", ch))
                    i += 1
            else:
                j = i
                while j < n and text[j] not in _SPECIAL and text[j] not in _WHITESPACE:
                    j += 1
                word = text[i:j]
                self.tokens.append(("kw" if word in (IN, NOT_IN) else "id", word))
                i = j
        self.tokens.append(("end", ""))
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.pos]
        if tok[0] != "end":
            self.pos += 1
        return tok


def _describe(tok: tuple[str, str]) -> str:
    return "end of string" if tok[0] == "end" else tok[1]


_SYMBOL_OPERATORS = {"=": EQUALS, "==": DOUBLE_EQUALS, "!=": NOT_EQUALS, ">": GREATER_THAN, "<": LESS_THAN}


def _parse_requirement(lx: _Lexer) -> Requirement:
    tok = lx.take()
    negated = False
    if tok == ("op", "!"):
        negated = True
        tok = lx.take()
    if tok[0] != "id":
        raise _bad(f"found '{_describe(tok)}', expected: identifier")
    key = tok[1]
    validate_label_key(key)
    nxt = lx.peek()
    if negated or nxt[0] == "end" or nxt == ("op", ","):
        return make_requirement(key, DOES_NOT_EXIST if negated else EXISTS)
    op_tok = lx.take()
    if op_tok[0] == "kw":
        return make_requirement(key, op_tok[1], _parse_values(lx))
    symbol = op_tok[1] if op_tok[0] == "op" else ""
    operator = _SYMBOL_OPERATORS.get(symbol)
    if operator is None:
        raise _bad(f"found '{_describe(op_tok)}', expected: !=, =, ==, >, <, in, notin")
    nxt = lx.peek()
    if nxt[0] == "end" or nxt == ("op", ","):
        value = ""
    else:
        vt = lx.take()
        if vt[0] not in ("id", "kw"):
            raise _bad(f"found '{_describe(vt)}', expected: identifier")
        value = vt[1]
    return make_requirement(key, operator, [value])


def _parse_values(lx: _Lexer) -> list[str]:
    tok = lx.take()
    if tok != ("op", "("):
        raise _bad(f"found '{_describe(tok)}', expected: '('")
    if lx.peek() == ("op", ")"):
        lx.take()
        return []
    values: list[str] = []
    expect_value = True
    while True:
        tok = lx.take()
        if tok[0] in ("id", "kw"):
            if not expect_value:
                raise _bad(f"found '{tok[1]}', expected: ',' or ')'")
            values.append(tok[1])
            expect_value = False
        elif tok == ("op", ","):
            if expect_value:
                values.append("")
            expect_value = True
        elif tok == ("op", ")"):
            if expect_value:
                values.append("")
            return values
        else:
            raise _bad(f"found '{_describe(tok)}', expected: ',', ')' or identifier")


def parse_label_selector(text: str) -> LabelSelector:
    """Parse the `labelSelector` query parameter; raise errors.bad_request on bad syntax."""
    lx = _Lexer(text)
    requirements: list[Requirement] = []
    if lx.peek()[0] == "end":
        return LabelSelector(())
    while True:
        requirements.append(_parse_requirement(lx))
        tok = lx.take()
        if tok[0] == "end":
            break
        if tok != ("op", ","):
            raise _bad(f"found '{_describe(tok)}', expected: ',' or 'end of string'")
    requirements.sort(key=lambda r: r.key)
    return LabelSelector(tuple(requirements))


_EXPRESSION_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def selector_from_label_selector_object(sel: Mapping[str, Any] | None) -> LabelSelector:
    """A `metav1.LabelSelector` (matchLabels, matchExpressions) as a LabelSelector.

    Like metav1.LabelSelectorAsSelector: None selects nothing, `{}` selects everything.
    """
    if sel is None:
        return LabelSelector((), nothing=True)
    requirements: list[Requirement] = []
    for key, value in (sel.get("matchLabels") or {}).items():
        requirements.append(make_requirement(str(key), EQUALS, [str(value)]))
    for expr in sel.get("matchExpressions") or []:
        raw_op = str(expr.get("operator", ""))
        op = _EXPRESSION_OPERATORS.get(raw_op)
        if op is None:
            raise errors.bad_request(f'"{raw_op}" is not a valid label selector operator')
        values = [str(v) for v in (expr.get("values") or [])]
        requirements.append(make_requirement(str(expr.get("key", "")), op, values))
    requirements.sort(key=lambda r: r.key)
    return LabelSelector(tuple(requirements))
