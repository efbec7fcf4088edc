"""Semver versions and Argo CD's tag constraint language."""

from __future__ import annotations

import pytest

from trueup.source import max_satisfying, parse_constraint, parse_version

TAGS = ["v0.9.0", "v1.0.0", "v1.2.0", "v1.2.5", "1.2.9", "v1.3.0-rc.1", "v1.3.0", "v1.10.1", "v2.0.0-beta.1",
        "v2.0.0", "v2.1.0", "latest", "release-3"]


@pytest.mark.parametrize(("text", "expected"), [
    ("1.2.3", (1, 2, 3, ())), ("v1.2.3", (1, 2, 3, ())), ("1.2", (1, 2, 0, ())), ("v2", (2, 0, 0, ())),
    ("1.0.0-rc.1+build.5", (1, 0, 0, ("rc", "1"))), ("1.0.0-alpha-1", (1, 0, 0, ("alpha-1",))),
])
def test_parse_version(text: str, expected: tuple[int, int, int, tuple[str, ...]]) -> None:
    v = parse_version(text)
    assert v is not None
    assert (v.major, v.minor, v.patch, v.prerelease) == expected


@pytest.mark.parametrize("text", ["main", "1.2.3.4", "v", "1.x", ">=1.0", "1.0.0-01", "release-1.0", ""])
def test_not_a_version(text: str) -> None:
    assert parse_version(text) is None


def test_semver_precedence() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
               "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"]
    versions = [parse_version(t) for t in ordered]
    assert all(v is not None for v in versions)
    assert sorted(versions) == versions  # type: ignore[type-var]
    assert parse_version("1.0.0+a") == parse_version("v1.0.0+b")


@pytest.mark.parametrize(("constraint", "expected"), [
    ("1.2.*", "1.2.9"),           # with or without the v prefix: the highest version wins
    ("1.2.x", "1.2.9"),
    (">=1.0.0 <2.0.0", "v1.10.1"),
    (">=1.0.0, <1.3.0", "1.2.9"),
    ("^1.2", "v1.10.1"),
    ("^1.2.6", "v1.10.1"),
    ("~1.2.0", "1.2.9"),
    ("~1", "v1.10.1"),
    ("^0.9", "v0.9.0"),
    ("*", "v2.1.0"),
    ("<1.0.0 || ~2.0", "v2.0.0"),
    ("1.2 - 1.3", "v1.3.0"),
    (">1.2", "v2.1.0"),
    ("<=1.3", "v1.3.0"),
    ("v1.x", "v1.10.1"),
    ("!=2.1.0", "v2.0.0"),
    (">=1.3.0-0 <2.0.0", "v1.10.1"),        # admits pre-releases, but not 2.0.0's own
    (">=2.0.0-0 <2.0.1", "v2.0.0"),
    (">=1.3.0-rc.0 <1.3.0", "v1.3.0-rc.1"),   # names a pre-release: pre-releases admitted
    ("~2.0.0-0", "v2.0.0"),
])
def test_highest_matching_tag(constraint: str, expected: str) -> None:
    best = max_satisfying(parse_constraint(constraint), TAGS)
    assert best is not None
    assert best[0] == expected


@pytest.mark.parametrize("constraint", ["^2.0.0-alpha", ">=2.0.0-alpha <2.0.0"])
def test_prerelease_only_when_named(constraint: str) -> None:
    best = max_satisfying(parse_constraint(constraint), ["v2.0.0-beta.1", "v1.9.0"])
    assert best is not None and best[0] == "v2.0.0-beta.1"
    # Without a pre-release in the constraint, pre-releases never match.
    assert max_satisfying(parse_constraint("^2.0"), ["v2.0.0-beta.1"]) is None
    assert max_satisfying(parse_constraint(">=1.0.0"), ["v2.0.0-beta.1", "v1.9.0"]) == \
        ("v1.9.0", parse_version("v1.9.0"))


@pytest.mark.parametrize(("constraint", "inside", "outside"), [
    ("^1.2.3", ["1.2.3", "1.9.9"], ["1.2.2", "2.0.0"]),
    ("^0.2.3", ["0.2.3", "0.2.9"], ["0.3.0", "0.2.2"]),
    ("^0.0.3", ["0.0.3"], ["0.0.4", "0.1.0"]),
    ("^0.0", ["0.0.0", "0.0.9"], ["0.1.0"]),
    ("^0", ["0.9.9"], ["1.0.0"]),
    ("~1.2.3", ["1.2.3", "1.2.99"], ["1.3.0", "1.2.2"]),
    ("~1.2", ["1.2.0", "1.2.7"], ["1.3.0"]),
    (">1", ["2.0.0"], ["1.9.9", "1.0.0"]),
    ("<1.2", ["1.1.9"], ["1.2.0"]),
    ("<=1", ["1.99.0"], ["2.0.0"]),
    ("=1.2.3", ["1.2.3"], ["1.2.4"]),
    ("!=1.x", ["2.0.0", "0.1.0"], ["1.5.0"]),
])
def test_ranges(constraint: str, inside: list[str], outside: list[str]) -> None:
    c = parse_constraint(constraint)
    for text in inside:
        v = parse_version(text)
        assert v is not None and c.check(v), f"{text} should satisfy {constraint}"
    for text in outside:
        v = parse_version(text)
        assert v is not None and not c.check(v), f"{text} should not satisfy {constraint}"


@pytest.mark.parametrize("text", ["main", "feature/x", "release-1.0", ">= main", "1.2.3 foo", "||", "~"])
def test_not_a_constraint(text: str) -> None:
    with pytest.raises(ValueError, match="not a semver constraint"):
        parse_constraint(text)


def test_no_match_is_none() -> None:
    assert max_satisfying(parse_constraint(">=5.0.0"), TAGS) is None
