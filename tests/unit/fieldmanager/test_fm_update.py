"""managedFields for non-apply writes: ownership moves, body rules, cap, order, timestamps."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from trueup.localcluster.fieldmanager import apply, update_managed_fields
from trueup.localcluster.schema import SchemaNode

T0, T1, T2 = "2026-07-01T10:00:00Z", "2026-07-01T10:01:00Z", "2026-07-01T10:02:00Z"


def upd(schema: SchemaNode, old: dict[str, Any] | None, new: dict[str, Any], manager: str, now: str,
        api_version: str = "apps/v1", subresource: str = "") -> dict[str, Any]:
    """Write `new` over `old` as the caller does: returns the stored object."""
    mf = update_managed_fields(old, new, schema=schema, manager=manager, api_version=api_version, now=now,
                               subresource=subresource)
    out = copy.deepcopy(new)
    out["metadata"].pop("managedFields", None)
    if mf:
        out["metadata"]["managedFields"] = mf
    return out


def owners(obj: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(e["manager"], e["operation"], e["apiVersion"], e.get("time", ""))
            for e in obj["metadata"].get("managedFields", [])]


def test_create_tracks_every_field_with_dot_on_new_maps(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["metadata"]["labels"] = {"app": "web"}
    deployment["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}
    mf = update_managed_fields(None, deployment, schema=dep, manager="kubectl-create", api_version="apps/v1",
                               now=T0)
    assert mf == [{
        "manager": "kubectl-create", "operation": "Update", "apiVersion": "apps/v1", "time": T0,
        "fieldsType": "FieldsV1",
        "fieldsV1": {
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {},
                "f:strategy": {"f:rollingUpdate": {"f:maxSurge": {}}, "f:type": {}},
                "f:template": {
                    "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                    "f:spec": {"f:containers": {'k:{"name":"nginx"}': {
                        ".": {}, "f:image": {}, "f:name": {},
                        "f:ports": {".": {}, 'k:{"containerPort":80,"protocol":"TCP"}': {
                            ".": {}, "f:containerPort": {}}},
                    }}},
                },
            },
        },
    }]


def test_unchanged_put_keeps_managed_fields_and_times(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = upd(dep, None, deployment, "creator", T0)
    again = upd(dep, live, copy.deepcopy(live), "other", T1)
    assert again == live


def test_metadata_bookkeeping_is_never_owned(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = upd(dep, None, deployment, "creator", T0)
    new = copy.deepcopy(live)
    new["metadata"].update(resourceVersion="9", generation=2, uid="u", creationTimestamp=T1)
    out = upd(dep, live, new, "other", T1)
    assert owners(out) == [("creator", "Update", "apps/v1", T0)]


def test_updater_takes_changed_fields_from_appliers(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = apply(None, deployment, schema=dep, manager="kubectl", api_version="apps/v1", force=False, now=T0)
    new = copy.deepcopy(live)
    new["spec"]["replicas"] = 7
    new["spec"]["paused"] = True
    out = upd(dep, live, new, "kubectl-scale", T1)
    mf = out["metadata"]["managedFields"]
    assert owners(out) == [("kubectl", "Apply", "apps/v1", T0), ("kubectl-scale", "Update", "apps/v1", T1)]
    assert mf[1]["fieldsV1"] == {"f:spec": {"f:paused": {}, "f:replicas": {}}}
    assert "f:replicas" not in mf[0]["fieldsV1"]["f:spec"]


def test_removed_fields_leave_every_entry(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = apply(None, deployment, schema=dep, manager="kubectl", api_version="apps/v1", force=False, now=T0)
    new = copy.deepcopy(live)
    del new["spec"]["template"]["spec"]["containers"][0]["ports"]
    out = upd(dep, live, new, "editor", T1)
    # removing only takes nothing: no entry for the editor, the applier lost the port
    assert owners(out) == [("kubectl", "Apply", "apps/v1", T0)]
    item = out["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"][
        'k:{"name":"nginx"}']
    assert item == {".": {}, "f:image": {}, "f:name": {}}


def test_repeat_updates_union_and_time_moves_only_on_change(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = upd(dep, None, deployment, "creator", T0)
    a = copy.deepcopy(live)
    a["spec"]["paused"] = True
    live = upd(dep, live, a, "ctl", T1)
    b = copy.deepcopy(live)
    b["spec"]["minReadySeconds"] = 3
    live = upd(dep, live, b, "ctl", T2)
    ctl = live["metadata"]["managedFields"][1]
    assert (ctl["manager"], ctl["time"]) == ("ctl", T2)
    assert ctl["fieldsV1"] == {"f:spec": {"f:minReadySeconds": {}, "f:paused": {}}}
    c = copy.deepcopy(live)
    c["spec"]["paused"] = True  # same value
    assert upd(dep, live, c, "ctl", "2026-07-01T11:00:00Z") == live


def test_update_entries_are_per_api_version_and_subresource(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = upd(dep, None, deployment, "ctl", T0)
    a = copy.deepcopy(live)
    a["spec"]["paused"] = True
    live = upd(dep, live, a, "ctl", T1, api_version="apps/v1beta2")
    b = copy.deepcopy(live)
    b["status"] = {"replicas": 1}
    live = upd(dep, live, b, "ctl", T2, subresource="status")
    mf = live["metadata"]["managedFields"]
    assert [(e["apiVersion"], e.get("subresource", "")) for e in mf] == [
        ("apps/v1", ""), ("apps/v1beta2", ""), ("apps/v1", "status")]
    # status is a struct that always exists in typed objects: not itself added
    assert mf[2]["fieldsV1"] == {"f:status": {"f:replicas": {}}}


def test_body_managed_fields_rules(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = upd(dep, None, deployment, "creator", T0)
    live["metadata"]["uid"] = "u1"
    base = [{"manager": "someone", "operation": "Update", "apiVersion": "apps/v1", "time": T0,
             "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]
    # valid non-empty → new base
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"] = base
    assert update_managed_fields(live, new, schema=dep, manager="x", api_version="apps/v1", now=T1) == base
    # omitted, null or invalid → live kept
    for body in (None, [{"manager": "bad", "operation": "Delete"}]):
        new = copy.deepcopy(live)
        new["metadata"]["managedFields"] = body
        assert update_managed_fields(live, new, schema=dep, manager="x", api_version="apps/v1",
                                     now=T1) == live["metadata"]["managedFields"]
    # [] and [{}] reset; the existing object stays untracked, even when it changes
    resets: list[list[dict[str, Any]]] = [[], [{}]]
    for reset in resets:
        new = copy.deepcopy(live)
        new["metadata"]["managedFields"] = reset
        new["spec"]["paused"] = True
        assert update_managed_fields(live, new, schema=dep, manager="x", api_version="apps/v1", now=T1) == []
    # subresource writes ignore the body
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"] = base
    assert update_managed_fields(live, new, schema=dep, manager="x", api_version="apps/v1", now=T1,
                                 subresource="status") == live["metadata"]["managedFields"]


def test_untracked_object_then_apply_starts_tracking(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = copy.deepcopy(deployment)
    live["metadata"]["uid"] = "u1"
    new = copy.deepcopy(live)
    new["spec"]["paused"] = True
    assert update_managed_fields(live, new, schema=dep, manager="x", api_version="apps/v1", now=T1) == []
    out = apply(new, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                      "spec": {"paused": True}},
                schema=dep, manager="m", api_version="apps/v1", force=False, now=T2)
    assert [(e["manager"], e["operation"]) for e in out["metadata"]["managedFields"]] == [
        ("m", "Apply"), ("before-first-apply", "Update")]


def test_cap_of_ten_update_entries(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = upd(dep, None, deployment, "creator", "2026-07-01T09:00:00Z")
    for i in range(11):
        new = copy.deepcopy(live)
        new["metadata"].setdefault("labels", {})[f"l{i}"] = "v"
        live = upd(dep, live, new, f"m{i:02d}", f"2026-07-01T10:{i:02d}:00Z")
    mf = live["metadata"]["managedFields"]
    assert len(mf) == 10
    ancient = [e for e in mf if e["manager"] == "ancient-changes"]
    assert len(ancient) == 1
    # the oldest entries (creator, m00, then m01) merged into it, with the newest merged time
    assert ancient[0]["time"] == "2026-07-01T10:01:00Z"
    labels = ancient[0]["fieldsV1"]["f:metadata"]["f:labels"]
    assert {"f:l0", "f:l1"} <= set(labels)
    assert "f:replicas" in ancient[0]["fieldsV1"]["f:spec"]
    assert [e["manager"] for e in mf] == ["ancient-changes"] + [f"m{i:02d}" for i in range(2, 11)]


def test_sort_order_apply_first_then_time(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = upd(dep, None, deployment, "zz-creator", T0)
    live["metadata"]["uid"] = "u"
    live = apply(live, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                        "spec": {"paused": True}},
                 schema=dep, manager="later", api_version="apps/v1", force=False, now=T2)
    assert [(m, op) for m, op, _, _ in owners(live)] == [("later", "Apply"), ("zz-creator", "Update")]


@pytest.mark.parametrize("now", ["2026-07-01T12:00:00.123456Z", "2026-07-01T14:00:00+02:00"])
def test_time_is_utc_whole_seconds(dep: SchemaNode, deployment: dict[str, Any], now: str) -> None:
    mf = update_managed_fields(None, deployment, schema=dep, manager="c", api_version="apps/v1", now=now)
    assert mf[0]["time"] == "2026-07-01T12:00:00Z"
