"""Scheduling decisions (fixture file), simulated Node objects, pod IP allocation, status helpers."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from trueup.localcluster.simulation import nodes, podstatus, scheduling
from trueup.localcluster.simulation.network import PodIPs

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "scheduling.yaml").read_text())


def cluster_nodes() -> list[dict[str, Any]]:
    out = []
    for i in (1, 2, 3):
        n = nodes.node_object(i)
        n["status"] = nodes.node_status(i, "2026-01-01T00:00:00Z")
        out.append(n)
    out[0]["metadata"]["labels"].update(disk="ssd", cores="4")
    out[1]["spec"]["unschedulable"] = True
    out[2]["spec"]["taints"] = [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_scheduling(case: dict[str, Any]) -> None:
    usage = {name: scheduling.Usage(pods=n) for name, n in (case.get("usage") or {}).items()}
    pod = {"metadata": {"name": "p", "namespace": "d"}, "spec": {"containers": [{"name": "c"}], **case["pod"]}}
    node, message = scheduling.choose(pod, cluster_nodes(), usage)
    assert node == case["expect"].get("node")
    assert message == case["expect"].get("message", "")


def test_no_nodes_and_not_ready_nodes() -> None:
    pod = {"spec": {"containers": [{"name": "c"}]}}
    assert scheduling.choose(pod, [], {}) == (None, "no nodes available to schedule pods")
    n = nodes.node_object(1)
    assert scheduling.filter_node(pod, n) == "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"


def test_resources_enforced_only_on_request() -> None:
    n = nodes.node_object(1)
    n["status"] = nodes.node_status(1, "t")
    big = {"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "3", "memory": "1Gi"}}}]}}
    used = scheduling.Usage(pods=1, cpu_milli=1000)
    assert scheduling.filter_node(big, n, used) is None
    assert scheduling.filter_node(big, n, used, enforce_resources=True) == "Insufficient cpu"
    full = scheduling.Usage(pods=110)
    assert scheduling.filter_node({"spec": {}}, n, full, enforce_resources=True) == "Too many pods"
    assert scheduling.pod_requests(big) == (3000, 2**30)
    assert scheduling.quantity("250m") == 0.25 and scheduling.quantity("1.5Gi") == 1.5 * 2**30
    assert scheduling.quantity("bogus") == 0.0


def test_node_objects() -> None:
    n = nodes.node_object(2)
    labels = n["metadata"]["labels"]
    assert n["metadata"]["name"] == "trueup-node-2"
    assert labels["kubernetes.io/hostname"] == "trueup-node-2"
    assert labels["kubernetes.io/os"] == "linux" and labels["kubernetes.io/arch"] == "amd64"
    assert labels["node.kubernetes.io/instance-type"] == "m5.large"
    assert [nodes.zone(i) for i in (1, 2, 3, 4)] == ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1a"]
    assert n["spec"]["podCIDR"] == "10.244.2.0/24"
    st = nodes.node_status(2, "2026-01-01T00:00:00Z")
    assert st["capacity"]["cpu"] == "4" and st["capacity"]["memory"] == "16Gi" and st["capacity"]["pods"] == "110"
    ready = next(c for c in st["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("True", "KubeletReady")
    assert {"type": "InternalIP", "address": "10.0.0.12"} in st["addresses"]
    assert {"type": "Hostname", "address": "trueup-node-2"} in st["addresses"]
    assert st["nodeInfo"]["kubeletVersion"] == "v1.37.0"
    assert nodes.node_status(2, "x") != nodes.node_status(3, "x")
    assert nodes.node_object(2) == nodes.node_object(2), "stable across restarts"
    assert nodes.status_is_current(2, st) and not nodes.status_is_current(2, None)
    later = nodes.node_status(2, "2026-01-02T00:00:00Z", st)
    assert next(c for c in later["conditions"] if c["type"] == "Ready")["lastTransitionTime"] == \
        "2026-01-01T00:00:00Z"
    assert nodes.node_index("trueup-node-12") == 12
    assert nodes.node_index("trueup-node-0") is None and nodes.node_index("minikube") is None


def test_pod_ips_unique_and_overflowing() -> None:
    ips = PodIPs()
    ips.reserve(1, "10.244.1.3", "old")
    got = [ips.allocate(1, f"u{i}") for i in range(600)]
    assert len(set(got)) == 600 and "10.244.1.3" not in got
    assert got[0] == "10.244.1.2" and got[1] == "10.244.1.4"
    assert got[252] == "10.245.1.2", "a full /24 continues in the next block"
    assert ips.allocate(2, "x") == "10.244.2.2"
    ips.release(1, "10.244.1.2", "someone-else")
    assert ips.owner("10.244.1.2") == "u0"
    ips.release(1, "10.244.1.2", "u0")
    assert ips.owner("10.244.1.2") is None
    assert all(not ip.startswith(("10.96.", "10.0.")) for ip in got)


@pytest.mark.parametrize("image, ref", [
    ("nginx", "docker.io/library/nginx:latest"),
    ("nginx:1.25", "docker.io/library/nginx:1.25"),
    ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
    ("ghcr.io/org/app", "ghcr.io/org/app:latest"),
    ("localhost:5000/app:v1", "localhost:5000/app:v1"),
    ("registry.k8s.io/pause@sha256:abc", "registry.k8s.io/pause@sha256:abc"),
])
def test_normalize_image(image: str, ref: str) -> None:
    assert podstatus.normalize_image(image) == ref


@pytest.mark.parametrize("resources, qos", [
    ([{}], "BestEffort"),
    ([{"requests": {"cpu": "100m"}}], "Burstable"),
    ([{"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}], "Guaranteed"),
    ([{"limits": {"cpu": "1", "memory": "1Gi"}}, {}], "Burstable"),
])
def test_qos_class(resources: list[dict[str, Any]], qos: str) -> None:
    pod = {"spec": {"containers": [{"name": f"c{i}", "resources": r} for i, r in enumerate(resources)]}}
    assert podstatus.qos_class(pod) == qos


def _cs(state: dict[str, Any], last: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": "c", "state": state, "lastState": last or {}}


@pytest.mark.parametrize("policy, states, phase", [
    ("Always", [_cs({"waiting": {"reason": "ContainerCreating"}})], "Pending"),
    ("Always", [_cs({"running": {}}), _cs({"waiting": {}})], "Pending"),
    ("Always", [_cs({"waiting": {"reason": "CrashLoopBackOff"}}, {"terminated": {"exitCode": 1}})], "Running"),
    ("Never", [_cs({"terminated": {"exitCode": 0}}), _cs({"terminated": {"exitCode": 0}})], "Succeeded"),
    ("Never", [_cs({"terminated": {"exitCode": 0}}), _cs({"terminated": {"exitCode": 2}})], "Failed"),
    ("Never", [_cs({"terminated": {"exitCode": 0}}), _cs({"running": {}})], "Running"),
    ("OnFailure", [_cs({"terminated": {"exitCode": 0}})], "Succeeded"),
    ("OnFailure", [_cs({"waiting": {}}, {"terminated": {"exitCode": 1}})], "Running"),
])
def test_phase(policy: str, states: list[dict[str, Any]], phase: str) -> None:
    assert podstatus.phase(policy, [], copy.deepcopy(states)) == phase


def test_readiness_gates() -> None:
    pod = {"spec": {"readinessGates": [{"conditionType": "example.com/lb"}]}, "status": {"conditions": []}}
    status = {"phase": "Running", "podIP": "10.244.1.2",
              "containerStatuses": [{"name": "c", "ready": True, "state": {"running": {}}}]}
    ready = next(c for c in podstatus.conditions(pod, status, "t") if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "ReadinessGatesNotReady")
    pod["status"]["conditions"] = [{"type": "example.com/lb", "status": "True"}]
    ready = next(c for c in podstatus.conditions(pod, status, "t") if c["type"] == "Ready")
    assert ready["status"] == "True"
