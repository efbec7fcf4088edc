"""Pure ReplicaSet helpers: which Pods go first, the status, slow-start batches, the Pod it creates."""

from __future__ import annotations

from tests.unit.rollout.rollout_builders import NOW, deployment, pod, replicaset

from trueup.localcluster.controllers.replicaset_pods import (
    deletion_order,
    is_available,
    pod_from_template,
    replicaset_status,
    seconds_until_available,
    slow_start_batches,
)


def _names(pods: list[dict[str, object]]) -> list[str]:
    return [p["metadata"]["name"] for p in pods]  # type: ignore[index]


def test_slow_start_batches_double() -> None:
    assert slow_start_batches(100) == [1, 2, 4, 8, 16, 32, 37]
    assert slow_start_batches(1) == [1]
    assert slow_start_batches(0) == []
    assert sum(slow_start_batches(500)) == 500


def test_scale_down_prefers_unscheduled_pending_not_ready_then_newer() -> None:
    pods = [
        pod("old-ready", created=NOW - 500, ready_since=NOW - 400),
        pod("new-ready", created=NOW - 100, ready_since=NOW - 90),
        pod("not-ready", ready=False),
        pod("pending", phase="Pending", ready=False),
        pod("unscheduled", node="", phase="Pending", ready=False),
    ]
    assert _names(deletion_order(pods)) == ["unscheduled", "pending", "not-ready", "new-ready", "old-ready"]


def test_scale_down_prefers_doubled_up_nodes_and_more_restarts() -> None:
    pods = [
        pod("alone", node="trueup-node-1"),
        pod("crowded-a", node="trueup-node-2"),
        pod("crowded-b", node="trueup-node-2"),
    ]
    assert _names(deletion_order(pods))[2] == "alone"
    restarts = [pod("calm", restarts=0), pod("restarty", restarts=4)]
    assert _names(deletion_order(restarts)) == ["restarty", "calm"]


def test_status_counts_active_ready_available_and_fully_labeled() -> None:
    d = deployment(4, min_ready=10)
    rs = replicaset(d, replicas=4, generation=3)
    rs["spec"]["minReadySeconds"] = 10
    rs["status"] = {}
    labels = dict(rs["spec"]["template"]["metadata"]["labels"])
    pods = [
        pod("a", labels=labels, ready_since=NOW - 60),           # available
        pod("b", labels=labels, ready_since=NOW - 2),            # ready, not yet available
        pod("c", labels={"app": "web"}, ready=False),            # not fully labeled
        pod("done", labels=labels, phase="Succeeded"),           # not active
    ]
    status = replicaset_status(rs, pods, NOW)
    assert status == {"replicas": 3, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 1,
                      "observedGeneration": 3}
    assert is_available(pods[0], 10, NOW) and not is_available(pods[1], 10, NOW)
    wait = seconds_until_available(pods[1], 10, NOW)
    assert wait is not None and 7 <= wait <= 9


def test_status_reports_a_failed_create_as_replica_failure() -> None:
    d = deployment(2)
    rs = replicaset(d, replicas=2)
    status = replicaset_status(rs, [], NOW, manage_error='pods "x" is forbidden: exceeded quota')
    cond = status["conditions"][0]
    assert (cond["type"], cond["status"], cond["reason"]) == ("ReplicaFailure", "True", "FailedCreate")
    rs["status"] = status
    assert "conditions" not in replicaset_status(rs, [], NOW)


def test_pod_from_template_uses_generate_name_template_metadata_and_controller_ref() -> None:
    d = deployment(1)
    rs = replicaset(d, name="web-abc")
    rs["spec"]["template"]["metadata"]["annotations"] = {"sim.trueup.dev/behavior": "never-ready"}
    ref = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "uid": "u", "controller": True,
           "blockOwnerDeletion": True}
    p = pod_from_template(rs, ref)
    assert p["metadata"]["generateName"] == "web-abc-"
    assert p["metadata"]["labels"] == rs["spec"]["template"]["metadata"]["labels"]
    assert p["metadata"]["annotations"] == {"sim.trueup.dev/behavior": "never-ready"}
    assert p["metadata"]["ownerReferences"] == [ref]
    assert p["spec"] == rs["spec"]["template"]["spec"]
    assert p["spec"] is not rs["spec"]["template"]["spec"]
