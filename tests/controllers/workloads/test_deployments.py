"""Deployments and ReplicaSets on the embedded cluster, driven and checked with the real kubectl.

Each test asserts what a user sees: the status fields `kubectl get` prints, the ReplicaSets
and Pods that exist, their annotations, conditions and Events.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.conftest import RunningCluster

REVISION = "deployment.kubernetes.io/revision"


def until(fn: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    """Poll `fn` until it returns something truthy (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def deployment(name: str, replicas: int = 3, image: str = "nginx:1.25", **spec: Any) -> dict[str, Any]:
    annotations = spec.pop("pod_annotations", None)
    template: dict[str, Any] = {"metadata": {"labels": {"app": name}},
                                "spec": {"containers": [{"name": "app", "image": image}]}}
    if annotations:
        template["metadata"]["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": template, **spec}}


def apply(cluster: RunningCluster, ns: str, obj: dict[str, Any]) -> None:
    cluster.kubectl("apply", "-n", ns, "-f", "-", input=json.dumps(obj))


def get(cluster: RunningCluster, ns: str, *args: str) -> Any:
    return cluster.get_json("-n", ns, *args)


def replicasets(cluster: RunningCluster, ns: str, app: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = get(cluster, ns, "replicasets", "-l", f"app={app}")["items"]
    return sorted(items, key=lambda r: int(r["metadata"]["annotations"].get(REVISION, "0")))


def pods(cluster: RunningCluster, ns: str, app: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = get(cluster, ns, "pods", "-l", f"app={app}")["items"]
    return items


def condition(obj: dict[str, Any], ctype: str) -> dict[str, Any]:
    for c in obj.get("status", {}).get("conditions", []):
        if c["type"] == ctype:
            return dict(c)
    return {}


def rollout(cluster: RunningCluster, ns: str, name: str, timeout: str = "60s") -> None:
    out = cluster.kubectl("rollout", "status", "-n", ns, f"deployment/{name}", f"--timeout={timeout}")
    assert f'deployment "{name}" successfully rolled out' in out.stdout


def images(rs: dict[str, Any]) -> str:
    return str(rs["spec"]["template"]["spec"]["containers"][0]["image"])


def test_deployment_rolls_out_and_becomes_available(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, deployment("web", 3))
    rollout(cluster, ns, "web")
    cluster.kubectl("wait", "-n", ns, "--for=condition=Available", "deployment/web", "--timeout=30s")

    d = get(cluster, ns, "deployment", "web")
    st = d["status"]
    assert st["observedGeneration"] == d["metadata"]["generation"]
    assert (st["replicas"], st["updatedReplicas"], st["readyReplicas"], st["availableReplicas"]) == (3, 3, 3, 3)
    assert "unavailableReplicas" not in st
    assert d["metadata"]["annotations"][REVISION] == "1"
    available, progressing = condition(d, "Available"), condition(d, "Progressing")
    assert (available["status"], available["reason"]) == ("True", "MinimumReplicasAvailable")
    assert (progressing["status"], progressing["reason"]) == ("True", "NewReplicaSetAvailable")

    [rs] = replicasets(cluster, ns, "web")
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{h}"
    assert progressing["message"] == f'ReplicaSet "web-{h}" has successfully progressed.'
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": h}
    ann = rs["metadata"]["annotations"]
    assert (ann[REVISION], ann["deployment.kubernetes.io/desired-replicas"],
            ann["deployment.kubernetes.io/max-replicas"]) == ("1", "3", "4")
    owner = rs["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["uid"], owner["controller"], owner["blockOwnerDeletion"]) == (
        "Deployment", "web", d["metadata"]["uid"], True, True)
    rst = rs["status"]
    assert (rst["replicas"], rst["fullyLabeledReplicas"], rst["readyReplicas"], rst["availableReplicas"],
            rst["observedGeneration"]) == (3, 3, 3, 3, rs["metadata"]["generation"])

    ps = pods(cluster, ns, "web")
    assert len(ps) == 3
    for p in ps:
        assert p["metadata"]["name"].startswith(f"web-{h}-") and len(p["metadata"]["name"]) == len(f"web-{h}-") + 5
        assert p["metadata"]["labels"]["pod-template-hash"] == h
        ref = p["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["uid"], ref["controller"], ref["blockOwnerDeletion"]) == (
            "ReplicaSet", rs["metadata"]["uid"], True, True)

    describe_rs = cluster.kubectl("describe", "-n", ns, "replicaset", f"web-{h}").stdout
    assert "SuccessfulCreate" in describe_rs and f"Created pod: web-{h}-" in describe_rs
    describe = until(lambda: (out := cluster.kubectl("describe", "-n", ns, "deployment", "web").stdout)
                     and "ScalingReplicaSet" in out and out, what="ScalingReplicaSet event")
    assert f"Scaled up replica set web-{h} to 3 from 0" in describe


def test_scale_up_and_down_converges(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, deployment("api", 2))
    rollout(cluster, ns, "api")
    cluster.kubectl("scale", "-n", ns, "deployment/api", "--replicas=6")
    rollout(cluster, ns, "api")
    d = until(lambda: (x := get(cluster, ns, "deployment", "api"))["status"].get("readyReplicas") == 6 and x,
              what="6 ready replicas")
    assert d["status"]["availableReplicas"] == 6
    assert len(pods(cluster, ns, "api")) == 6
    [rs] = replicasets(cluster, ns, "api")
    assert rs["spec"]["replicas"] == 6
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "6"

    cluster.kubectl("scale", "-n", ns, "deployment/api", "--replicas=1")
    until(lambda: len(pods(cluster, ns, "api")) == 1, what="one pod left")
    d = until(lambda: (x := get(cluster, ns, "deployment", "api"))["status"].get("replicas") == 1 and x,
              what="status.replicas 1")
    assert (d["status"]["readyReplicas"], d["status"]["availableReplicas"]) == (1, 1)
    events = get(cluster, ns, "events", "--field-selector", "reason=SuccessfulDelete")["items"]
    assert len(events) >= 5 and all(e["message"].startswith("Deleted pod: api-") for e in events)

    cluster.kubectl("scale", "-n", ns, "deployment/api", "--replicas=0")
    until(lambda: not pods(cluster, ns, "api"), what="no pods")
    until(lambda: get(cluster, ns, "deployment", "api")["status"].get("replicas") is None, what="replicas 0")


def test_set_image_rolls_out_a_new_replicaset_and_undo_goes_back(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, deployment("web", 3, image="nginx:1.25"))
    rollout(cluster, ns, "web")
    cluster.kubectl("set", "image", "-n", ns, "deployment/web", "app=nginx:1.26")
    rollout(cluster, ns, "web")

    old, new = replicasets(cluster, ns, "web")
    assert (images(old), old["metadata"]["annotations"][REVISION], old["spec"]["replicas"]) == ("nginx:1.25", "1", 0)
    assert (images(new), new["metadata"]["annotations"][REVISION], new["spec"]["replicas"]) == ("nginx:1.26", "2", 3)
    d = get(cluster, ns, "deployment", "web")
    assert d["metadata"]["annotations"][REVISION] == "2"
    assert d["status"]["updatedReplicas"] == 3
    until(lambda: {images_of(p) for p in pods(cluster, ns, "web")} == {"nginx:1.26"}, what="only new pods")
    assert len(pods(cluster, ns, "web")) == 3

    cluster.kubectl("rollout", "undo", "-n", ns, "deployment/web")
    rollout(cluster, ns, "web")
    rss = replicasets(cluster, ns, "web")
    assert len(rss) == 2, "undo reuses the old ReplicaSet"
    current = rss[-1]
    assert current["metadata"]["name"] == old["metadata"]["name"]
    assert (images(current), current["metadata"]["annotations"][REVISION], current["spec"]["replicas"]) == (
        "nginx:1.25", "3", 3)
    assert current["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert rss[0]["spec"]["replicas"] == 0
    d = get(cluster, ns, "deployment", "web")
    assert d["metadata"]["annotations"][REVISION] == "3"
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    history = cluster.kubectl("rollout", "history", "-n", ns, "deployment/web").stdout
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["2", "3"]


def images_of(pod: dict[str, Any]) -> str:
    return str(pod["spec"]["containers"][0]["image"])


def test_recreate_replaces_all_pods_at_once(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, deployment("db", 2, strategy={"type": "Recreate"}))
    rollout(cluster, ns, "db")
    cluster.kubectl("set", "image", "-n", ns, "deployment/db", "app=postgres:17")
    rollout(cluster, ns, "db")
    old, new = replicasets(cluster, ns, "db")
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (0, 2)
    assert new["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "2"  # no surge
    until(lambda: {images_of(p) for p in pods(cluster, ns, "db")} == {"postgres:17"}, what="only new pods")
    events = get(cluster, ns, "events", "--field-selector", "reason=ScalingReplicaSet")["items"]
    messages = {e["message"] for e in events}
    # the new ReplicaSet went straight from 0 to 2: only possible once the old one was at 0
    assert f"Scaled down replica set {old['metadata']['name']} to 0 from 2" in messages
    assert f"Scaled up replica set {new['metadata']['name']} to 2 from 0" in messages


def test_paused_deployment_makes_no_progress_until_resumed(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, deployment("web", 2))
    rollout(cluster, ns, "web")
    cluster.kubectl("rollout", "pause", "-n", ns, "deployment/web")
    cluster.kubectl("set", "image", "-n", ns, "deployment/web", "app=nginx:1.26")
    d = until(lambda: (x := get(cluster, ns, "deployment", "web"))
              and condition(x, "Progressing").get("reason") == "DeploymentPaused" and x, what="DeploymentPaused")
    p = condition(d, "Progressing")
    assert (p["status"], p["message"]) == ("Unknown", "Deployment is paused")
    assert d["status"]["observedGeneration"] == d["metadata"]["generation"]
    time.sleep(0.5)  # give a (wrong) rollout the chance to start
    assert len(replicasets(cluster, ns, "web")) == 1
    assert {images_of(p) for p in pods(cluster, ns, "web")} == {"nginx:1.25"}

    cluster.kubectl("rollout", "resume", "-n", ns, "deployment/web")
    rollout(cluster, ns, "web")
    old, new = replicasets(cluster, ns, "web")
    assert (images(new), new["spec"]["replicas"], old["spec"]["replicas"]) == ("nginx:1.26", 2, 0)
    assert condition(get(cluster, ns, "deployment", "web"), "Progressing")["reason"] == "NewReplicaSetAvailable"


def test_never_ready_pods_exceed_the_progress_deadline(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, deployment("stuck", 2, progressDeadlineSeconds=2,
                                  pod_annotations={"sim.trueup.dev/behavior": "never-ready"}))
    out = cluster.kubectl("rollout", "status", "-n", ns, "deployment/stuck", "--timeout=30s", check=False)
    assert out.returncode != 0
    assert 'deployment "stuck" exceeded its progress deadline' in out.stderr
    d = get(cluster, ns, "deployment", "stuck")
    [rs] = replicasets(cluster, ns, "stuck")
    p = condition(d, "Progressing")
    assert (p["status"], p["reason"], p["message"]) == (
        "False", "ProgressDeadlineExceeded", f'ReplicaSet "{rs["metadata"]["name"]}" has timed out progressing.')
    a = condition(d, "Available")
    assert (a["status"], a["reason"]) == ("False", "MinimumReplicasUnavailable")
    assert d["status"]["unavailableReplicas"] == 2 and "availableReplicas" not in d["status"]
    cluster.kubectl("wait", "-n", ns, "--for=condition=Progressing=False", "deployment/stuck", "--timeout=5s")


def test_revision_history_limit_cleans_old_replicasets(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, deployment("hist", 1, revisionHistoryLimit=1))
    rollout(cluster, ns, "hist")
    for tag in ("1.26", "1.27", "1.28"):
        cluster.kubectl("set", "image", "-n", ns, "deployment/hist", f"app=nginx:{tag}")
        rollout(cluster, ns, "hist")
    rss = until(lambda: (x := replicasets(cluster, ns, "hist")) and len(x) == 2 and x, what="two ReplicaSets left")
    assert [(images(r), r["metadata"]["annotations"][REVISION]) for r in rss] == [("nginx:1.27", "3"),
                                                                                ("nginx:1.28", "4")]


def test_replicaset_adopts_a_matching_orphan_pod(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "solo"},
                        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "solo"}},
                                 "template": {"metadata": {"labels": {"app": "solo"}},
                                              "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}})
    until(lambda: get(cluster, ns, "replicaset", "solo")["status"].get("readyReplicas") == 2, what="2 ready")
    apply(cluster, ns, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stray", "labels": {"app": "solo"}},
                        "spec": {"containers": [{"name": "app", "image": "nginx"}]}})
    until(lambda: len(pods(cluster, ns, "solo")) == 2, what="the surplus pod deleted")
    rs = get(cluster, ns, "replicaset", "solo")
    for p in pods(cluster, ns, "solo"):
        assert p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]


def test_deleting_a_deployment_removes_its_replicasets_and_pods(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, deployment("gone", 2))
    rollout(cluster, ns, "gone")
    cluster.kubectl("delete", "-n", ns, "deployment/gone", "--wait=false")
    until(lambda: not replicasets(cluster, ns, "gone") and not pods(cluster, ns, "gone"),
          what="ReplicaSets and Pods garbage-collected")


def test_hundred_replicas_become_available_in_seconds(cluster: RunningCluster, ns: str) -> None:
    start = time.monotonic()
    apply(cluster, ns, deployment("big", 100))
    rollout(cluster, ns, "big", timeout="60s")
    elapsed = time.monotonic() - start
    d = get(cluster, ns, "deployment", "big")
    assert d["status"]["availableReplicas"] == 100
    assert condition(d, "Available")["status"] == "True"
    assert len(pods(cluster, ns, "big")) == 100
    assert elapsed < 20, f"100 replicas took {elapsed:.1f}s"


def test_min_ready_seconds_delays_availability(cluster: RunningCluster, ns: str) -> None:
    start = time.monotonic()
    # Ready since (second-granular) T, available once now > T + 2: at least a second after ready.
    apply(cluster, ns, deployment("slow", 2, minReadySeconds=2))
    d = until(lambda: (x := get(cluster, ns, "deployment", "slow"))["status"].get("readyReplicas") == 2 and x,
              what="2 ready replicas")
    if time.monotonic() - start < 0.9:
        assert d["status"].get("availableReplicas", 0) < 2, "available before minReadySeconds passed"
    rollout(cluster, ns, "slow")
    assert time.monotonic() - start >= 1.0
    [rs] = replicasets(cluster, ns, "slow")
    assert rs["spec"]["minReadySeconds"] == 2
    assert rs["status"]["availableReplicas"] == 2


def test_scaling_mid_rollout_is_proportional(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, deployment("prop", 4, strategy={"type": "RollingUpdate",
                                                       "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}))
    rollout(cluster, ns, "prop")
    # the new pods never become ready: the rollout stops at old 3 + new 2 (4 + maxSurge 1)
    cluster.kubectl("patch", "-n", ns, "deployment/prop", "--type=merge", "-p", json.dumps(
        {"spec": {"template": {"metadata": {"annotations": {"sim.trueup.dev/behavior": "never-ready"}}}}}))
    until(lambda: [r["spec"]["replicas"] for r in replicasets(cluster, ns, "prop")] == [3, 2], what="old 3, new 2")
    cluster.kubectl("scale", "-n", ns, "deployment/prop", "--replicas=8")
    # 8 + maxSurge 1 = 9 replicas, the 4 extra split in proportion to the sizes (3 : 2)
    sizes = until(lambda: (x := [r["spec"]["replicas"] for r in replicasets(cluster, ns, "prop")])
                  and sum(x) == 9 and x, what="9 replicas in total")
    old, new = sizes
    assert old > 3 and new > 2
    for rs in replicasets(cluster, ns, "prop"):
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "8"
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "9"
