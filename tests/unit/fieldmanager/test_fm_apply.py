"""Server-side apply: merge, ownership, pruning, conflicts, errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from trueup.localcluster.errors import APIError
from trueup.localcluster.fieldmanager import apply, update_managed_fields
from trueup.localcluster.schema import SchemaNode

T0, T1, T2 = "2026-07-01T10:00:00Z", "2026-07-01T10:01:00Z", "2026-07-01T10:02:00Z"


def do_apply(schema: SchemaNode, live: dict[str, Any] | None, config: dict[str, Any], manager: str = "kubectl",
             now: str = T0, force: bool = False, **kw: Any) -> dict[str, Any]:
    return apply(live, copy.deepcopy(config), schema=schema, manager=manager, api_version="apps/v1",
                 force=force, now=now, **kw)


def entries(obj: dict[str, Any]) -> list[dict[str, Any]]:
    mf: list[dict[str, Any]] = obj["metadata"].get("managedFields", [])
    return mf


def by_manager(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["manager"]: e["fieldsV1"] for e in entries(obj)}


def minimal(name: str = "web", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


CREATE_FIELDS = {
    "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:containers": {'k:{"name":"nginx"}': {
                ".": {}, "f:image": {}, "f:name": {},
                "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}},
            }}},
        },
    },
}


def test_create_via_apply(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    out = do_apply(dep, None, deployment)
    assert entries(out) == [{
        "manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": T0,
        "fieldsType": "FieldsV1", "fieldsV1": CREATE_FIELDS,
    }]
    out["metadata"].pop("managedFields")
    assert out == deployment  # not defaulted: the caller does that


def test_second_manager_conflicts_then_forces(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = do_apply(dep, None, deployment)
    with pytest.raises(APIError) as ei:
        do_apply(dep, live, minimal(replicas=5), manager="hpa-tool", now=T1)
    err = ei.value
    assert err.code == 409
    assert err.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas',
        "reason": "Conflict",
        "details": {"causes": [{"reason": "FieldManagerConflict", "message": 'conflict with "kubectl"',
                                "field": ".spec.replicas"}]},
        "code": 409,
    }
    out = do_apply(dep, live, minimal(replicas=5), manager="hpa-tool", now=T1, force=True)
    assert out["spec"]["replicas"] == 5
    owners = by_manager(out)
    assert owners["hpa-tool"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in owners["kubectl"]["f:spec"]
    assert [(e["manager"], e["time"]) for e in entries(out)] == [("kubectl", T0), ("hpa-tool", T1)]


def test_same_value_is_shared_and_survives_one_owner_dropping_it(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = do_apply(dep, None, deployment)
    shared = do_apply(dep, live, minimal(replicas=3), manager="other", now=T1)
    assert by_manager(shared)["other"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" in by_manager(shared)["kubectl"]["f:spec"]
    # no change to the object: the applier's timestamp is new only because the entry is new
    assert {k: v for k, v in shared.items() if k != "metadata"} == {
        k: v for k, v in live.items() if k != "metadata"}
    dropped = copy.deepcopy(deployment)
    del dropped["spec"]["replicas"]
    out = do_apply(dep, shared, dropped, now=T2)
    assert out["spec"]["replicas"] == 3
    assert by_manager(out)["other"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in by_manager(out)["kubectl"]["f:spec"]
    # a later change by the remaining owner's rival conflicts with it
    with pytest.raises(APIError) as ei:
        do_apply(dep, out, {**deployment, "spec": {**deployment["spec"], "replicas": 4}}, now=T2)
    assert ei.value.message == 'Apply failed with 1 conflict: conflict with "other": .spec.replicas'


def test_dropped_label_is_pruned(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["metadata"]["labels"] = {"app": "web", "tier": "front"}
    live = do_apply(dep, None, deployment)
    assert by_manager(live)["kubectl"]["f:metadata"] == {"f:labels": {"f:app": {}, "f:tier": {}}}
    deployment["metadata"]["labels"] = {"app": "web"}
    out = do_apply(dep, live, deployment, now=T1)
    assert out["metadata"]["labels"] == {"app": "web"}
    assert by_manager(out)["kubectl"]["f:metadata"] == {"f:labels": {"f:app": {}}}
    assert entries(out)[0]["time"] == T1


def test_dropped_field_solely_owned_is_removed(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = do_apply(dep, None, deployment)
    del deployment["spec"]["replicas"]
    out = do_apply(dep, live, deployment, now=T1)
    assert "replicas" not in out["spec"]  # the caller re-defaults it to 1


def test_removed_container_goes_even_if_an_updater_owns_a_subfield(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "busybox"})
    live = do_apply(dep, None, deployment)
    edited = copy.deepcopy(live)
    edited["spec"]["template"]["spec"]["containers"][1]["workingDir"] = "/srv"
    edited["metadata"]["managedFields"] = update_managed_fields(
        live, edited, schema=dep, manager="controller", api_version="apps/v1", now=T1)
    assert by_manager(edited)["controller"] == {"f:spec": {"f:template": {"f:spec": {"f:containers": {
        'k:{"name":"sidecar"}': {"f:workingDir": {}}}}}}}
    deployment["spec"]["template"]["spec"]["containers"].pop()
    out = do_apply(dep, edited, deployment, now=T2)
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["nginx"]
    assert [e["manager"] for e in entries(out)] == ["kubectl"]


def test_list_item_owned_by_another_manager_stays(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "busybox"})
    live = do_apply(dep, None, deployment)
    other = minimal(template={"spec": {"containers": [{"name": "sidecar", "image": "busybox"}]}})
    live = do_apply(dep, live, other, manager="mesh", now=T1)
    deployment["spec"]["template"]["spec"]["containers"].pop()
    out = do_apply(dep, live, deployment, now=T2)
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["nginx", "sidecar"]


def test_update_takes_ownership_and_old_value_then_conflicts(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = do_apply(dep, None, deployment)
    edited = copy.deepcopy(live)
    edited["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    edited["metadata"]["managedFields"] = update_managed_fields(
        live, edited, schema=dep, manager="kubectl-edit", api_version="apps/v1", now=T1)
    owners = by_manager(edited)
    assert owners["kubectl-edit"] == {"f:spec": {"f:template": {"f:spec": {"f:containers": {
        'k:{"name":"nginx"}': {"f:image": {}}}}}}}
    assert "f:image" not in owners["kubectl"]["f:spec"]["f:template"]["f:spec"]["f:containers"][
        'k:{"name":"nginx"}']
    with pytest.raises(APIError) as ei:
        do_apply(dep, edited, deployment, now=T2)
    assert ei.value.message == (
        'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: '
        '.spec.template.spec.containers[name="nginx"].image')
    assert ei.value.causes == [{"reason": "FieldManagerConflict",
                                "message": 'conflict with "kubectl-edit" using apps/v1',
                                "field": '.spec.template.spec.containers[name="nginx"].image'}]


def test_noop_apply_returns_live(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = do_apply(dep, None, deployment)
    live["spec"]["strategy"] = {"type": "RollingUpdate"}  # as if defaulted
    live["metadata"]["resourceVersion"] = "7"
    again = do_apply(dep, live, deployment, now=T2)
    assert again == live
    assert again is not live


def test_multiple_conflicts_message(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = do_apply(dep, None, deployment)
    live = do_apply(dep, live, minimal(paused=True), manager="a-tool", now=T1)
    edited = copy.deepcopy(live)
    edited["spec"]["minReadySeconds"] = 5
    edited["metadata"]["managedFields"] = update_managed_fields(
        live, edited, schema=dep, manager="b-editor", api_version="apps/v1", now=T1, subresource="")
    cfg = minimal(replicas=1, paused=False, minReadySeconds=9)
    with pytest.raises(APIError) as ei:
        do_apply(dep, edited, cfg, manager="third", now=T2)
    assert ei.value.message == (
        "Apply failed with 3 conflicts: "
        'conflicts with "a-tool":\n- .spec.paused\n'
        'conflicts with "b-editor" using apps/v1:\n- .spec.minReadySeconds\n'
        'conflicts with "kubectl":\n- .spec.replicas')
    assert [c["field"] for c in ei.value.causes] == [".spec.paused", ".spec.minReadySeconds", ".spec.replicas"]


def test_conflict_names_subresource(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = do_apply(dep, None, deployment)
    status = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "status": {"replicas": 3}}
    live = do_apply(dep, live, status, manager="ctrl", subresource="status", now=T1,
                    reset_fields=[("spec",), ("metadata", "labels")])
    assert live["status"] == {"replicas": 3}
    assert entries(live)[1] == {"manager": "ctrl", "operation": "Apply", "apiVersion": "apps/v1", "time": T1,
                                "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {"f:replicas": {}}},
                                "subresource": "status"}
    with pytest.raises(APIError) as ei:
        do_apply(dep, live, {**status, "status": {"replicas": 1}}, manager="other", subresource="status")
    assert ei.value.message == (
        'Apply failed with 1 conflict: conflict with "ctrl" with subresource "status": .status.replicas')


def test_reset_fields_are_neither_applied_nor_owned(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["status"] = {"replicas": 9}
    out = do_apply(dep, None, deployment, reset_fields=[("status",)])
    assert "status" not in out
    assert "f:status" not in by_manager(out)["kubectl"]


def test_map_list_key_default_matches_live_item(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = copy.deepcopy(deployment)
    live["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "protocol": "TCP"}]
    live = do_apply(dep, live | {"metadata": {**live["metadata"], "uid": "u"}}, deployment)
    assert live["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_ports_differing_only_in_protocol_are_distinct(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"] = [
        {"containerPort": 53, "protocol": "UDP"}, {"containerPort": 53}]
    out = do_apply(dep, None, deployment)
    ports = by_manager(out)["kubectl"]["f:spec"]["f:template"]["f:spec"]["f:containers"][
        'k:{"name":"nginx"}']["f:ports"]
    assert list(ports) == ['k:{"containerPort":53,"protocol":"TCP"}', 'k:{"containerPort":53,"protocol":"UDP"}']
    assert ports['k:{"containerPort":53,"protocol":"UDP"}'] == {".": {}, "f:containerPort": {}, "f:protocol": {}}


def test_sets_atomic_lists_and_atomic_maps(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["metadata"]["finalizers"] = ["x", "example.com/y"]
    pod_spec = deployment["spec"]["template"]["spec"]
    pod_spec["tolerations"] = [{"key": "k", "operator": "Exists"}]
    pod_spec["nodeSelector"] = {"disk": "ssd"}
    out = do_apply(dep, None, deployment)
    fields = by_manager(out)["kubectl"]
    assert fields["f:metadata"] == {"f:finalizers": {'v:"example.com/y"': {}, 'v:"x"': {}}}
    ps = fields["f:spec"]["f:template"]["f:spec"]
    assert ps["f:tolerations"] == {} and ps["f:nodeSelector"] == {}
    assert fields["f:spec"]["f:selector"] == {}
    # atomic values are replaced whole, sets merge item by item
    live = out
    other = minimal(template={"spec": {"nodeSelector": {"zone": "a"}, "containers": [{"name": "nginx"}]}})
    other["metadata"]["finalizers"] = ["z"]
    with pytest.raises(APIError):
        do_apply(dep, live, other, manager="m2", now=T1)
    merged = do_apply(dep, live, other, manager="m2", now=T1, force=True)
    assert merged["spec"]["template"]["spec"]["nodeSelector"] == {"zone": "a"}
    assert merged["metadata"]["finalizers"] == ["x", "example.com/y", "z"]
    assert by_manager(merged)["m2"]["f:metadata"] == {"f:finalizers": {'v:"z"': {}}}


def test_map_list_merge_keeps_live_items_and_order(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    deployment["spec"]["template"]["spec"]["containers"][0]["env"] = env
    live = do_apply(dep, None, deployment)
    other = minimal(template={"spec": {"containers": [
        {"name": "nginx", "env": [{"name": "C", "value": "3"}, {"name": "B", "value": "2"}]}]}})
    out = do_apply(dep, live, other, manager="m2", now=T1)
    assert [e["name"] for e in out["spec"]["template"]["spec"]["containers"][0]["env"]] == ["A", "C", "B"]


def test_before_first_apply(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = copy.deepcopy(deployment)
    live["metadata"].update(uid="u1", resourceVersion="5", labels={"team": "a"})
    cfg = minimal(replicas=2)
    with pytest.raises(APIError) as ei:
        do_apply(dep, live, cfg, now=T1)
    assert ei.value.message == (
        'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas')
    out = do_apply(dep, live, cfg, now=T1, force=True)
    mf = entries(out)
    assert [(e["manager"], e["operation"]) for e in mf] == [("kubectl", "Apply"), ("before-first-apply", "Update")]
    bfa = mf[1]["fieldsV1"]
    assert bfa["f:metadata"] == {"f:labels": {".": {}, "f:team": {}}}
    assert "f:replicas" not in bfa["f:spec"]
    assert "f:template" in bfa["f:spec"]


def test_apply_of_only_name_leaves_no_entry(dep: SchemaNode) -> None:
    out = do_apply(dep, None, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}})
    assert "managedFields" not in out["metadata"]


def test_error_managed_fields_in_body(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["metadata"]["managedFields"] = [{"manager": "x"}]
    with pytest.raises(APIError) as ei:
        do_apply(dep, None, deployment)
    assert (ei.value.code, ei.value.message) == (400, "metadata.managedFields must be nil")


def test_error_missing_field_manager(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    with pytest.raises(APIError) as ei:
        do_apply(dep, None, deployment, manager="")
    assert ei.value.code == 422
    assert ei.value.message == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')


def test_error_duplicate_keys_is_500(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["spec"]["template"]["spec"]["containers"].append({"name": "nginx", "image": "x"})
    with pytest.raises(APIError) as ei:
        do_apply(dep, None, deployment)
    assert ei.value.code == 500
    assert ei.value.message == (
        "failed to create typed patch object (apps/v1, Kind=Deployment): "
        '.spec.template.spec.containers: duplicate entries for key [name="nginx"]')


def test_error_missing_key_and_unknown_field(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    deployment["spec"]["template"]["spec"]["containers"].append({"image": "x"})
    deployment["spec"]["bogus"] = 1
    with pytest.raises(APIError) as ei:
        do_apply(dep, None, deployment)
    assert ei.value.code == 500
    assert ei.value.message == (
        "failed to create typed patch object (apps/v1, Kind=Deployment): errors:\n"
        '  .spec.template.spec.containers: element 1: associative list with keys has an element that '
        'omits key field "name" (and doesn\'t have default value)\n'
        "  .spec.bogus: field not declared in schema")


def test_live_is_not_mutated(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = do_apply(dep, None, deployment)
    snapshot = copy.deepcopy(live)
    out = do_apply(dep, live, minimal(replicas=3, paused=True), manager="m2", now=T1)
    out["spec"]["template"]["spec"]["containers"][0]["image"] = "changed"
    assert live == snapshot


def test_kubectl_last_applied_forgives_equal_values_and_rewrites(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    ann = "kubectl.kubernetes.io/last-applied-configuration"
    import json

    live = copy.deepcopy(deployment)
    live["metadata"]["annotations"] = {ann: json.dumps(deployment)}
    live["metadata"]["managedFields"] = update_managed_fields(
        None, live, schema=dep, manager="kubectl-client-side-apply", api_version="apps/v1", now=T0)
    live["metadata"]["uid"] = "u"
    cfg = copy.deepcopy(deployment)
    cfg["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    out = do_apply(dep, live, cfg, now=T1)
    assert out["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:2"
    assert json.loads(out["metadata"]["annotations"][ann]) == cfg
    assert out["metadata"]["annotations"][ann].endswith("\n")
    csa = by_manager(out)["kubectl-client-side-apply"]
    assert "f:replicas" in csa["f:spec"]  # unchanged values stay shared
    assert csa["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}'] == {
        ".": {}, "f:name": {}, "f:ports": {".": {}, 'k:{"containerPort":80,"protocol":"TCP"}': {
            ".": {}, "f:containerPort": {}}}}
    assert "f:image" in by_manager(out)["kubectl"]["f:spec"]["f:template"]["f:spec"]["f:containers"][
        'k:{"name":"nginx"}']
    # another manager gets no such forgiveness
    with pytest.raises(APIError):
        do_apply(dep, live, cfg, manager="other", now=T1)


def test_live_duplicate_keys_are_tolerated(dep: SchemaNode, deployment: dict[str, Any]) -> None:
    live = copy.deepcopy(deployment)
    live["metadata"]["uid"] = "u"
    live["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "A", "value": "1"}, {"name": "A", "value": "2"}, {"name": "B", "value": "3"}]
    untouched = do_apply(dep, live, minimal(paused=True), manager="m2")
    assert untouched["spec"]["template"]["spec"]["containers"][0]["env"] == live["spec"]["template"]["spec"][
        "containers"][0]["env"]
    cfg = minimal(template={"spec": {"containers": [{"name": "nginx", "env": [{"name": "A", "value": "9"}]}]}})
    out = do_apply(dep, untouched, cfg, manager="m3", force=True)
    assert out["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "A", "value": "9"}, {"name": "B", "value": "3"}]


def test_pod_status_conditions_are_keyed_by_type(pod: SchemaNode) -> None:
    cfg = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    out = apply(None, cfg, schema=pod, manager="kubelet", api_version="v1", force=False, now=T0,
                subresource="status")
    assert out["metadata"]["managedFields"][0]["fieldsV1"] == {"f:status": {"f:conditions": {
        'k:{"type":"Ready"}': {".": {}, "f:status": {}, "f:type": {}}}}}
    assert out["metadata"]["managedFields"][0]["subresource"] == "status"
