"""Defaults of core/v1 kinds other than pods: Service (all but IP/port allocation), Secret,
Namespace, PersistentVolumeClaim, PersistentVolume, Endpoints.

Service clusterIP/nodePort/healthCheckNodePort allocation is the API server's job (it needs
cluster state); `clusterIP` and `clusterIPs` are kept in sync here when either is given.
The cluster is single-stack `CLUSTER_IP_FAMILIES[0]` for families derived without IPs. Pure.
"""

from __future__ import annotations

import base64

from ._util import Obj, child, default, default_empty, dicts

CLUSTER_IP_FAMILIES = ("IPv4", "IPv6")
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def _family(ip: str) -> str:
    return "IPv6" if ":" in ip else "IPv4"


def _service_ips(spec: Obj, service_type: str) -> None:
    if service_type == "ExternalName":
        return
    cluster_ip, cluster_ips = spec.get("clusterIP"), spec.get("clusterIPs")
    if cluster_ip and not cluster_ips:
        spec["clusterIPs"] = [cluster_ip]
    elif cluster_ips and isinstance(cluster_ips, list) and not cluster_ip:
        spec["clusterIP"] = cluster_ips[0]
    headless = spec.get("clusterIP") == "None"
    selectorless = not spec.get("selector")
    if headless and selectorless:
        default(spec, "ipFamilyPolicy", "RequireDualStack")
    else:
        default(spec, "ipFamilyPolicy", "SingleStack")
    if spec.get("ipFamilies"):
        return
    ips = [ip for ip in spec.get("clusterIPs") or [] if isinstance(ip, str) and ip and ip != "None"]
    if ips:
        spec["ipFamilies"] = [_family(ip) for ip in ips]
    elif headless and selectorless and spec.get("ipFamilyPolicy") != "SingleStack":
        spec["ipFamilies"] = list(CLUSTER_IP_FAMILIES)
    else:
        spec["ipFamilies"] = [CLUSTER_IP_FAMILIES[0]]


def service(obj: Obj) -> None:
    spec = child(obj, "spec")
    default_empty(spec, "type", "ClusterIP")
    service_type = spec["type"]
    default_empty(spec, "sessionAffinity", "None")
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        client_ip = child(child(spec, "sessionAffinityConfig"), "clientIP")
        default(client_ip, "timeoutSeconds", 10800)
    for port in dicts(spec.get("ports")):
        default_empty(port, "protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if service_type in ("NodePort", "LoadBalancer") or (
        service_type == "ClusterIP" and spec.get("externalIPs")
    ):
        default_empty(spec, "externalTrafficPolicy", "Cluster")
    if service_type in ("ClusterIP", "NodePort", "LoadBalancer"):
        default(spec, "internalTrafficPolicy", "Cluster")
    if service_type == "LoadBalancer":
        default(spec, "allocateLoadBalancerNodePorts", True)
    _service_ips(spec, service_type)
    load_balancer = child(child(obj, "status"), "loadBalancer")
    for ingress in dicts(load_balancer.get("ingress")):
        if ingress.get("ip"):
            default(ingress, "ipMode", "VIP")


def secret(obj: Obj) -> None:
    default_empty(obj, "type", "Opaque")
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = child(obj, "data")
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()


def namespace(obj: Obj) -> None:
    meta = child(obj, "metadata")
    if meta.get("name"):
        child(meta, "labels")[NAMESPACE_NAME_LABEL] = meta["name"]
    spec = child(obj, "spec")
    default(spec, "finalizers", ["kubernetes"])
    default_empty(child(obj, "status"), "phase", "Active")


def _add_finalizer(obj: Obj, finalizer: str) -> None:
    meta = child(obj, "metadata")
    if meta.get("deletionTimestamp"):
        # Admission adds protection finalizers to live objects only: once deletion has begun the
        # protection controllers must be able to remove them (defaulting also runs on updates).
        return
    finalizers = meta.get("finalizers")
    if not isinstance(finalizers, list):
        finalizers = []
    if finalizer not in finalizers:
        meta["finalizers"] = [*finalizers, finalizer]


def persistent_volume_claim(obj: Obj) -> None:
    default(child(obj, "spec"), "volumeMode", "Filesystem")
    default_empty(child(obj, "status"), "phase", "Pending")
    _add_finalizer(obj, PVC_PROTECTION)


def persistent_volume(obj: Obj) -> None:
    spec = child(obj, "spec")
    default_empty(spec, "persistentVolumeReclaimPolicy", "Retain")
    default(spec, "volumeMode", "Filesystem")
    status = child(obj, "status")
    if not status.get("phase"):
        status["phase"] = "Pending"
        created = (obj.get("metadata") or {}).get("creationTimestamp")
        if created:
            default(status, "lastPhaseTransitionTime", created)
    _add_finalizer(obj, PV_PROTECTION)


def endpoints(obj: Obj) -> None:
    for subset in dicts(obj.get("subsets")):
        for port in dicts(subset.get("ports")):
            default_empty(port, "protocol", "TCP")
