"""DaemonSet on a three-node cluster (`trueup cluster up --nodes 3`): one pod per matching node."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from tests.conftest import RunningCluster, start_cluster, stop_cluster

from .helpers import apply, pods
from .test_daemonset import ds


@pytest.fixture(scope="module")
def three_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCluster]:
    c = start_cluster(tmp_path_factory.mktemp("three") / "data", "--nodes", "3")
    yield c
    stop_cluster(c)


def test_one_pod_on_each_matching_node(three_nodes: RunningCluster) -> None:
    c, ns = three_nodes, f"t-{uuid.uuid4().hex[:8]}"
    apply(c, "default", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    c.kubectl("label", "node", "trueup-node-2", "disktype=ssd")
    apply(c, ns, ds(ns))
    c.kubectl("rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s")
    assert sorted(p["spec"]["nodeName"] for p in pods(c, ns, "app=agent")) == [
        "trueup-node-1", "trueup-node-2", "trueup-node-3"]
    st = c.get_json("daemonset", "-n", ns, "agent")["status"]
    assert st["desiredNumberScheduled"] == st["numberAvailable"] == 3

    apply(c, ns, ds(ns, nodeSelector={"disktype": "ssd"}))
    c.kubectl("rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s")
    c.kubectl("wait", "-n", ns, "--for=jsonpath={.status.numberMisscheduled}=0", "daemonset/agent", "--timeout=30s")
    assert [p["spec"]["nodeName"] for p in pods(c, ns, "app=agent")] == ["trueup-node-2"]
    st = c.get_json("daemonset", "-n", ns, "agent")["status"]
    assert st["desiredNumberScheduled"] == st["currentNumberScheduled"] == st["numberReady"] == 1
