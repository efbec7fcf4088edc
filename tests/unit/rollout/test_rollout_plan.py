"""Pure Deployment planning: what one sync of the deployment controller writes."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.rollout.rollout_builders import NOW, deployment, load, replicaset

from trueup.localcluster.controllers import deployment_status as st
from trueup.localcluster.controllers import deployment_util as du
from trueup.localcluster.controllers.deployment_rollout import plan_sync
from trueup.localcluster.controllers.replicaset_pods import format_time


def _cond(status: dict[str, Any] | None, ctype: str) -> dict[str, Any]:
    cond = st.get_condition(status, ctype)
    assert cond is not None, f"no {ctype} condition in {status}"
    return cond


@pytest.mark.parametrize("case", load("fenceposts.yaml"))
def test_fenceposts(case: dict[str, Any]) -> None:
    d = deployment(case["replicas"], surge=case.get("surge"), unavailable=case.get("unavailable"),
                   strategy=case.get("strategy", "RollingUpdate"))
    assert du.max_surge(d) == case["want_surge"]
    assert du.max_unavailable(d) == case["want_unavailable"]


def test_template_hash_is_stable_safe_and_changes_with_the_template() -> None:
    a = deployment(image="nginx:1.25")["spec"]["template"]
    b = deployment(image="nginx:1.26")["spec"]["template"]
    assert du.template_hash(a) == du.template_hash(dict(reversed(list(a.items()))))
    assert du.template_hash(a) != du.template_hash(b)
    assert du.template_hash(a) != du.template_hash(a, collision_count=1)
    assert set(du.template_hash(a)) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert 1 <= len(du.template_hash(a)) <= 10
    assert du.equal_ignore_hash(du.template_with_hash(a, "abc"), a)


def test_new_deployment_creates_its_replicaset_at_full_size() -> None:
    d = deployment(3)
    plan = plan_sync(d, [], {}, NOW)
    rs = plan.create
    assert rs is not None
    h = du.template_hash(d["spec"]["template"])
    assert rs["metadata"]["name"] == f"web-{h}"
    assert rs["metadata"]["labels"] == {"app": "web", "pod-template-hash": h}
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "web", "pod-template-hash": h}}
    assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == h
    assert rs["spec"]["replicas"] == 3
    assert rs["metadata"]["ownerReferences"] == [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                                  "uid": "d-uid", "controller": True, "blockOwnerDeletion": True}]
    ann = rs["metadata"]["annotations"]
    assert ann[du.REVISION] == "1"
    assert ann[du.DESIRED_REPLICAS] == "3"
    assert ann[du.MAX_REPLICAS] == "4"
    assert plan.revision == "1"
    assert ("Normal", "ScalingReplicaSet", f"Scaled up replica set web-{h} to 3 from 0", f"web-{h}") in plan.events
    assert plan.status is not None
    progressing = _cond(plan.status, "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("True", "NewReplicaSetCreated")
    assert progressing["message"] == f'Created new replica set "web-{h}"'
    available = _cond(plan.status, "Available")
    assert (available["status"], available["reason"]) == ("False", "MinimumReplicasUnavailable")
    assert plan.status["observedGeneration"] == 1


def test_completed_rollout_reports_new_replicaset_available() -> None:
    d = deployment(3, revision="1", status={"conditions": [
        st.new_condition("Progressing", "True", "ReplicaSetUpdated", 'ReplicaSet "x" is progressing.', NOW - 30)]})
    rs = replicaset(d, replicas=3, available=3)
    plan = plan_sync(d, [rs], {}, NOW)
    assert plan.create is None and not plan.updates
    assert plan.status is not None
    s = plan.status
    assert (s["replicas"], s["updatedReplicas"], s["readyReplicas"], s["availableReplicas"],
            s.get("unavailableReplicas", 0)) == (3, 3, 3, 3, 0)
    assert "unavailableReplicas" not in s  # zero counters are omitted, as in Go
    p = _cond(s, "Progressing")
    assert (p["status"], p["reason"]) == ("True", "NewReplicaSetAvailable")
    assert p["message"] == f'ReplicaSet "{rs["metadata"]["name"]}" has successfully progressed.'
    assert p["lastTransitionTime"] == format_time(NOW - 30)  # status unchanged: True stays True
    a = _cond(s, "Available")
    assert (a["status"], a["reason"], a["message"]) == ("True", "MinimumReplicasAvailable",
                                                         "Deployment has minimum availability.")
    assert plan.requeue is None


def test_new_template_surges_one_then_scales_old_down_as_new_pods_become_available() -> None:
    d = deployment(3, image="nginx:1.26", revision="1", generation=2)
    old = replicaset(d, image="nginx:1.25", revision=1, replicas=3, age=500)
    plan = plan_sync(d, [old], {}, NOW)
    assert plan.create is not None
    assert plan.create["spec"]["replicas"] == 1  # maxSurge 25% of 3 rounds up to 1; maxUnavailable 0
    assert plan.create["metadata"]["annotations"][du.REVISION] == "2"
    assert plan.revision == "2"
    assert not plan.updates  # nothing may go down before a new pod is available
    new = replicaset(d, revision=2, replicas=1, available=0, age=1)
    assert new["metadata"]["name"] == plan.create["metadata"]["name"]
    plan = plan_sync(d, [old, new], {}, NOW)
    assert not plan.updates and plan.create is None
    new_ready = replicaset(d, revision=2, replicas=1, available=1, age=1)
    plan = plan_sync(d, [old, new_ready], {}, NOW)
    assert {n: r["spec"]["replicas"] for n, r in plan.updates.items()} == {old["metadata"]["name"]: 2}
    assert any(m == f"Scaled down replica set {old['metadata']['name']} to 2 from 3" for _, _, m, _ in plan.events)


def test_unhealthy_old_replicas_are_cleaned_up_first() -> None:
    d = deployment(4, image="nginx:1.26", surge=1, unavailable=1, revision="2", generation=2)
    old = replicaset(d, image="nginx:1.25", revision=1, replicas=4, available=2, age=500)
    new = replicaset(d, revision=2, replicas=1, available=1, age=1)
    plan = plan_sync(d, [old, new], {}, NOW)
    # max scaled down = 5 - 3 - 0 = 2, both taken by the two unavailable old pods
    assert plan.updates[old["metadata"]["name"]]["spec"]["replicas"] == 2


def test_rollback_reuses_the_old_replicaset_with_a_new_revision() -> None:
    d = deployment(3, image="nginx:1.25", revision="2", generation=3)
    old = replicaset(d, image="nginx:1.25", revision=1, replicas=0, age=500)
    current = replicaset(d, image="nginx:1.26", revision=2, replicas=3, age=100)
    plan = plan_sync(d, [old, current], {}, NOW)
    assert plan.create is None
    reused = plan.updates[old["metadata"]["name"]]
    assert reused["metadata"]["annotations"][du.REVISION] == "3"
    assert reused["metadata"]["annotations"][du.REVISION_HISTORY] == "1"
    assert reused["spec"]["replicas"] == 1
    assert plan.revision == "3"


def test_recreate_scales_old_to_zero_then_waits_for_pods_then_creates_new() -> None:
    d = deployment(2, image="nginx:1.26", strategy="Recreate", revision="1", generation=2)
    old = replicaset(d, image="nginx:1.25", revision=1, replicas=2, age=500)
    plan = plan_sync(d, [old], {}, NOW)
    assert plan.create is None
    assert plan.updates[old["metadata"]["name"]]["spec"]["replicas"] == 0
    scaled = replicaset(d, image="nginx:1.25", revision=1, replicas=0, status_replicas=1, age=500)
    plan = plan_sync(d, [scaled], {}, NOW)
    assert plan.create is None and not plan.updates  # an old pod is still running
    gone = replicaset(d, image="nginx:1.25", revision=1, replicas=0, age=500)
    plan = plan_sync(d, [gone], {gone["metadata"]["uid"]: []}, NOW)
    assert plan.create is not None
    assert plan.create["spec"]["replicas"] == 2
    assert plan.create["metadata"]["annotations"][du.MAX_REPLICAS] == "2"  # no surge with Recreate


def test_paused_deployment_makes_no_progress_and_says_so() -> None:
    d = deployment(3, image="nginx:1.26", revision="1", generation=2, paused=True)
    old = replicaset(d, image="nginx:1.25", revision=1, replicas=3, age=500)
    plan = plan_sync(d, [old], {}, NOW)
    assert plan.create is None and not plan.updates
    assert plan.status is not None
    p = _cond(plan.status, "Progressing")
    assert (p["status"], p["reason"], p["message"]) == ("Unknown", "DeploymentPaused", "Deployment is paused")
    resumed = deployment(3, image="nginx:1.26", revision="1", generation=3, status=plan.status)
    plan = plan_sync(resumed, [old], {}, NOW)
    assert plan.create is not None
    assert plan.status is not None
    p = _cond(plan.status, "Progressing")
    assert (p["status"], p["reason"]) == ("True", "NewReplicaSetCreated")


def test_paused_deployment_still_scales() -> None:
    d = deployment(5, revision="1", generation=2, paused=True)
    rs = replicaset(d, revision=1, replicas=3, desired=3, max_replicas=4)
    plan = plan_sync(d, [rs], {}, NOW)
    assert plan.updates[rs["metadata"]["name"]]["spec"]["replicas"] == 5


@pytest.mark.parametrize("case", load("proportional.yaml"), ids=lambda c: c["name"])
def test_proportional_scaling(case: dict[str, Any]) -> None:
    spec = case["deployment"]
    d = deployment(spec["replicas"], surge=spec["surge"], unavailable=spec["unavailable"], revision="2",
                   image="nginx:new", generation=2)
    rss = [replicaset(d, name=r["name"], image=None if r.get("new") else "nginx:old", revision=r["revision"],
                      replicas=r["replicas"], available=r["available"], desired=r["desired"],
                      max_replicas=r["max"], age=r["age"]) for r in case["replicasets"]]
    plan = plan_sync(d, rss, {}, NOW)
    sizes = {r["metadata"]["name"]: r["spec"]["replicas"] for r in rss}
    sizes.update({n: r["spec"]["replicas"] for n, r in plan.updates.items()})
    assert sizes == case["want"]
    for rs in plan.updates.values():
        assert rs["metadata"]["annotations"][du.DESIRED_REPLICAS] == str(spec["replicas"])


def test_no_progress_past_the_deadline_is_progress_deadline_exceeded() -> None:
    stale = st.new_condition("Progressing", "True", "ReplicaSetUpdated", "x", NOW - 30)
    d = deployment(2, revision="1", deadline=10, status={
        "observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 0, "availableReplicas": 0,
        "unavailableReplicas": 2, "conditions": [stale]})
    rs = replicaset(d, replicas=2, available=0)
    plan = plan_sync(d, [rs], {}, NOW)
    assert plan.status is not None
    p = _cond(plan.status, "Progressing")
    assert (p["status"], p["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert p["message"] == f'ReplicaSet "{rs["metadata"]["name"]}" has timed out progressing.'
    assert plan.requeue is None  # timed out: nothing more to time


def test_no_progress_before_the_deadline_requeues_for_it() -> None:
    recent = st.new_condition("Progressing", "True", "ReplicaSetUpdated", "x", NOW - 3)
    status = {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 0,
              "availableReplicas": 0, "unavailableReplicas": 2, "conditions": [recent]}
    d = deployment(2, revision="1", deadline=10, status=status)
    rs = replicaset(d, replicas=2, available=0)
    plan = plan_sync(d, [rs], {}, NOW)
    assert plan.requeue is not None and 7 <= plan.requeue <= 8.5
    assert _cond(plan.status or d["status"], "Progressing")["reason"] == "ReplicaSetUpdated"


def test_progress_moves_last_update_time_but_not_last_transition_time() -> None:
    first = st.new_condition("Progressing", "True", "NewReplicaSetCreated", "x", NOW - 50)
    d = deployment(2, revision="1", status={"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2,
                                            "readyReplicas": 0, "availableReplicas": 0, "conditions": [first]})
    rs = replicaset(d, replicas=2, available=1, ready=1)
    plan = plan_sync(d, [rs], {}, NOW)
    assert plan.status is not None
    p = _cond(plan.status, "Progressing")
    assert p["reason"] == "ReplicaSetUpdated"
    assert p["lastUpdateTime"] == format_time(NOW)
    assert p["lastTransitionTime"] == format_time(NOW - 50)


def test_revision_history_limit_deletes_the_oldest_idle_replicasets() -> None:
    done = {"observedGeneration": 5, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1}
    d = deployment(1, image="nginx:5", revision="5", history=2, generation=5, status=done)
    olds = [replicaset(d, image=f"nginx:{i}", revision=i, replicas=0, age=1000 - i) for i in range(1, 5)]
    current = replicaset(d, revision=5, replicas=1, age=10)
    plan = plan_sync(d, [*olds, current], {}, NOW)
    assert sorted(r["metadata"]["annotations"][du.REVISION] for r in plan.deletes) == ["1", "2"]


def test_selecting_all_only_observes_the_generation() -> None:
    d = deployment(1, generation=4)
    d["spec"]["selector"] = {}
    plan = plan_sync(d, [], {}, NOW)
    assert plan.create is None
    assert plan.status == {"observedGeneration": 4}
    assert plan.events[0][1] == "SelectingAll"


def test_an_old_replicaset_with_stale_status_is_never_scaled_up() -> None:
    # spec already 2, status still counts 3 available: no "cleanup" may raise it back to 3
    d = deployment(4, image="nginx:1.26", surge=1, unavailable=1, revision="2", generation=2)
    old = replicaset(d, image="nginx:1.25", revision=1, replicas=2, available=3, status_replicas=3, age=500)
    new = replicaset(d, revision=2, replicas=3, available=3, age=1)
    plan = plan_sync(d, [old, new], {}, NOW)
    assert all(r["spec"]["replicas"] <= 2 for n, r in plan.updates.items() if n == old["metadata"]["name"])
    assert not any("web-" in m and "Scaled up" in m and old["metadata"]["name"] in m for _, _, m, _ in plan.events)
    assert plan.requeue is not None and plan.requeue <= 0.1
