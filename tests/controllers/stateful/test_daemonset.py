"""DaemonSet end to end with the real kubectl: one pod per node, node selection, rolling update."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningCluster

from .helpers import apply, events, eventually, pods


def ds(ns: str, name: str = "agent", image: str = "fluentd:1.16", **spec: Any) -> dict[str, Any]:
    pod_spec: dict[str, Any] = {"containers": [{"name": "agent", "image": image}], **spec}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec}}}


def test_one_pod_per_node_and_rollout_status(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, ds(ns))
    out = cluster.kubectl("rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s").stdout
    assert 'daemon set "agent" successfully rolled out' in out
    nodes = [n["metadata"]["name"] for n in cluster.get_json("nodes")["items"]]
    got = cluster.get_json("daemonset", "-n", ns, "agent")
    st = got["status"]
    assert st["desiredNumberScheduled"] == st["currentNumberScheduled"] == len(nodes)
    assert st["numberReady"] == st["numberAvailable"] == st["updatedNumberScheduled"] == len(nodes)
    assert st["numberMisscheduled"] == 0 and st["observedGeneration"] == got["metadata"]["generation"]
    ps = pods(cluster, ns, "app=agent")
    assert sorted(p["spec"]["nodeName"] for p in ps) == sorted(nodes)
    for p in ps:
        assert p["metadata"]["name"].startswith("agent-")
        assert p["metadata"]["labels"]["pod-template-generation"] == "1"
        terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
            "nodeSelectorTerms"]
        assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In",
                                           "values": [p["spec"]["nodeName"]]}]}]
        keys = {t["key"] for t in p["spec"]["tolerations"]}
        assert {"node.kubernetes.io/not-ready", "node.kubernetes.io/unschedulable"} <= keys
    revs = cluster.get_json("controllerrevisions", "-n", ns)["items"]
    assert len(revs) == 1
    assert ps[0]["metadata"]["labels"]["controller-revision-hash"] == \
        revs[0]["metadata"]["labels"]["controller.kubernetes.io/hash"]
    assert any(r == "SuccessfulCreate" and m == f"Created pod: {ps[0]['metadata']['name']}"
               for r, m in events(cluster, ns, "agent"))


def test_node_selector_that_matches_nothing_schedules_nothing(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, ds(ns, nodeSelector={"disktype": "ssd"}))
    cluster.kubectl("rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s")
    st = cluster.get_json("daemonset", "-n", ns, "agent")["status"]
    assert st["desiredNumberScheduled"] == 0 and st["currentNumberScheduled"] == 0
    assert pods(cluster, ns, "app=agent") == []


def test_image_change_rolls_every_node(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, ds(ns))
    cluster.kubectl("rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s")
    before = {p["metadata"]["name"] for p in pods(cluster, ns, "app=agent")}
    cluster.kubectl("set", "image", "-n", ns, "daemonset/agent", "agent=fluentd:1.17")
    cluster.kubectl("rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s")

    def rolled() -> bool:
        ps = pods(cluster, ns, "app=agent")
        return bool(ps) and all(p["spec"]["containers"][0]["image"] == "fluentd:1.17" for p in ps)
    eventually(rolled)
    ps = pods(cluster, ns, "app=agent")
    assert not before & {p["metadata"]["name"] for p in ps}
    assert {p["metadata"]["labels"]["pod-template-generation"] for p in ps} == {"2"}
    st = cluster.get_json("daemonset", "-n", ns, "agent")["status"]
    assert st["updatedNumberScheduled"] == st["desiredNumberScheduled"] == st["numberAvailable"]
    assert len(cluster.get_json("controllerrevisions", "-n", ns)["items"]) == 2
