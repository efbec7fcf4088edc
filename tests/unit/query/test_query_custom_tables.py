"""`kubectl get <custom resource>`: NAME, the CRD's additionalPrinterColumns, AGE; and their JSONPath."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from trueup.localcluster.query import jsonpath_find, to_table
from trueup.localcluster.query.jsonpath import JSONPathError, parse
from trueup.localcluster.resources import Registry, ResourceType

NOW = datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC)


def crd(columns: list[dict[str, Any]] | None) -> dict[str, Any]:
    version: dict[str, Any] = {"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {"type": "object"}}}
    if columns is not None:
        version["additionalPrinterColumns"] = columns
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                 "versions": [version]},
    }


def widget_type(columns: list[dict[str, Any]] | None) -> ResourceType:
    registry = Registry()
    (rt,) = registry.put_crd(crd(columns))
    return rt


WIDGET = {
    "apiVersion": "example.com/v1",
    "kind": "Widget",
    "metadata": {"name": "w1", "creationTimestamp": "2026-01-10T11:55:00Z",
                 "annotations": {"example.com/owner.team": "blue"}},
    "spec": {"size": 3, "ratio": 1.5, "enabled": True, "ports": [{"port": 80}, {"port": 443}]},
    "status": {"conditions": [{"type": "Synced", "status": "False"}, {"type": "Ready", "status": "True"}],
               "lastSync": "2026-01-10T11:59:30Z"},
}

COLUMNS: list[dict[str, Any]] = [
    {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
    {"name": "Ready", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
    {"name": "Port", "type": "integer", "jsonPath": ".spec.ports[0].port"},
    {"name": "Team", "type": "string", "jsonPath": '.metadata.annotations["example.com/owner.team"]'},
    {"name": "Synced", "type": "date", "jsonPath": ".status.lastSync"},
    {"name": "Ratio", "type": "number", "jsonPath": ".spec.ratio", "priority": 1},
    {"name": "Enabled", "type": "boolean", "jsonPath": ".spec.enabled", "priority": 1},
    {"name": "Missing", "type": "string", "jsonPath": ".spec.nothing"},
]


def test_crd_columns_then_age() -> None:
    t = to_table(widget_type(COLUMNS), [WIDGET], now=NOW)
    assert [c["name"] for c in t["columnDefinitions"]] == [
        "Name", "Size", "Ready", "Port", "Team", "Synced", "Ratio", "Enabled", "Missing", "Age"]
    assert [c["priority"] for c in t["columnDefinitions"]][5:8] == [0, 1, 1]
    assert t["rows"][0]["cells"] == ["w1", 3, "True", 80, "blue", "30s", 1.5, True, None, "5m"]


def test_crd_without_columns_prints_name_and_age() -> None:
    t = to_table(widget_type(None), [WIDGET], now=NOW)
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Age"]
    assert t["rows"][0]["cells"] == ["w1", "5m"]


def test_declared_age_column_is_not_duplicated() -> None:
    cols = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
    t = to_table(widget_type(cols), [WIDGET], now=NOW)
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Age"]
    assert t["rows"][0]["cells"] == ["w1", "5m"]


def test_type_mismatch_gives_empty_cell_and_non_string_values_render_as_text() -> None:
    cols = [{"name": "Size", "type": "integer", "jsonPath": ".spec.enabled"},
            {"name": "Ports", "type": "string", "jsonPath": ".spec.ports[0]"},
            {"name": "Bad", "type": "string", "jsonPath": ".spec[?(@.x"}]
    t = to_table(widget_type(cols), [WIDGET], now=NOW)
    assert t["rows"][0]["cells"][1:4] == [None, '{"port":80}', None]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".spec.size", [3]),
        ("{.spec.size}", [3]),
        ("$.spec.size", [3]),
        (".spec.ports[1].port", [443]),
        (".spec.ports[-1].port", [443]),
        (".spec.ports[*].port", [80, 443]),
        (".spec.ports[0:1].port", [80]),
        ('.metadata.annotations["example.com/owner.team"]', ["blue"]),
        (".metadata.annotations['example.com/owner.team']", ["blue"]),
        ('.status.conditions[?(@.type=="Ready")].status', ["True"]),
        ('.status.conditions[?(@.type!="Ready")].type', ["Synced"]),
        (".status.conditions[?(@.status)].type", ["Synced", "Ready"]),
        (".spec.nothing.deeper", []),
        (".spec.ports[5].port", []),
        (".spec.*", [True, [{"port": 80}, {"port": 443}], 1.5, 3]),
    ],
)
def test_jsonpath_subset(path: str, expected: list[Any]) -> None:
    assert jsonpath_find(path, WIDGET) == expected


@pytest.mark.parametrize("path", [".a[", ".a[x]", ".a[?(b)]"])
def test_jsonpath_outside_subset_raises(path: str) -> None:
    with pytest.raises(JSONPathError):
        parse(path)
