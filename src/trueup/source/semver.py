"""Semantic versions and the constraint language Argo CD accepts on Git tags (Masterminds semver v3).

Versions: `v` prefix allowed, minor and patch optional (`1`, `v1.2`, `1.2.3-rc.1+build`); order
is semver 2.0.0 (a pre-release sorts before its release; build metadata is ignored).

Constraints: `||` separates alternatives; inside one, clauses separated by spaces or commas must
all hold. Clauses: `=`, `!=`, `>`, `<`, `>=`, `<=` (also `=>`, `=<`), `~`/`~>` (patch-level
changes: `~1.2.3` is `>=1.2.3 <1.3.0`, `~1` is `>=1 <2`), `^` (no change to the left-most
non-zero part: `^1.2` is `>=1.2.0 <2.0.0`, `^0.2.3` is `<0.3.0`, `^0.0.3` is `<0.0.4`), wildcards
`x`, `X`, `*` (`1.2.*` is `>=1.2.0 <1.3.0`, `*` is any release) and hyphen ranges
(`1.2 - 1.4.5` is `>=1.2 <=1.4.5`). Pre-releases match only an alternative that names a
pre-release in one of its clauses (`>=1.0.0-0 <2.0.0` admits `1.5.0-rc.1`; `^1.0` does not), and an
upper bound `<X` excludes X's own pre-releases unless a clause names one of them (`>=1.0.0-0 <2.0.0`
never admits `2.0.0-beta.1`; `>=2.0.0-rc.0 <2.0.0` does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import total_ordering

_IDENT = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_VERSION = re.compile(rf"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-({_IDENT}))?(?:\+({_IDENT}))?$")
_PART = r"(?:\d+|[xX*])"
_CLAUSE_VERSION = rf"v?{_PART}(?:\.{_PART})?(?:\.{_PART})?(?:-{_IDENT})?(?:\+{_IDENT})?"
_OPS = r"!=|>=|=>|<=|=<|~>|>|<|=|~|\^"
_CLAUSE = re.compile(rf"({_OPS})?\s*({_CLAUSE_VERSION})")
_HYPHEN = re.compile(rf"({_CLAUSE_VERSION})\s+-\s+({_CLAUSE_VERSION})")
_CLAUSE_PARTS = re.compile(rf"^v?({_PART})(?:\.({_PART}))?(?:\.({_PART}))?(?:-({_IDENT}))?(?:\+{_IDENT})?$")


@total_ordering
@dataclass(frozen=True, eq=False)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    original: str = ""

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key() and self.prerelease == other.prerelease

    def __hash__(self) -> int:
        return hash((self._key(), self.prerelease))

    def __lt__(self, other: Version) -> bool:
        if self._key() != other._key():
            return self._key() < other._key()
        return _prerelease_less(self.prerelease, other.prerelease)

    def __str__(self) -> str:
        pre = "-" + ".".join(self.prerelease) if self.prerelease else ""
        return f"{self.major}.{self.minor}.{self.patch}{pre}"


def _prerelease_less(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return bool(a) and not b  # a pre-release sorts before the release
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return int(x) < int(y)
        if x.isdigit() != y.isdigit():
            return x.isdigit()  # numeric identifiers sort before alphanumeric ones
        return x < y
    return len(a) < len(b)


def parse_version(text: str) -> Version | None:
    """The version `text` spells (`v1.2.3`, `1.2`, `1.0.0-rc.1`), or None when it is not one."""
    m = _VERSION.match(text.strip())
    if not m:
        return None
    pre = tuple(m.group(4).split(".")) if m.group(4) else ()
    if any(p.isdigit() and len(p) > 1 and p.startswith("0") for p in pre):
        return None
    return Version(int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0), pre, text)


# A clause is a predicate on versions; `level` counts how many of major.minor.patch were given
# as numbers before the first wildcard or missing part (0 for `*`, 1 for `1.x`, 2 for `1.2`, 3 for `1.2.3`).
@dataclass(frozen=True)
class _Clause:
    op: str
    base: Version
    level: int

    def check(self, v: Version) -> bool:
        return _OPERATORS[self.op](v, self)


def _next_bound(c: _Clause, level: int) -> Version | None:
    """The first version past the range fixed by the first `level` parts of the base (None: unbounded)."""
    b = c.base
    if level <= 0:
        return None
    if level == 1:
        return Version(b.major + 1, 0, 0)
    if level == 2:
        return Version(b.major, b.minor + 1, 0)
    return Version(b.major, b.minor, b.patch + 1)


def _below(v: Version, bound: Version | None) -> bool:
    # Compared on major.minor.patch only: an upper bound excludes its own pre-releases too
    # (`^1.2` must not admit 2.0.0-rc.1).
    return bound is None or v._key() < bound._key()


def _tilde(v: Version, c: _Clause) -> bool:
    if v < c.base:
        return False
    return _below(v, _next_bound(c, min(c.level, 2)))


def _caret(v: Version, c: _Clause) -> bool:
    if v < c.base:
        return False
    b = c.base
    if c.level == 0:
        return True
    if b.major > 0 or c.level == 1:
        return _below(v, _next_bound(c, 1))
    if b.minor > 0 or c.level == 2:
        return _below(v, _next_bound(c, 2))
    return _below(v, _next_bound(c, 3))


def _equal(v: Version, c: _Clause) -> bool:
    if c.level < 3:
        return _tilde(v, c) if c.level > 0 else True
    return v == c.base


def _not_equal(v: Version, c: _Clause) -> bool:
    return not _equal(v, c)


def _greater(v: Version, c: _Clause) -> bool:
    if c.level in (1, 2):
        nxt = _next_bound(c, c.level)
        return nxt is not None and v >= nxt
    return v > c.base


def _less_equal(v: Version, c: _Clause) -> bool:
    if c.level == 3:
        return v <= c.base
    return _below(v, _next_bound(c, c.level))


_OPERATORS: dict[str, Callable[[Version, _Clause], bool]] = {
    "": _equal, "=": _equal, "!=": _not_equal,
    ">": _greater, ">=": lambda v, c: v >= c.base, "=>": lambda v, c: v >= c.base,
    "<": lambda v, c: v < c.base, "<=": _less_equal, "=<": _less_equal,
    "~": _tilde, "~>": _tilde, "^": _caret,
}


def _parse_clause(op: str, text: str) -> _Clause:
    m = _CLAUSE_PARTS.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a version")
    nums: list[int] = []
    for part in m.group(1, 2, 3):
        if part is None or part in ("x", "X", "*"):
            break
        nums.append(int(part))
    level = len(nums)
    pre = tuple(m.group(4).split(".")) if m.group(4) else ()
    padded = [*nums, 0, 0, 0][:3]
    return _Clause(op, Version(padded[0], padded[1], padded[2], pre, text), level)


@dataclass(frozen=True)
class Constraint:
    """A parsed semver constraint: alternatives (OR) of clause lists (AND)."""

    text: str
    alternatives: tuple[tuple[_Clause, ...], ...]

    def check(self, v: Version) -> bool:
        for clauses in self.alternatives:
            if v.prerelease and not any(c.base.prerelease for c in clauses):
                continue
            if all(c.check(v) for c in clauses) and not _prerelease_of_bound(v, clauses):
                return True
        return False


def _prerelease_of_bound(v: Version, clauses: tuple[_Clause, ...]) -> bool:
    """`v` is a pre-release of an upper bound `<X` and no clause names a pre-release of X."""
    if not v.prerelease:
        return False
    key = v._key()
    bounded = any(c.op == "<" and not c.base.prerelease and c.base._key() == key for c in clauses)
    return bounded and not any(c.base.prerelease and c.base._key() == key for c in clauses)


def parse_constraint(text: str) -> Constraint:
    """Parse a constraint; raises ValueError when `text` is not one (a branch name, say)."""
    source = _HYPHEN.sub(lambda m: f">={m.group(1)} <={m.group(2)}", text.strip())
    alternatives: list[tuple[_Clause, ...]] = []
    for alternative in source.split("||"):
        alternative = alternative.strip()
        clauses: list[_Clause] = []
        pos = 0
        while pos < len(alternative):
            m = _CLAUSE.match(alternative, pos)
            if not m or m.end() == m.start():
                raise ValueError(f"'{text}' is not a semver constraint")
            clauses.append(_parse_clause(m.group(1) or "", m.group(2)))
            pos = m.end()
            sep = re.compile(r"\s*,\s*|\s+").match(alternative, pos)
            if sep and sep.end() > pos:
                pos = sep.end()
            elif pos < len(alternative):
                raise ValueError(f"'{text}' is not a semver constraint")
        if not clauses:
            raise ValueError(f"'{text}' is not a semver constraint")
        alternatives.append(tuple(clauses))
    return Constraint(text, tuple(alternatives))


def max_satisfying(constraint: Constraint, names: Iterable[str]) -> tuple[str, Version] | None:
    """The name whose version is highest among those satisfying the constraint (ties: first name in order)."""
    best: tuple[str, Version] | None = None
    for name in names:
        v = parse_version(name)
        if v is not None and constraint.check(v) and (best is None or v > best[1]):
            best = (name, v)
    return best
