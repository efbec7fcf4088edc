"""managedFields (FieldsV1): who owns a path, and removing a manager's fields."""

from __future__ import annotations

from typing import Any

from tests.unit.diff.helpers import load

from trueup.diff.fieldsv1 import find_owner, managed_entries, owns, remove_owned
from trueup.diff.paths import ListStep

POD: dict[str, Any] = {
    "spec": {
        "containers": [
            {"name": "web", "image": "a", "ports": [{"containerPort": 80, "protocol": "TCP"}]},
            {"name": "proxy", "image": "b"},
        ],
        "tolerations": [{"key": "k", "operator": "Exists"}],
    },
    "metadata": {"finalizers": ["x", "y"], "labels": {"app": "web", "team": "t"}},
}

FIELDS: dict[str, Any] = {
    "f:metadata": {"f:finalizers": {"v:\"y\"": {}}, "f:labels": {".": {}, "f:app": {}}},
    "f:spec": {
        "f:containers": {
            "k:{\"name\":\"web\"}": {
                "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {"f:containerPort": {}}},
            },
            "k:{\"name\":\"proxy\"}": {".": {}, "f:image": {}, "f:name": {}},
        },
        "f:tolerations": {},
    },
}


def test_owns_keyed_items_set_items_and_atomic_lists() -> None:
    web, proxy = ListStep(0, 0, (("name", "web"),)), ListStep(1, 1, (("name", "proxy"),))
    assert owns(FIELDS, POD, ("spec", "containers", proxy, "image"))
    assert not owns(FIELDS, POD, ("spec", "containers", web, "image"))
    assert owns(FIELDS, POD, ("spec", "containers", web, "ports", ListStep(0, 0), "containerPort"))
    assert owns(FIELDS, POD, ("spec", "tolerations", ListStep(0, 0), "operator"))  # atomic list owned whole
    assert owns(FIELDS, POD, ("metadata", "finalizers", ListStep(1, 1)))
    assert not owns(FIELDS, POD, ("metadata", "finalizers", ListStep(0, 0)))
    assert not owns(FIELDS, POD, ("spec", "containers", ListStep(None, 2)))  # only in desired


def test_remove_owned_drops_members_whole_and_keeps_the_rest() -> None:
    out = remove_owned(POD, FIELDS)
    assert out["spec"]["containers"] == [{"name": "web", "image": "a", "ports": [{"protocol": "TCP"}]}]
    assert "tolerations" not in out["spec"]
    assert out["metadata"] == {"finalizers": ["x"]}  # "." on labels: the whole map was that manager's
    assert POD["spec"]["containers"][1] == {"name": "proxy", "image": "b"}  # input untouched


def test_latest_owner_wins_and_entries_need_fields() -> None:
    live = load("deployment-scale-live.yaml")
    entries = managed_entries(live)
    assert [e["manager"] for e in entries] == ["trueup", "kubectl"]
    owner = find_owner(entries, live, ("spec", "replicas"))
    assert owner is not None and owner.manager == "kubectl"
    shared = [{**entries[1], "manager": "older", "time": "2020-01-01T00:00:00Z"}, entries[1]]
    owner = find_owner(shared, live, ("spec", "replicas"))
    assert owner is not None and owner.manager == "kubectl"
    assert managed_entries({"metadata": {"managedFields": [{"manager": "m"}, "junk"]}}) == []
