"""The stage engine against fixture files: lifecycles per behaviour, Events per stage, delays."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from trueup.localcluster.simulation import engine, stages
from trueup.localcluster.simulation import podstatus as ps

FIXTURES = Path(__file__).parent / "fixtures"
TRACES = yaml.safe_load((FIXTURES / "traces.yaml").read_text())
EVENTS = yaml.safe_load((FIXTURES / "events.yaml").read_text())
STAGES = stages.default_stages()
FAST = STAGES.timing_for("fast")
REALISTIC = STAGES.timing_for("realistic")


def make_pod(annotations: dict[str, str] | None = None, restart_policy: str = "Always", init: bool = False,
             probe_delay: int = 0) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app", "image": "registry.example/app:v1"}
    if probe_delay:
        container["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": probe_delay}
    spec: dict[str, Any] = {"containers": [container], "restartPolicy": restart_policy, "nodeName": "trueup-node-1"}
    if init:
        spec["initContainers"] = [{"name": "migrate", "image": "busybox"}]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "annotations": annotations or {}},
            "spec": spec,
            "status": {"phase": "Pending", "qosClass": "BestEffort", "conditions": [
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}


def step(pod: dict[str, Any], now: float, ips: list[str]) -> tuple[stages.Stage | None, dict[str, Any]]:
    stage = engine.next_stage(STAGES, pod)
    if stage is None:
        return None, pod
    env = engine.Env(now=now, node="trueup-node-1", host_ip="10.0.0.11", timing=FAST,
                     allocate_ip=lambda: ips.pop(0))
    out = engine.apply(stage, pod, env)
    if out.status is None:
        return stage, pod
    new = {**pod, "status": {**pod["status"], **out.status}}
    # conditions merge by type, as the strategic-merge patch does
    merged = {c["type"]: c for c in pod["status"].get("conditions") or []}
    merged.update({c["type"]: c for c in out.status["conditions"]})
    new["status"]["conditions"] = list(merged.values())
    return stage, new


def condition(pod: dict[str, Any], ctype: str) -> dict[str, Any]:
    return next(c for c in pod["status"]["conditions"] if c["type"] == ctype)


@pytest.mark.parametrize("case", TRACES, ids=[c["name"] for c in TRACES])
def test_lifecycle(case: dict[str, Any]) -> None:
    pod = make_pod(case.get("annotations"), case.get("restartPolicy", "Always"), bool(case.get("init")))
    ips = ["10.244.1.2"]
    now = 1_800_000_000.0
    for i, want in enumerate(case["steps"]):
        now += 1
        stage, pod = step(pod, now, ips)
        where = f"{case['name']} step {i}"
        assert (stage.name if stage else None) == want["stage"], where
        if stage is None:
            continue
        status = pod["status"]
        cs = status["containerStatuses"][0]
        v = stages.view(pod)
        if "phase" in want:
            assert status["phase"] == want["phase"], where
        if "container" in want:
            assert v["container"] == want["container"], where
        if "ready" in want:
            assert cs["ready"] is want["ready"], where
        if "restarts" in want:
            assert cs["restartCount"] == want["restarts"], where
        if "exitCode" in want:
            assert cs["state"]["terminated"]["exitCode"] == want["exitCode"], where
        if "lastReason" in want:
            assert cs["lastState"]["terminated"]["reason"] == want["lastReason"], where
            assert cs["lastState"]["terminated"]["startedAt"] <= cs["lastState"]["terminated"]["finishedAt"]
        if "lastExitCode" in want:
            assert cs["lastState"]["terminated"]["exitCode"] == want["lastExitCode"], where
        if "message" in want:
            assert cs["state"]["waiting"]["message"] == want["message"], where
        if "podIP" in want:
            assert bool(status.get("podIP")) is want["podIP"], where
        for ctype in ("Ready", "Initialized"):
            if ctype in want:
                assert condition(pod, ctype)["status"] == want[ctype], where
        if "ReadyReason" in want:
            assert condition(pod, "Ready")["reason"] == want["ReadyReason"], where
            assert condition(pod, "ContainersReady")["reason"] == want["ReadyReason"], where
        assert condition(pod, "PodScheduled")["status"] == "True", "the scheduler's condition is kept"


def test_running_status_fields() -> None:
    pod = make_pod()
    ips = ["10.244.1.7"]
    _, pod = step(pod, 1_800_000_000.0, ips)
    _, pod = step(pod, 1_800_000_001.0, ips)
    st = pod["status"]
    assert st["hostIP"] == "10.0.0.11" and st["hostIPs"] == [{"ip": "10.0.0.11"}]
    assert st["podIP"] == "10.244.1.7" and st["podIPs"] == [{"ip": "10.244.1.7"}]
    assert st["startTime"] == ps.rfc3339(1_800_000_000.0)
    cs = st["containerStatuses"][0]
    assert cs["image"] == "registry.example/app:v1"
    assert cs["imageID"].startswith("registry.example/app@sha256:")
    assert cs["containerID"].startswith("containerd://") and len(cs["containerID"]) == len("containerd://") + 64
    assert cs["started"] is True and cs["state"]["running"]["startedAt"] == ps.rfc3339(1_800_000_001.0)
    assert condition(pod, "PodReadyToStartContainers")["status"] == "True"


def test_waiting_container_keeps_spec_image() -> None:
    _, pod = step(make_pod(), 1.0, [])
    cs = pod["status"]["containerStatuses"][0]
    assert cs == {"name": "app", "image": "registry.example/app:v1", "imageID": "", "ready": False,
                  "started": False, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}},
                  "lastState": {}}
    ready = condition(pod, "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False", "ContainersNotReady", "containers with unready status: [app]")


def test_init_container_completed() -> None:
    pod = make_pod(init=True)
    _, pod = step(pod, 1.0, [])
    assert pod["status"]["initContainerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    init_cond = condition(pod, "Initialized")
    assert init_cond["reason"] == "ContainersNotInitialized"
    assert init_cond["message"] == "containers with incomplete status: [migrate]"
    _, pod = step(pod, 2.0, ["10.244.1.2"])
    term = pod["status"]["initContainerStatuses"][0]["state"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("Completed", 0)
    assert pod["status"]["initContainerStatuses"][0]["image"] == "docker.io/library/busybox:latest"


def test_restart_keeps_container_id_in_last_state() -> None:
    pod = make_pod({"sim.trueup.dev/behavior": "crash-loop"})
    ips = ["10.244.1.2"]
    for t in range(3):
        _, pod = step(pod, 10.0 + t, ips)
    cs = pod["status"]["containerStatuses"][0]
    first_id = cs["containerID"]
    assert cs["lastState"]["terminated"]["containerID"] == first_id
    assert cs["state"]["waiting"]["message"] == \
        "back-off 200ms restarting failed container=app pod=web_shop(u-1)"
    _, pod = step(pod, 20.0, ips)
    assert pod["status"]["containerStatuses"][0]["containerID"] != first_id


@pytest.mark.parametrize("case", EVENTS, ids=[c["stage"] for c in EVENTS])
def test_events(case: dict[str, Any]) -> None:
    stage = next(s for s in STAGES.stages if s.name == case["stage"])
    pod = make_pod(init=True)
    env = engine.Env(now=1.0, node="trueup-node-1", host_ip="10.0.0.11", timing=FAST, allocate_ip=lambda: "10.244.1.2")
    out = engine.apply(stage, pod, env)
    assert [list(e) for e in out.events] == case["events"]


def test_backoff_doubles_to_the_cap() -> None:
    assert [stages.backoff(n, REALISTIC) for n in range(1, 8)] == [10, 20, 40, 80, 160, 300, 300]
    assert [stages.backoff(n, FAST) for n in range(1, 6)] == [0.2, 0.4, 0.8, 1.6, 3.0]
    assert [engine.go_duration(stages.backoff(n, REALISTIC)) for n in (1, 4, 5, 6)] == ["10s", "1m20s", "2m40s",
                                                                                        "5m0s"]


def _stage(name: str) -> stages.Stage:
    return next(s for s in STAGES.stages if s.name == name)


def test_delays() -> None:
    rng = random.Random(7)
    probe = make_pod(probe_delay=10)
    assert stages.delay(_stage("ready"), probe, "fast", FAST, rng=rng) == pytest.approx(1.0)
    assert 10.5 <= stages.delay(_stage("ready"), probe, "realistic", REALISTIC, rng=rng) <= 12.0
    assert stages.delay(_stage("ready"), make_pod(), "fast", FAST, rng=rng) == 0.0
    job = make_pod({"sim.trueup.dev/run-seconds": "2"}, "Never")
    assert stages.delay(_stage("completed"), job, "fast", FAST, rng=rng, running_for=0.5) == pytest.approx(1.5)
    assert stages.delay(_stage("completed"), make_pod(restart_policy="Never"), "fast", FAST, rng=rng) == 0.3
    assert stages.delay(_stage("completed"), make_pod(restart_policy="Never"), "realistic", REALISTIC, rng=rng) == 5.0
    crashing = make_pod()
    crashing["status"]["containerStatuses"] = [{"name": "app", "restartCount": 3, "state": {"waiting": {}}}]
    assert stages.delay(_stage("restarted"), crashing, "realistic", REALISTIC, rng=rng) == 40.0
    assert stages.delay(_stage("image-pull-retry"), crashing, "realistic", REALISTIC, rng=rng, attempts=2) == 20.0
    for _ in range(50):
        assert 0.2 <= stages.delay(_stage("pod-accepted"), crashing, "realistic", REALISTIC, rng=rng) <= 0.8
    slow = stages.delay(_stage("slow-start-ready"), make_pod(), "fast", FAST, rng=rng)
    assert 3.0 <= slow <= 3.5, "slow start is observable in fast mode too"


def test_bad_annotations_fall_back() -> None:
    pod = make_pod({"sim.trueup.dev/exit-code": "x", "sim.trueup.dev/run-seconds": "soon"})
    assert stages.exit_code(pod) == 0
    assert stages.run_seconds(pod, FAST) == FAST.run_seconds


@pytest.mark.parametrize("doc, message", [
    ({}, "has `stages`"),
    ({"stages": [{"name": "a"}, {"name": "a"}]}, "duplicate"),
    ({"stages": [{"name": "a", "when": {"colour": ["red"]}}]}, "unknown view key"),
    ({"stages": [{"name": "a", "delay": "sometime"}]}, "is not one of"),
    ({"stages": [{"name": "a", "delay": {"fast": [2, 1]}}]}, "min <= max"),
    ({"stages": [{"name": "a", "events": [{"type": "Normal", "reason": "R", "message": "m", "each": "pod"}]}]},
     "each"),
])
def test_bad_stage_documents(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(stages.StageError, match=message):
        stages.parse(doc)


def test_custom_stage_document() -> None:
    custom = stages.parse({"stages": [
        {"name": "instant", "when": {"container": "none"}, "delay": 0,
         "set": {"state": "running", "ready": True, "network": True}}]})
    pod = make_pod()
    stage = engine.next_stage(custom, pod)
    assert stage is not None and stage.name == "instant"
    out = engine.apply(stage, pod, engine.Env(now=1.0, node="n", host_ip="10.0.0.11", timing=FAST,
                                              allocate_ip=lambda: "10.244.1.9"))
    assert out.status is not None and out.status["phase"] == "Running" and out.status["podIP"] == "10.244.1.9"
