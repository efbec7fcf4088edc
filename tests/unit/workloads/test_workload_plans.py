"""Pure planners of the StatefulSet, DaemonSet and Job controllers, and revision hashing."""

from __future__ import annotations

import copy
from typing import Any

from trueup.localcluster.controllers import daemonset_plan as dsp
from trueup.localcluster.controllers import job_plan as jp
from trueup.localcluster.controllers import statefulset_plan as ssp
from trueup.localcluster.controllers.revisions import (
    hash_revision_data,
    revisions_to_prune,
    template_of_revision,
    template_revision_data,
)

NOW = 1_750_000_000.0
REF = {"apiVersion": "apps/v1", "kind": "X", "name": "web", "uid": "u1", "controller": True,
       "blockOwnerDeletion": True}
TPL = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}


def pod(name: str, phase: str = "Running", is_ready: bool = True, rev: str = "web-new", **extra: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"metadata": {"name": name, "uid": f"uid-{name}", "labels": {"controller-revision-hash": rev},
                                      "creationTimestamp": "2025-01-01T00:00:00Z"},
                         "spec": dict(extra.pop("spec", {})),
                         "status": {"phase": phase, "conditions": [
                             {"type": "Ready", "status": "True" if is_ready else "False",
                              "lastTransitionTime": "2025-01-01T00:00:00Z"}]}}
    p["metadata"].update(extra)
    return p


# ----- revisions

def test_revision_hash_is_stable_and_collision_sensitive() -> None:
    data = template_revision_data(TPL)
    assert data["spec"]["template"]["$patch"] == "replace"
    assert template_of_revision({"data": data}) == TPL
    h = hash_revision_data(data)
    assert h == hash_revision_data(copy.deepcopy(data))
    assert h != hash_revision_data(data, 1)
    assert set(h) <= set("bcdfghjklmnpqrstvwxz2456789")


def test_history_prunes_oldest_dead_revisions() -> None:
    revs = [{"metadata": {"name": f"r{i}"}, "revision": i} for i in range(1, 6)]
    assert revisions_to_prune(revs, {"r5", "r1"}, 2) == ["r2"]
    assert revisions_to_prune(revs, {"r5"}, 10) == []


# ----- StatefulSet

def sts(replicas: int = 3, policy: str = "OrderedReady", **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "web", "namespace": "ns", "generation": 2},
            "spec": {"replicas": replicas, "podManagementPolicy": policy, "serviceName": "web",
                     "selector": {"matchLabels": {"app": "web"}}, "template": TPL, **spec}}


def plan(s: dict[str, Any], pods: list[dict[str, Any]], claims: dict[str, Any] | None = None,
         current: str = "web-new") -> ssp.Plan:
    return ssp.plan_statefulset(s, pods, claims or {}, current_template=TPL, update_template=TPL,
                                current_revision=current, update_revision="web-new", owner_ref=REF, now=NOW)


def verbs(p: ssp.Plan) -> list[tuple[str, str]]:
    return [(a.verb, a.name) for a in p.actions]


def test_ordered_ready_creates_one_at_a_time_claims_first() -> None:
    s = sts(volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}])
    assert verbs(plan(s, [])) == [("create_claim", "data-web-0"), ("create_pod", "web-0")]
    assert verbs(plan(s, [pod("web-0", "Pending", False)], {"data-web-0": {}})) == []
    p = plan(s, [pod("web-0")], {"data-web-0": {}})
    assert verbs(p) == [("create_claim", "data-web-1"), ("create_pod", "web-1")]
    body = p.actions[1].body
    assert body is not None
    assert body["metadata"]["labels"] == {"app": "web", "statefulset.kubernetes.io/pod-name": "web-1",
                                          "apps.kubernetes.io/pod-index": "1", "controller-revision-hash": "web-new"}
    assert body["spec"]["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "data-web-1"}}]
    assert body["spec"]["hostname"] == "web-1" and body["spec"]["subdomain"] == "web"
    claim = p.actions[0].body
    assert claim is not None and claim["metadata"]["labels"] == {"app": "web"}
    assert "ownerReferences" not in claim["metadata"]


def test_claim_owner_per_retention_policy() -> None:
    s = sts(volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {}}],
            persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete", "whenScaled": "Delete"})
    claim = ssp.build_claims(s, 0, REF)[0]
    assert claim["metadata"]["ownerReferences"] == [REF]
    p = plan(sts(replicas=1, **{k: v for k, v in s["spec"].items() if k not in ("replicas",)}),
             [pod("web-0"), pod("web-1")], {"data-web-0": {}, "data-web-1": {}})
    assert verbs(p) == [("own_claim", "data-web-1"), ("delete_pod", "web-1")]


def test_parallel_creates_all() -> None:
    assert verbs(plan(sts(policy="Parallel"), [])) == [("create_pod", "web-0"), ("create_pod", "web-1"),
                                                        ("create_pod", "web-2")]


def test_scale_down_highest_first_only_when_healthy() -> None:
    pods = [pod(f"web-{i}") for i in range(4)]
    assert verbs(plan(sts(replicas=2), pods)) == [("delete_pod", "web-3")]
    pods[1] = pod("web-1", is_ready=False)
    assert verbs(plan(sts(replicas=2), pods)) == []
    assert verbs(plan(sts(replicas=2, policy="Parallel"), pods)) == [("delete_pod", "web-3"), ("delete_pod", "web-2")]


def test_failed_pod_is_replaced() -> None:
    assert verbs(plan(sts(replicas=1), [pod("web-0", "Failed", False)])) == [("delete_pod", "web-0")]


def test_rolling_update_reverse_order_with_partition() -> None:
    old = [pod(f"web-{i}", rev="web-old") for i in range(3)]
    assert verbs(plan(sts(), old, current="web-old")) == [("delete_pod", "web-2")]
    mixed = [pod("web-0", rev="web-old"), pod("web-1", rev="web-old"), pod("web-2")]
    assert verbs(plan(sts(), mixed, current="web-old")) == [("delete_pod", "web-1")]
    waiting = [pod("web-0", rev="web-old"), pod("web-1", rev="web-old"), pod("web-2", is_ready=False)]
    assert verbs(plan(sts(), waiting, current="web-old")) == []
    part = sts(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}})
    assert verbs(plan(part, mixed, current="web-old")) == []
    on_delete = sts(updateStrategy={"type": "OnDelete"})
    assert verbs(plan(on_delete, old, current="web-old")) == []


def test_parallel_rolling_update_honours_max_unavailable() -> None:
    old = [pod(f"web-{i}", rev="web-old") for i in range(4)]
    s = sts(replicas=4, policy="Parallel", updateStrategy={"type": "RollingUpdate",
                                                           "rollingUpdate": {"maxUnavailable": 2}})
    assert verbs(plan(s, old, current="web-old")) == [("delete_pod", "web-3"), ("delete_pod", "web-2")]


def test_new_pods_below_partition_keep_current_revision() -> None:
    part = sts(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}, policy="Parallel")
    p = plan(part, [], current="web-old")
    revs = [a.body["metadata"]["labels"]["controller-revision-hash"] for a in p.actions if a.body]
    assert revs == ["web-old", "web-old", "web-new"]


def test_statefulset_status() -> None:
    pods = [pod("web-0", rev="web-old"), pod("web-1", is_ready=False), pod("web-2")]
    st = ssp.compute_status(sts(), pods, current_revision="web-old", update_revision="web-new", collision_count=0,
                            now=NOW)
    assert st == {"observedGeneration": 2, "replicas": 3, "readyReplicas": 2, "availableReplicas": 2,
                  "currentReplicas": 1, "updatedReplicas": 2, "currentRevision": "web-old",
                  "updateRevision": "web-new", "collisionCount": 0}
    done = ssp.compute_status(sts(), [pod(f"web-{i}") for i in range(3)], current_revision="web-old",
                              update_revision="web-new", collision_count=0, now=NOW)
    assert done["currentRevision"] == "web-new" and done["currentReplicas"] == 3


# ----- DaemonSet

def node(name: str, labels: dict[str, str] | None = None, taints: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": {"taints": taints or []}}


def ds(**pod_spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "agent", "namespace": "ns", "generation": 1,
                         "annotations": {"deprecated.daemonset.template.generation": "1"}},
            "spec": {"template": {"metadata": {"labels": {"app": "agent"}},
                                  "spec": {"containers": [{"name": "c", "image": "a"}], **pod_spec}},
                     "updateStrategy": pod_spec.pop("_strategy", {"type": "RollingUpdate",
                                                                  "rollingUpdate": {"maxUnavailable": 1}})}}


def dspod(name: str, node_name: str, rev: str = "new", **kw: Any) -> dict[str, Any]:
    return pod(name, rev=rev, spec={"nodeName": node_name}, **kw)


def test_daemonset_node_eligibility() -> None:
    nodes = [node("n1", {"disk": "ssd"}), node("n2"),
             node("n3", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]),
             node("n4", taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]),
             node("n5", taints=[{"key": "x", "effect": "PreferNoSchedule"}])]
    assert dsp.plan_daemonset(ds(), nodes, [], "new", NOW).create == ["n1", "n2", "n4", "n5"]
    assert dsp.plan_daemonset(ds(nodeSelector={"disk": "ssd"}), nodes, [], "new", NOW).create == ["n1"]
    tol = ds(tolerations=[{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}])
    assert "n3" in dsp.plan_daemonset(tol, nodes, [], "new", NOW).create
    aff = ds(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "NotIn", "values": ["n1", "n2"]}]}]}}})
    assert dsp.plan_daemonset(aff, nodes, [], "new", NOW).create == ["n4", "n5"]


def test_daemon_pod_is_pinned() -> None:
    body = dsp.build_pod(ds(), "n2", "h1", REF)
    assert body["metadata"]["generateName"] == "agent-"
    assert body["metadata"]["labels"] == {"app": "agent", "controller-revision-hash": "h1",
                                          "pod-template-generation": "1"}
    assert body["spec"]["nodeName"] == "n2"
    assert body["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] == {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n2"]}]}]}


def test_daemonset_misscheduled_and_status() -> None:
    nodes = [node("n1", {"disk": "ssd"}), node("n2")]
    pods = [dspod("a-1", "n1"), dspod("a-2", "n2", is_ready=False)]
    d = ds(nodeSelector={"disk": "ssd"})
    assert dsp.plan_daemonset(d, nodes, pods, "new", NOW).delete == [("a-2", "uid-a-2")]
    st = dsp.compute_status(d, nodes, pods, "new", NOW)
    assert st == {"observedGeneration": 1, "desiredNumberScheduled": 1, "currentNumberScheduled": 1,
                  "numberMisscheduled": 1, "numberReady": 1, "numberAvailable": 1, "updatedNumberScheduled": 1,
                  "numberUnavailable": 0}


def test_daemonset_rolling_update_max_unavailable() -> None:
    nodes = [node(f"n{i}") for i in range(3)]
    old = [dspod(f"a-{i}", f"n{i}", rev="old") for i in range(3)]
    assert dsp.plan_daemonset(ds(), nodes, old, "new", NOW).delete == [("a-0", "uid-a-0")]
    one_missing = old[1:]
    p = dsp.plan_daemonset(ds(), nodes, one_missing, "new", NOW)
    assert p.create == ["n0"] and p.delete == []
    broken = [dspod("a-0", "n0", rev="old", is_ready=False), *old[1:]]
    assert dsp.plan_daemonset(ds(), nodes, broken, "new", NOW).delete == [("a-0", "uid-a-0")]


def test_daemonset_surge() -> None:
    nodes = [node(f"n{i}") for i in range(2)]
    strat = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    old = [dspod(f"a-{i}", f"n{i}", rev="old") for i in range(2)]
    p = dsp.plan_daemonset(ds(_strategy=strat), nodes, old, "new", NOW)
    assert p.create == ["n0"] and p.delete == []
    both = [*old, dspod("b-0", "n0")]
    p = dsp.plan_daemonset(ds(_strategy=strat), nodes, both, "new", NOW)
    assert p.delete == [("a-0", "uid-a-0")]


def test_daemonset_on_delete_keeps_old_pods() -> None:
    nodes = [node("n0")]
    p = dsp.plan_daemonset(ds(_strategy={"type": "OnDelete"}), nodes, [dspod("a", "n0", rev="old")], "new", NOW)
    assert p.create == [] and p.delete == []


# ----- Job

def job(**spec: Any) -> dict[str, Any]:
    status = spec.pop("status", {})
    return {"metadata": {"name": "pi", "namespace": "ns", "uid": "j"},
            "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 6,
                     "template": {"metadata": {"labels": {"job-name": "pi"}}, "spec": {"restartPolicy": "Never"}},
                     **spec}, "status": status}


def conds(p: jp.JobPlan) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in p.status.get("conditions", [])}


def test_job_starts_pods_up_to_parallelism() -> None:
    p = jp.plan_job(job(parallelism=2, completions=5, status={"succeeded": 4}), [], NOW)
    assert p.create == [None] and p.status["active"] == 1 and "startTime" in p.status
    p = jp.plan_job(job(parallelism=3, completions=None), [], NOW)
    assert p.create == [None, None, None]


def test_job_completes() -> None:
    p = jp.plan_job(job(completions=2, status={"succeeded": 2}), [], NOW)
    reached = ("True", "CompletionsReached")
    assert conds(p) == {"SuccessCriteriaMet": reached, "Complete": reached}
    assert "completionTime" in p.status and ("Normal", "Completed", "Job completed") in p.events


def test_job_fails_past_backoff_limit_and_deletes_active() -> None:
    running = pod("pi-x")
    p = jp.plan_job(job(backoffLimit=2, parallelism=2, completions=3, status={"failed": 3}), [running], NOW)
    assert conds(p)["Failed"] == ("True", "BackoffLimitExceeded")
    assert p.delete == [running] and "completionTime" not in p.status
    assert ("Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit") in p.events
    within = jp.plan_job(job(backoffLimit=2, status={"failed": 2}), [], NOW)
    assert "Failed" not in conds(within)


def test_on_failure_restarts_count_against_backoff_limit() -> None:
    j = job(backoffLimit=2)
    j["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    restarting = pod("pi-x")
    restarting["status"]["containerStatuses"] = [{"name": "c", "restartCount": 2}]
    assert conds(jp.plan_job(j, [restarting], NOW))["Failed"] == ("True", "BackoffLimitExceeded")


def test_job_backoff_delays_recreation() -> None:
    failed = pod("pi-a", "Failed", False)
    failed["status"]["containerStatuses"] = [{"state": {"terminated": {"finishedAt": "2025-06-15T15:06:40Z"}}}]
    at = 1_750_000_000.0  # 2025-06-15T15:06:40Z
    p = jp.plan_job(job(status={"failed": 3}), [failed], at, timing="realistic")
    assert p.create == [] and p.requeue == jp.backoff_delay(3, "realistic") == 8.0
    p = jp.plan_job(job(status={"failed": 3}), [failed], at + 8.5, timing="realistic")
    assert p.create == [None]


def test_job_deadline() -> None:
    p = jp.plan_job(job(activeDeadlineSeconds=10, status={"startTime": "2025-06-15T15:06:40Z"}), [pod("pi-a")],
                    1_750_000_000.0 + 11)
    assert conds(p)["Failed"] == ("True", "DeadlineExceeded")
    p = jp.plan_job(job(activeDeadlineSeconds=10, status={"startTime": "2025-06-15T15:06:40Z"}), [pod("pi-a")],
                    1_750_000_000.0 + 4)
    assert p.requeue == 6.0


def test_job_suspend_and_resume() -> None:
    running = pod("pi-a")
    p = jp.plan_job(job(suspend=True), [running], NOW)
    assert p.delete == [running] and conds(p) == {"Suspended": ("True", "JobSuspended")} and p.create == []
    resumed = jp.plan_job(job(status=p.status), [], NOW + 5)
    assert conds(resumed)["Suspended"] == ("False", "JobResumed") and resumed.create == [None]


def test_indexed_job_creates_pending_indexes() -> None:
    j = job(completionMode="Indexed", completions=5, parallelism=3, status={"completedIndexes": "0,2"})
    running = pod("pi-1-x", **{"annotations": {jp.INDEX_KEY: "1"}})
    p = jp.plan_job(j, [running], NOW)
    assert p.create == [3, 4] and p.status["completedIndexes"] == "0,2"
    body = jp.build_pod(j, 3, REF)
    assert body["metadata"]["generateName"] == "pi-3-" and body["metadata"]["annotations"][jp.INDEX_KEY] == "3"
    assert body["metadata"]["finalizers"] == [jp.TRACKING_FINALIZER]


def test_index_sets_format_like_kubernetes() -> None:
    assert jp.format_indexes({0, 1, 2, 4, 6, 7}) == "0-2,4,6-7"
    assert jp.parse_indexes("0-2,4,6-7") == {0, 1, 2, 4, 6, 7}


def test_pods_to_track() -> None:
    done = pod("a", "Succeeded", False, finalizers=[jp.TRACKING_FINALIZER])
    bad = pod("b", "Failed", False, finalizers=[jp.TRACKING_FINALIZER])
    deleted = pod("c", finalizers=[jp.TRACKING_FINALIZER], deletionTimestamp="2025-01-01T00:00:00Z")
    counted = pod("d", "Succeeded", False)
    running = pod("e", finalizers=[jp.TRACKING_FINALIZER])
    ok, failed = jp.pods_to_track([done, bad, deleted, counted, running])
    assert ok == [done] and failed == [bad, deleted]
