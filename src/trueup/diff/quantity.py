"""Kubernetes resource quantities: parse to an exact value and print one canonical form.

Two spellings of the same amount (`1024Mi` and `1Gi`, `0.5` and `500m`, `1000m` and `1`) get the
same canonical string, so they never show as drift. The canonical form depends on the value only:
the largest exact decimal SI suffix (k, M, G, …) for multiples of 1000, else the largest exact
binary suffix (Ki, Mi, …) for multiples of 1024, else a plain integer, else m/u/n (rounded up to
nano, as the API server does).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

_PATTERN = re.compile(r"^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$")
_SUFFIXES = {
    "": Fraction(1), "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
    "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
    "P": Fraction(10**15), "E": Fraction(10**18),
    "Ki": Fraction(2**10), "Mi": Fraction(2**20), "Gi": Fraction(2**30), "Ti": Fraction(2**40),
    "Pi": Fraction(2**50), "Ei": Fraction(2**60),
}
_DECIMAL_UP = (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3))
_BINARY_UP = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))
_DECIMAL_DOWN = (("m", 1000), ("u", 10**6), ("n", 10**9))


def parse_quantity(value: object) -> Fraction | None:
    """The exact value of a quantity string or number, or None if it is not a quantity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    match = _PATTERN.match(value.strip())
    if match is None:
        return None
    sign, digits, suffix, exponent = match.groups()
    amount = Fraction(digits)
    if exponent is not None:
        amount *= Fraction(10) ** int(exponent)
    else:
        amount *= _SUFFIXES[suffix or ""]
    return -amount if sign == "-" else amount


def format_quantity(amount: Fraction) -> str:
    """The canonical spelling of an exact amount (see the module docstring)."""
    if amount < 0:
        return "-" + format_quantity(-amount)
    if amount == 0:
        return "0"
    if amount.denominator == 1:
        whole = amount.numerator
        for suffix, size in _DECIMAL_UP:
            if whole % size == 0:
                return f"{whole // size}{suffix}"
        for suffix, size in _BINARY_UP:
            if whole % size == 0:
                return f"{whole // size}{suffix}"
        return str(whole)
    for suffix, scale in _DECIMAL_DOWN:
        scaled = amount * scale
        if scaled.denominator == 1:
            return f"{scaled.numerator}{suffix}"
    return f"{math.ceil(amount * 10**9)}n"


_CANONICAL: dict[str, str] = {}


def canonical_quantity(value: object) -> object:
    """`value` in canonical form if it is a quantity, else unchanged."""
    if isinstance(value, str):
        cached = _CANONICAL.get(value)
        if cached is not None:
            return cached
    amount = parse_quantity(value)
    if amount is None:
        return value
    canonical = format_quantity(amount)
    if isinstance(value, str) and len(_CANONICAL) < 65536:
        _CANONICAL[value] = canonical
    return canonical
