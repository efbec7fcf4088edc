"""The simulated nodes, scheduler and kubelet, seen through the real kubectl against
`trueup cluster up --timing fast`: what a user checks with get/wait/describe."""

from __future__ import annotations

import json
import re
import time
from typing import Any, TypeVar

from tests.conftest import RunningCluster, eventually

T = TypeVar("T")


def pod_manifest(name: str, *, annotations: dict[str, str] | None = None, restart: str = "Always",
                 image: str = "nginx:1.25", **spec: Any) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": name, "annotations": annotations or {}},
                       "spec": {"restartPolicy": restart, "containers": [{"name": "app", "image": image}], **spec}})


def create(cluster: RunningCluster, ns: str, name: str, **kw: Any) -> None:
    cluster.kubectl("-n", ns, "apply", "-f", "-", input=pod_manifest(name, **kw))


def pod(cluster: RunningCluster, ns: str, name: str) -> dict[str, Any]:
    out: dict[str, Any] = cluster.get_json("-n", ns, "pod", name)
    return out


def container(p: dict[str, Any]) -> dict[str, Any]:
    statuses = (p.get("status") or {}).get("containerStatuses") or [{}]
    out: dict[str, Any] = statuses[0]
    return out


def condition(p: dict[str, Any], ctype: str) -> dict[str, Any]:
    return next((c for c in (p.get("status") or {}).get("conditions") or [] if c["type"] == ctype), {})


def describe_events(cluster: RunningCluster, ns: str, name: str) -> str:
    text = cluster.kubectl("-n", ns, "describe", "pod", name).stdout
    return text.split("Events:", 1)[1]


def test_node_is_ready(cluster: RunningCluster) -> None:
    cluster.kubectl("wait", "--for=condition=Ready", "node/trueup-node-1", "--timeout=10s")
    out = cluster.kubectl("get", "nodes", "-o", "wide").stdout
    assert re.search(r"trueup-node-1\s+Ready\s+<none>\s+\S+\s+v1\.37\.0\s+10\.0\.0\.11", out), out
    node = cluster.get_json("node", "trueup-node-1")
    assert node["metadata"]["labels"]["topology.kubernetes.io/zone"] == "us-east-1a"
    assert node["status"]["capacity"]["pods"] == "110"
    ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert ready["reason"] == "KubeletReady"


def test_bare_pod_runs_and_is_ready(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "web")
    cluster.kubectl("-n", ns, "wait", "--for=condition=Ready", "pod/web", "--timeout=15s")
    wide = cluster.kubectl("-n", ns, "get", "pods", "-o", "wide").stdout
    assert re.search(r"web\s+1/1\s+Running\s+0\s+\S+\s+10\.244\.1\.\d+\s+trueup-node-1", wide), wide
    p = pod(cluster, ns, "web")
    st = p["status"]
    assert st["phase"] == "Running" and st["hostIP"] == "10.0.0.11" and st["qosClass"] == "BestEffort"
    assert st["podIPs"] == [{"ip": st["podIP"]}] and st["hostIPs"] == [{"ip": "10.0.0.11"}]
    assert st["startTime"]
    assert {c["type"]: c["status"] for c in st["conditions"]} == {
        "PodReadyToStartContainers": "True", "Initialized": "True", "Ready": "True", "ContainersReady": "True",
        "PodScheduled": "True"}
    assert all(c["lastTransitionTime"] for c in st["conditions"])
    assert "reason" not in condition(p, "Ready"), "a stale reason does not outlive the transition"
    cs = container(p)
    assert cs["ready"] is True and cs["started"] is True and cs["restartCount"] == 0
    assert cs["image"] == "docker.io/library/nginx:1.25"
    assert cs["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert re.fullmatch(r"containerd://[0-9a-f]{64}", cs["containerID"])
    assert cs["state"]["running"]["startedAt"]
    events = describe_events(cluster, ns, "web")
    for line in (rf"Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned {ns}/web to trueup-node-1",
                 r'Normal\s+Pulled\s+.*kubelet\s+Container image "nginx:1.25" already present on machine',
                 r"Normal\s+Created\s+.*kubelet\s+Created container: app",
                 r"Normal\s+Started\s+.*kubelet\s+Started container app"):
        assert re.search(line, events), events


def test_pod_ips_are_unique(cluster: RunningCluster, ns: str) -> None:
    items = [json.loads(pod_manifest(f"p{i}")) for i in range(6)]
    cluster.kubectl("-n", ns, "apply", "-f", "-",
                    input=json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    cluster.kubectl("-n", ns, "wait", "--for=condition=Ready", "pod", "--all", "--timeout=15s")
    ips = [p["status"]["podIP"] for p in cluster.get_json("-n", ns, "pods")["items"]]
    assert len(ips) == 6 and len(set(ips)) == 6


def test_init_container_completes_first(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "withinit", initContainers=[{"name": "migrate", "image": "busybox"}])
    cluster.kubectl("-n", ns, "wait", "--for=condition=Ready", "pod/withinit", "--timeout=15s")
    init = pod(cluster, ns, "withinit")["status"]["initContainerStatuses"][0]
    assert init["state"]["terminated"]["reason"] == "Completed" and init["state"]["terminated"]["exitCode"] == 0


def test_readiness_probe_initial_delay(cluster: RunningCluster, ns: str) -> None:
    # initialDelaySeconds 20 → 2 s in fast mode (probes scale by 0.1)
    cluster.kubectl("-n", ns, "apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probed"},
        "spec": {"containers": [{"name": "app", "image": "nginx", "readinessProbe": {
            "httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 20}}]}}))
    started = time.monotonic()
    eventually(lambda: container(pod(cluster, ns, "probed")).get("started"), what="container started")
    p = pod(cluster, ns, "probed")
    assert container(p)["ready"] is False and condition(p, "Ready")["status"] == "False"
    cluster.kubectl("-n", ns, "wait", "--for=condition=Ready", "pod/probed", "--timeout=15s")
    assert time.monotonic() - started >= 1.5


def test_job_pod_succeeds(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "ok", restart="Never", image="busybox")
    cluster.kubectl("-n", ns, "wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/ok", "--timeout=15s")
    p = pod(cluster, ns, "ok")
    term = container(p)["state"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("Completed", 0) and term["startedAt"] and term["finishedAt"]
    assert (condition(p, "Ready")["status"], condition(p, "Ready")["reason"]) == ("False", "PodCompleted")
    assert re.search(r"ok\s+0/1\s+Completed\s+0", cluster.kubectl("-n", ns, "get", "pod", "ok").stdout)


def test_job_pod_fails_with_its_exit_code(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "bad", restart="Never", image="busybox",
           annotations={"sim.trueup.dev/exit-code": "3", "sim.trueup.dev/run-seconds": "0.5"})
    cluster.kubectl("-n", ns, "wait", "--for=jsonpath={.status.phase}=Failed", "pod/bad", "--timeout=15s")
    term = container(pod(cluster, ns, "bad"))["state"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("Error", 3)
    assert re.search(r"bad\s+0/1\s+Error\s+0", cluster.kubectl("-n", ns, "get", "pod", "bad").stdout)


def test_image_pull_failure(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "pull", image="registry.example/app:nope",
           annotations={"sim.trueup.dev/behavior": "image-pull-failure"})
    reasons: set[str] = set()

    def backoff() -> dict[str, Any] | None:
        p = pod(cluster, ns, "pull")
        waiting = container(p).get("state", {}).get("waiting") or {}
        reasons.add(waiting.get("reason", ""))
        return p if waiting.get("reason") == "ImagePullBackOff" else None

    p = eventually(backoff, what="ImagePullBackOff")
    cs = container(p)
    assert cs["state"]["waiting"]["message"] == 'Back-off pulling image "registry.example/app:nope"'
    assert cs["ready"] is False and cs["restartCount"] == 0 and cs["imageID"] == ""
    assert p["status"]["phase"] == "Pending"
    eventually(lambda: (backoff(), "ErrImagePull" in reasons)[1], timeout=10, what="ErrImagePull seen too")
    events = describe_events(cluster, ns, "pull")
    assert re.search(r'Normal\s+Pulling\s+.*kubelet\s+Pulling image "registry.example/app:nope"', events), events
    assert re.search(r'Warning\s+Failed\s+.*Failed to pull image "registry.example/app:nope": .*not found', events)
    assert re.search(r"Warning\s+Failed\s+.*Error: ErrImagePull", events)
    assert re.search(r'Normal\s+BackOff\s+.*Back-off pulling image "registry.example/app:nope"', events)
    assert re.search(r"Warning\s+Failed\s+.*Error: ImagePullBackOff", events)


def _crash_looping(cluster: RunningCluster, ns: str, name: str, restarts: int) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        p = pod(cluster, ns, name)
        cs = container(p)
        waiting = cs.get("state", {}).get("waiting") or {}
        return p if cs.get("restartCount", 0) >= restarts and waiting.get("reason") == "CrashLoopBackOff" else None

    return eventually(check, timeout=20, what=f"{name} in CrashLoopBackOff after {restarts} restarts")


def test_crash_loop(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "crash", annotations={"sim.trueup.dev/behavior": "crash-loop"})
    p = _crash_looping(cluster, ns, "crash", 2)
    cs = container(p)
    last = cs["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("Error", 1)
    assert last["startedAt"] <= last["finishedAt"] and last["containerID"].startswith("containerd://")
    assert cs["state"]["waiting"]["message"].startswith("back-off ")
    assert f"restarting failed container=app pod=crash_{ns}(" in cs["state"]["waiting"]["message"]
    assert cs["ready"] is False and p["status"]["phase"] == "Running"
    ready = condition(p, "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False", "ContainersNotReady", "containers with unready status: [app]")
    row = cluster.kubectl("-n", ns, "get", "pod", "crash").stdout
    assert re.search(r"crash\s+0/1\s+(CrashLoopBackOff|Running)\s+\d+ \(", row), row
    events = describe_events(cluster, ns, "crash")
    assert re.search(r"Warning\s+BackOff\s+.*kubelet\s+Back-off restarting failed container app in pod crash_", events)
    assert re.search(r"Normal\s+Started\s+.*\(x\d+ over", events), "restarts repeat the Started event"
    # the back-off grows: restarts slow down
    count = container(pod(cluster, ns, "crash"))["restartCount"]
    time.sleep(0.5)
    assert container(pod(cluster, ns, "crash"))["restartCount"] <= count + 2


def test_oom_killed(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "oom", annotations={"sim.trueup.dev/behavior": "oom-killed"})
    p = _crash_looping(cluster, ns, "oom", 1)
    last = container(p)["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)


def test_oom_killed_job_pod_fails(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "oomjob", restart="Never", annotations={"sim.trueup.dev/behavior": "oom-killed"})
    cluster.kubectl("-n", ns, "wait", "--for=jsonpath={.status.phase}=Failed", "pod/oomjob", "--timeout=15s")
    term = container(pod(cluster, ns, "oomjob"))["state"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("OOMKilled", 137)


def test_never_ready(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "nr", annotations={"sim.trueup.dev/behavior": "never-ready"})
    eventually(lambda: "Unhealthy" in describe_events(cluster, ns, "nr"), what="Unhealthy event")
    p = pod(cluster, ns, "nr")
    cs = container(p)
    assert p["status"]["phase"] == "Running" and cs["started"] is True and cs["ready"] is False
    assert "running" in cs["state"] and cs["restartCount"] == 0
    assert (condition(p, "Ready")["status"], condition(p, "Ready")["reason"]) == ("False", "ContainersNotReady")
    assert re.search(r"Warning\s+Unhealthy\s+.*kubelet\s+Readiness probe failed: ", describe_events(cluster, ns, "nr"))
    proc = cluster.kubectl("-n", ns, "wait", "--for=condition=Ready", "pod/nr", "--timeout=1s", check=False)
    assert proc.returncode != 0


def test_slow_start(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "slow", annotations={"sim.trueup.dev/behavior": "slow-start"})
    eventually(lambda: container(pod(cluster, ns, "slow")).get("started"), what="started")
    p = pod(cluster, ns, "slow")
    assert p["status"]["phase"] == "Running" and container(p)["ready"] is False
    cluster.kubectl("-n", ns, "wait", "--for=condition=Ready", "pod/slow", "--timeout=15s")


def test_unschedulable_node_selector(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "nowhere", nodeSelector={"disk": "nvme"})
    msg = ("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: "
           "0/1 nodes are available: 1 Preemption is not helpful for scheduling.")

    def unschedulable() -> dict[str, Any] | None:
        c = condition(pod(cluster, ns, "nowhere"), "PodScheduled")
        return c if c.get("reason") == "Unschedulable" else None

    c = eventually(unschedulable, what="PodScheduled=False")
    assert (c["status"], c["message"]) == ("False", msg)
    p = pod(cluster, ns, "nowhere")
    assert p["status"]["phase"] == "Pending" and not p["spec"].get("nodeName")
    assert re.search(r"Warning\s+FailedScheduling\s+.*default-scheduler\s+0/1 nodes are available",
                     describe_events(cluster, ns, "nowhere"))


def test_toleration_and_node_affinity(cluster: RunningCluster, ns: str) -> None:
    create(cluster, ns, "aff", tolerations=[{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
           affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
               {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}]}}})
    cluster.kubectl("-n", ns, "wait", "--for=condition=Ready", "pod/aff", "--timeout=15s")
    assert pod(cluster, ns, "aff")["spec"]["nodeName"] == "trueup-node-1"
