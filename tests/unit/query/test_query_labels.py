"""Label selectors as `kubectl get -l ...` and controllers' metav1.LabelSelector use them."""

from __future__ import annotations

import pytest

from trueup.localcluster.errors import APIError
from trueup.localcluster.query import (
    LabelSelector,
    parse_label_selector,
    selector_from_label_selector_object,
)

WEB = {"app": "web", "tier": "frontend"}
DB = {"app": "db", "tier": "backend", "canary": "true"}
BARE: dict[str, str] = {}


def selected(text: str) -> list[str]:
    sel = parse_label_selector(text)
    return [name for name, labels in (("web", WEB), ("db", DB), ("bare", BARE)) if sel.matches(labels)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["web", "db", "bare"]),
        ("app=web", ["web"]),
        ("app==web", ["web"]),
        ("app!=web", ["db", "bare"]),
        ("app in (web, db)", ["web", "db"]),
        ("app notin (web)", ["db", "bare"]),
        ("canary", ["db"]),
        ("!canary", ["web", "bare"]),
        ("app=web,tier=frontend", ["web"]),
        ("app=web,tier=backend", []),
        ("app in (web,db),!canary", ["web"]),
        ("  app  =  web  ,  tier in ( frontend , x )  ", ["web"]),
        ("tier notin (frontend,backend)", ["bare"]),
    ],
)
def test_selection(text: str, expected: list[str]) -> None:
    assert selected(text) == expected


def test_empty_value_matches_only_empty_label() -> None:
    sel = parse_label_selector("app=")
    assert sel.matches({"app": ""})
    assert not sel.matches({"app": "web"})
    assert not sel.matches({})


def test_in_with_empty_member() -> None:
    sel = parse_label_selector("app in (web,)")
    assert sel.matches({"app": ""}) and sel.matches({"app": "web"})


def test_gt_and_lt_compare_integers() -> None:
    assert parse_label_selector("rank>3").matches({"rank": "10"})
    assert not parse_label_selector("rank>3").matches({"rank": "2"})
    assert parse_label_selector("rank<3").matches({"rank": "2"})
    assert not parse_label_selector("rank<3").matches({})


def test_prefixed_keys() -> None:
    sel = parse_label_selector("app.kubernetes.io/name=nginx")
    assert sel.matches({"app.kubernetes.io/name": "nginx"})


def test_canonical_string_is_sorted_by_key() -> None:
    assert str(parse_label_selector("tier,app=web,env in (b,a)")) == "app=web,env in (a,b),tier"


def test_empty_selector_is_everything() -> None:
    assert parse_label_selector("").empty
    assert LabelSelector.everything().matches({"x": "y"})
    assert LabelSelector.parse("a=b") == parse_label_selector("a=b")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("app=web=x", "expected: ',' or 'end of string'"),
        ("app in web", "expected: '('"),
        ("=web", "expected: identifier"),
        ("app in ()", "values set can't be empty"),
        ("app=web,", "expected: identifier"),
        ("-app=web", "Invalid value"),
        ("app=-web-", "a valid label must be"),
        ("app=" + "x" * 64, "no more than 63"),
        ("a/b/c=x", "qualified name"),
        ("Example.COM/app=x", "prefix part"),
        ("rank>abc", "must be an integer"),
        ("!app=web", "expected: ',' or 'end of string'"),
    ],
)
def test_bad_syntax_is_400(text: str, fragment: str) -> None:
    with pytest.raises(APIError) as err:
        parse_label_selector(text)
    assert err.value.code == 400
    assert err.value.reason == "BadRequest"
    assert fragment in err.value.message
    assert err.value.status()["code"] == 400


def test_label_selector_object_match_labels_and_expressions() -> None:
    sel = selector_from_label_selector_object(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["frontend", "edge"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "app", "operator": "Exists"},
                {"key": "env", "operator": "NotIn", "values": ["prod"]},
            ],
        }
    )
    assert sel.matches(WEB)
    assert not sel.matches({**WEB, "canary": "yes"})
    assert not sel.matches({**WEB, "env": "prod"})
    assert not sel.matches(DB)
    assert str(sel) == "app=web,app,!canary,env notin (prod),tier in (edge,frontend)"


def test_label_selector_object_empty_and_nil() -> None:
    assert selector_from_label_selector_object({}).matches({"any": "thing"})
    assert not selector_from_label_selector_object(None).matches({"any": "thing"})
    assert not selector_from_label_selector_object(None).matches({})


def test_label_selector_object_bad_operator_is_400() -> None:
    with pytest.raises(APIError) as err:
        selector_from_label_selector_object({"matchExpressions": [{"key": "a", "operator": "Equals"}]})
    assert err.value.code == 400
    assert "not a valid label selector operator" in err.value.message


def test_label_selector_object_in_requires_values() -> None:
    with pytest.raises(APIError):
        selector_from_label_selector_object({"matchExpressions": [{"key": "a", "operator": "In"}]})
