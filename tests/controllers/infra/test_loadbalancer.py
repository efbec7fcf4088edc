"""The simulated load balancer with the real kubectl: LoadBalancer Services and Ingresses get an
address (and Events); with `--no-load-balancer` they stay pending."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import RunningCluster, start_cluster, stop_cluster

from ._util import apply, get, wait_for

NLB = re.compile(r"^web-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$")
ALB = re.compile(r"^k8s-[a-z0-9-]+-[0-9a-f]{10}-[0-9]{10}\.us-east-1\.elb\.amazonaws\.com$")


def service(ns: str, name: str = "web", type_: str = "LoadBalancer") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"type": type_, "selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}}


def ingress(ns: str, name: str, cls: str | None = None, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
        "service": {"name": "web", "port": {"number": 80}}}}]}}]}
    if cls:
        spec["ingressClassName"] = cls
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}}, "spec": spec}


def address(cluster: RunningCluster, kind: str, name: str, ns: str) -> str | None:
    obj = get(cluster, kind, name, "-n", ns)
    ingress = ((obj or {}).get("status") or {}).get("loadBalancer", {}).get("ingress") or []
    return str(ingress[0]["hostname"]) if ingress else None


def reasons(cluster: RunningCluster, ns: str, name: str) -> list[str]:
    items = cluster.get_json("events", "-n", ns, f"--field-selector=involvedObject.name={name}")["items"]
    return [e["reason"] for e in sorted(items, key=lambda e: e["firstTimestamp"])]


def test_loadbalancer_service_gets_an_elb_hostname_and_events(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, service(ns))
    hostname = wait_for(lambda: address(cluster, "service", "web", ns), what="LB hostname")
    assert NLB.match(hostname), hostname
    svc = get(cluster, "service", "web", "-n", ns)
    assert svc is not None and "service.kubernetes.io/load-balancer-cleanup" in svc["metadata"]["finalizers"]
    assert hostname in cluster.kubectl("get", "service", "web", "-n", ns).stdout  # EXTERNAL-IP column
    wait_for(lambda: {"EnsuringLoadBalancer", "EnsuredLoadBalancer"} <= set(reasons(cluster, ns, "web")),
             what="LB events")
    # Type changed away from LoadBalancer: the address goes.
    cluster.kubectl("patch", "service", "web", "-n", ns, "--type=merge", "-p", '{"spec":{"type":"ClusterIP"}}')
    wait_for(lambda: address(cluster, "service", "web", ns) is None, what="address removed")
    wait_for(lambda: "DeletedLoadBalancer" in reasons(cluster, ns, "web"), what="DeletedLoadBalancer")
    svc = get(cluster, "service", "web", "-n", ns)
    assert svc is not None and not svc["metadata"].get("finalizers")


def test_deleting_a_loadbalancer_service_completes(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, service(ns, "gone"))
    wait_for(lambda: address(cluster, "service", "gone", ns), what="LB hostname")
    cluster.kubectl("delete", "service", "gone", "-n", ns, "--timeout=20s", timeout=30)
    assert get(cluster, "service", "gone", "-n", ns) is None


def test_ingress_of_the_default_alb_class_gets_an_alb_hostname(cluster: RunningCluster, ns: str) -> None:
    cls = wait_for(lambda: get(cluster, "ingressclass", "alb"), what="IngressClass alb")
    assert cls["spec"]["controller"] == "ingress.k8s.aws/alb"
    assert cls["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true"
    apply(cluster, ingress(ns, "no-class"), ingress(ns, "alb-class", "alb"),
          ingress(ns, "g1", "alb", {"alb.ingress.kubernetes.io/group.name": f"shared-{ns}"}),
          ingress(ns, "g2", "alb", {"alb.ingress.kubernetes.io/group.name": f"shared-{ns}"}),
          ingress(ns, "nginx", "nginx"))
    for name in ("no-class", "alb-class", "g1", "g2"):
        hostname = wait_for(lambda n=name: address(cluster, "ingress", n, ns), what=f"{name} address")  # type: ignore[misc]
        assert ALB.match(hostname), hostname
    assert address(cluster, "ingress", "g1", ns) == address(cluster, "ingress", "g2", ns)
    assert address(cluster, "ingress", "no-class", ns) != address(cluster, "ingress", "alb-class", ns)
    assert address(cluster, "ingress", "nginx", ns) is None
    assert "SuccessfullyReconciled" in reasons(cluster, ns, "alb-class")
    cluster.kubectl("delete", "ingress", "alb-class", "-n", ns, "--timeout=20s", timeout=30)
    assert get(cluster, "ingress", "alb-class", "-n", ns) is None


@pytest.fixture(scope="module")
def no_lb_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCluster]:
    c = start_cluster(Path(tmp_path_factory.mktemp("nolb")) / "data", "--no-load-balancer")
    yield c
    stop_cluster(c)


def test_without_the_load_balancer_addresses_stay_pending(no_lb_cluster: RunningCluster) -> None:
    c = no_lb_cluster
    ns = f"t-{uuid.uuid4().hex[:8]}"
    c.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Namespace",
                                                    "metadata": {"name": ns}}))
    apply(c, service(ns), ingress(ns, "site", "alb"))
    wait_for(lambda: get(c, "ingressclass", "alb"), what="IngressClass alb")
    # Another Service that surely went through every controller: its ClusterIP is allocated at once.
    svc = get(c, "service", "web", "-n", ns)
    assert svc is not None and svc["spec"]["clusterIP"]
    assert "<pending>" in c.kubectl("get", "service", "web", "-n", ns).stdout
    for _ in range(10):
        assert address(c, "service", "web", ns) is None
        assert address(c, "ingress", "site", ns) is None
    c.kubectl("delete", "service", "web", "-n", ns, "--timeout=20s", timeout=30)
