"""Several simulated nodes on a dedicated cluster: spreading, cordon, nodes surviving a restart,
and a restart with fewer nodes (extra nodes removed, their Pods garbage-collected)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import RunningCluster, start_cluster, stop_cluster


def _pods(n: int, prefix: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"{prefix}{i}", "namespace": "default"},
         "spec": {"containers": [{"name": "app", "image": "nginx"}]}} for i in range(n)]})


@pytest.fixture(scope="module")
def three_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningCluster, Path]]:
    data = tmp_path_factory.mktemp("three-nodes") / "data"
    c = start_cluster(data, "--nodes", "3")
    yield c, data
    if c.process.poll() is None:
        stop_cluster(c)


def _node_of(c: RunningCluster) -> dict[str, str]:
    return {p["metadata"]["name"]: p["spec"].get("nodeName", "")
            for p in c.get_json("-n", "default", "pods")["items"]}


def test_three_nodes_spread_cordon_restart(three_nodes: tuple[RunningCluster, Path]) -> None:
    c, data = three_nodes
    c.kubectl("wait", "--for=condition=Ready", "node", "--all", "--timeout=15s")
    nodes = c.get_json("nodes")["items"]
    assert sorted(n["metadata"]["name"] for n in nodes) == ["trueup-node-1", "trueup-node-2", "trueup-node-3"]
    zones = {n["metadata"]["name"]: n["metadata"]["labels"]["topology.kubernetes.io/zone"] for n in nodes}
    assert zones == {"trueup-node-1": "us-east-1a", "trueup-node-2": "us-east-1b", "trueup-node-3": "us-east-1c"}
    uids = {n["metadata"]["name"]: n["metadata"]["uid"] for n in nodes}

    c.kubectl("apply", "-f", "-", input=_pods(6, "spread-"))
    c.kubectl("wait", "--for=condition=Ready", "pod", "--all", "--timeout=20s")
    placed = _node_of(c)
    assert sorted(placed.values()).count("trueup-node-1") == 2, placed
    assert set(placed.values()) == {"trueup-node-1", "trueup-node-2", "trueup-node-3"}
    pod = c.get_json("pod", "spread-0")
    index = pod["spec"]["nodeName"].rsplit("-", 1)[1]
    assert pod["status"]["podIP"].startswith(f"10.244.{index}.")
    assert pod["status"]["hostIP"] == f"10.0.0.{10 + int(index)}"

    c.kubectl("cordon", "trueup-node-1")
    c.kubectl("apply", "-f", "-", input=_pods(4, "cordoned-"))
    c.kubectl("wait", "--for=condition=Ready", "pod", "--all", "--timeout=20s")
    assert all(n != "trueup-node-1" for name, n in _node_of(c).items() if name.startswith("cordoned-"))
    c.kubectl("uncordon", "trueup-node-1")

    # restart with one node: nodes survive (same objects), extra ones go, their Pods are collected
    stop_cluster(c)
    c2 = start_cluster(data, "--nodes", "1")
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            names = [n["metadata"]["name"] for n in c2.get_json("nodes")["items"]]
            remaining = set(_node_of(c2).values())
            if names == ["trueup-node-1"] and remaining <= {"trueup-node-1"}:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"nodes {names}, pods on {remaining}")
        assert c2.get_json("node", "trueup-node-1")["metadata"]["uid"] == uids["trueup-node-1"]
        survivors = _node_of(c2)
        assert survivors and all(n == "trueup-node-1" for n in survivors.values())
        c2.kubectl("wait", "--for=condition=Ready", "pod", "--all", "--timeout=10s")
    finally:
        stop_cluster(c2)
