"""Kubernetes `resource.Quantity`: parsing and the canonical form the API server prints.

`canonical("1024Mi") == "1Gi"`, `canonical("0.5") == "500m"`, `canonical("1000") == "1k"`,
`canonical("1.5Gi") == "1536Mi"`, `canonical("1e3") == "1e3"`. With `milli_round_up=True`
the value is first rounded up (away from zero) to milli precision, as `SetDefaults_ResourceList`
does for every `ResourceList` of core/v1 objects (`0.0001` -> `1m`).

Rules (apimachinery `Quantity.CanonicalizeBytes`): the suffix family of the input is kept
(binary `Ki..Ei`, decimal SI `n..E`, or an `e` exponent); a binary quantity whose value is
below 1024 in magnitude or not a whole number is printed as decimal SI; decimal forms use the
largest exponent that is a multiple of 3 and keeps the mantissa an integer. Values finer than
a nano are rounded up to a nano on parse. Pure.
"""

from __future__ import annotations

import re
from fractions import Fraction

_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DEC_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_BIN_SUFFIX = {v: k for k, v in _BINARY.items()}
_RE = re.compile(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$")
_EXP = re.compile(r"^[eE]([+-]?[0-9]+)$")


class QuantityError(ValueError):
    """The text is not a valid quantity."""


def parse(text: str | int | float) -> tuple[Fraction, str]:
    """(exact value, format) where format is 'BinarySI', 'DecimalSI' or 'DecimalExponent'."""
    if isinstance(text, bool):
        raise QuantityError("quantities must match the regular expression")
    if isinstance(text, int):
        return Fraction(text), "DecimalSI"
    s = repr(text) if isinstance(text, float) else text.strip()
    m = _RE.match(s)
    if not m or (not m.group(2) and not m.group(3)):
        raise QuantityError("quantities must match the regular expression "
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    sign, whole, frac, suffix = m.group(1), m.group(2), m.group(3) or "", m.group(4)
    value = Fraction(int(whole or "0")) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
    if suffix in _BINARY:
        value *= 2 ** _BINARY[suffix]
        fmt = "BinarySI"
    elif suffix in _DECIMAL:
        value *= Fraction(10) ** _DECIMAL[suffix]
        fmt = "DecimalSI"
    elif em := _EXP.match(suffix):
        value *= Fraction(10) ** int(em.group(1))
        fmt = "DecimalExponent"
    else:
        raise QuantityError(f"unable to parse quantity's suffix: {suffix!r}")
    if sign == "-":
        value = -value
    return _round_up(value, 9), fmt


def _round_up(value: Fraction, digits: int) -> Fraction:
    """Round away from zero to `digits` decimal places."""
    scaled = value * 10**digits
    if scaled.denominator == 1:
        return value
    mag = -(-abs(scaled.numerator) // scaled.denominator)
    return Fraction(mag if value > 0 else -mag, 10**digits)


def format_quantity(value: Fraction, fmt: str) -> str:
    if value == 0:
        return "0"
    if fmt == "BinarySI" and (abs(value) < 1024 or value.denominator != 1):
        fmt = "DecimalSI"
    if fmt == "BinarySI":
        n, exp = value.numerator, 0
        while n % 1024 == 0 and exp < 60:
            n //= 1024
            exp += 10
        return f"{n}{_BIN_SUFFIX.get(exp, '')}"
    # decimal: integer mantissa, exponent a multiple of 3
    exp = 0
    scaled = value
    while scaled.denominator != 1:
        scaled *= 10
        exp -= 1
    num = scaled.numerator
    while num != 0 and num % 10 == 0:
        num //= 10
        exp += 1
    while exp % 3 != 0:
        num *= 10
        exp -= 1
    if fmt == "DecimalExponent":
        return f"{num}e{exp}" if exp else str(num)
    while exp > 18:
        num *= 1000
        exp -= 3
    if exp < -9:
        return f"{num}e{exp}"
    return f"{num}{_DEC_SUFFIX[exp]}"


def canonical(text: str | int | float, *, milli_round_up: bool = False) -> str:
    """The canonical string of a quantity; raises QuantityError when unparsable."""
    value, fmt = parse(text)
    if milli_round_up:
        value = _round_up(value, 3)
    return format_quantity(value, fmt)


def try_canonical(value: object, *, milli_round_up: bool = False) -> object:
    """`canonical()` for valid input, the input unchanged otherwise (validation reports it)."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return value
    try:
        return canonical(value, milli_round_up=milli_round_up)
    except QuantityError:
        return value


def value_of(text: str | int | float) -> Fraction:
    return parse(text)[0]
