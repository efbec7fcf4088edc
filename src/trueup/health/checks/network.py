"""Health of Services and Ingresses: waiting for a load balancer address.

A Service of type LoadBalancer, and every Ingress, is Progressing until
`status.loadBalancer.ingress` lists at least one address, then Healthy (Argo CD's rule; the
messages here say what is awaited). Other Service types are Healthy once they exist.
"""

from __future__ import annotations

from ..fields import Obj, get_list, get_str
from ..status import HealthResult, HealthStatus

H, P = HealthStatus.HEALTHY, HealthStatus.PROGRESSING


def service_health(obj: Obj) -> HealthResult:
    if get_str(obj, "spec", "type") != "LoadBalancer":
        return HealthResult(H)
    if get_list(obj, "status", "loadBalancer", "ingress"):
        return HealthResult(H)
    return HealthResult(P, "Waiting for the load balancer to get an address (status.loadBalancer.ingress)")


def ingress_health(obj: Obj) -> HealthResult:
    if get_list(obj, "status", "loadBalancer", "ingress"):
        return HealthResult(H)
    return HealthResult(P, "Waiting for the ingress controller to assign an address (status.loadBalancer.ingress)")


CHECKS = {
    ("", "Service"): service_health,
    ("networking.k8s.io", "Ingress"): ingress_health,
    ("extensions", "Ingress"): ingress_health,
}
