"""Endpoints and EndpointSlices with the real kubectl: ready and not-ready Pod IPs, named target
ports, the managed-by and service-name labels, the API server's own `kubernetes` Service."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.conftest import RunningCluster

from ._util import apply, get, wait_for


def deployment(ns: str, name: str, replicas: int, behavior: str | None = None) -> dict[str, Any]:
    annotations = {"sim.trueup.dev/behavior": behavior} if behavior else {}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name, "tier": "web"}, "annotations": annotations},
                                  "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "ports": [
                                      {"name": "http", "containerPort": 8080}]}]}}}}


def service(ns: str, name: str, selector: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns,
                                                                "labels": {"team": "infra"}},
            "spec": {"selector": selector, "ports": [{"name": "web", "port": 80, "targetPort": "http"},
                                                     {"name": "metrics", "port": 9090}]}}


def slices(cluster: RunningCluster, ns: str, svc: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = cluster.get_json("endpointslices", "-n", ns,
                                                   f"-lkubernetes.io/service-name={svc}")["items"]
    return items


def pod_ips(cluster: RunningCluster, ns: str, app: str) -> list[str]:
    pods = cluster.get_json("pods", "-n", ns, f"-lapp={app}")["items"]
    return sorted(p["status"].get("podIP", "") for p in pods)


def test_service_endpoints_list_ready_pod_ips_with_resolved_ports(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, deployment(ns, "web", 2), service(ns, "web", {"app": "web"}))
    cluster.kubectl("rollout", "status", "deployment/web", "-n", ns, "--timeout=30s", timeout=40)

    def ready_ips() -> list[str] | None:
        ep = get(cluster, "endpoints", "web", "-n", ns)
        subsets = (ep or {}).get("subsets") or []
        ips = sorted(a["ip"] for s in subsets for a in s.get("addresses") or [])
        return ips if len(ips) == 2 else None

    ips = wait_for(ready_ips, what="2 ready addresses")
    assert ips == pod_ips(cluster, ns, "web")
    ep = get(cluster, "endpoints", "web", "-n", ns)
    assert ep is not None and ep["metadata"]["labels"] == {"team": "infra"}
    subset = ep["subsets"][0]
    assert sorted((p["name"], p["port"], p["protocol"]) for p in subset["ports"]) == \
        [("metrics", 9090, "TCP"), ("web", 8080, "TCP")]
    address = subset["addresses"][0]
    assert address["targetRef"]["kind"] == "Pod" and address["nodeName"].startswith("trueup-node-")
    assert "notReadyAddresses" not in subset
    out = cluster.kubectl("get", "endpoints", "web", "-n", ns).stdout
    assert f"{ips[0]}:8080" in out or f"{ips[0]}:9090" in out

    [es] = slices(cluster, ns, "web")
    assert es["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert es["metadata"]["labels"]["team"] == "infra"
    assert es["metadata"]["name"].startswith("web-")
    assert es["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert es["addressType"] == "IPv4"
    assert sorted(e["addresses"][0] for e in es["endpoints"]) == ips
    assert all(e["conditions"] == {"ready": True, "serving": True, "terminating": False} for e in es["endpoints"])
    assert all(e["targetRef"]["kind"] == "Pod" and e["nodeName"] and e["zone"] == "us-east-1a"
               for e in es["endpoints"])
    assert sorted((p["name"], p["port"]) for p in es["ports"]) == [("metrics", 9090), ("web", 8080)]

    # Scaled to zero: no addresses, a placeholder slice.
    cluster.kubectl("scale", "deployment/web", "-n", ns, "--replicas=0")
    wait_for(lambda: not (get(cluster, "endpoints", "web", "-n", ns) or {}).get("subsets"), what="no subsets")
    wait_for(lambda: [s["endpoints"] for s in slices(cluster, ns, "web")] == [[]] or None, what="empty slice")

    # Deleted with the Service.
    cluster.kubectl("delete", "service", "web", "-n", ns)
    wait_for(lambda: get(cluster, "endpoints", "web", "-n", ns) is None and not slices(cluster, ns, "web"),
             what="endpoints and slices gone")


def test_pods_that_are_not_ready_are_not_ready_addresses(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, deployment(ns, "slow", 1, "never-ready"), service(ns, "slow", {"app": "slow"}))

    def not_ready() -> list[str] | None:
        ep = get(cluster, "endpoints", "slow", "-n", ns)
        subsets = (ep or {}).get("subsets") or []
        ips = [a["ip"] for s in subsets for a in s.get("notReadyAddresses") or []]
        return ips or None

    ips = wait_for(not_ready, what="notReadyAddresses")
    assert ips == pod_ips(cluster, ns, "slow")
    ep = get(cluster, "endpoints", "slow", "-n", ns)
    assert ep is not None and all("addresses" not in s for s in ep["subsets"])
    [es] = slices(cluster, ns, "slow")
    assert es["endpoints"][0]["conditions"] == {"ready": False, "serving": False, "terminating": False}


def test_kubernetes_service_points_at_the_api_server(cluster: RunningCluster) -> None:
    port = urlsplit(cluster.url).port
    ep = wait_for(lambda: get(cluster, "endpoints", "kubernetes", "-n", "default"), what="kubernetes endpoints")
    assert ep["subsets"] == [{"addresses": [{"ip": "127.0.0.1"}],
                              "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]
    es = wait_for(lambda: get(cluster, "endpointslice", "kubernetes", "-n", "default"), what="kubernetes slice")
    assert es["endpoints"][0]["addresses"] == ["127.0.0.1"]
    assert es["ports"] == [{"name": "https", "port": port, "protocol": "TCP"}]
