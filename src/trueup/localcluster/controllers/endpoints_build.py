"""What a Service's Endpoints and EndpointSlices contain, pure (no I/O).

As kube-controller-manager's endpoint and endpointslice controllers compute them:

- Pods selected by `spec.selector` (same namespace) that have a Pod IP and are not finished
  (a restartPolicy Never Pod that Succeeded or Failed, an OnFailure one that Succeeded) count;
  Endpoints skip terminating Pods, EndpointSlices keep them with `terminating: true`.
- Ready Pods (condition Ready True) are `addresses`, others `notReadyAddresses`, unless
  `publishNotReadyAddresses`. Slice conditions: ready (ready and not terminating, or
  publishNotReadyAddresses), serving (ready), terminating.
- Each Service port resolves per Pod: a numeric targetPort as is, a named one through the Pod's
  container ports (a Pod without that port is left out of that port), no targetPort = port.
- Endpoints subsets group addresses by identical port lists (sorted by IP, ports by name);
  EndpointSlices likewise, at most 100 endpoints per slice, addressType IPv4, with nodeName,
  zone (the node's topology.kubernetes.io/zone), targetRef and hostname (hostname+subdomain).
"""

from __future__ import annotations

import ipaddress
from typing import Any

Obj = dict[str, Any]
MAX_ENDPOINTS_PER_SLICE = 100
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
SERVICE_NAME = "kubernetes.io/service-name"
HEADLESS = "service.kubernetes.io/headless"
ZONE_LABEL = "topology.kubernetes.io/zone"

Port = tuple[str, int, str, str]  # (name, port, protocol, appProtocol)


def _meta(obj: Obj) -> Obj:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def selects(svc: Obj, pod: Obj) -> bool:
    selector = (svc.get("spec") or {}).get("selector") or {}
    if not selector or _meta(svc).get("namespace") != _meta(pod).get("namespace"):
        return False
    labels = _meta(pod).get("labels") or {}
    return all(labels.get(k) == v for k, v in selector.items())


def pod_ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def pod_ip(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("podIP") or "")


def countable(pod: Obj, include_terminating: bool) -> bool:
    if not pod_ip(pod):
        return False
    if _meta(pod).get("deletionTimestamp") and not include_terminating:
        return False
    phase = (pod.get("status") or {}).get("phase")
    policy = (pod.get("spec") or {}).get("restartPolicy") or "Always"
    if policy == "Never" and phase in ("Succeeded", "Failed"):
        return False
    return not (policy == "OnFailure" and phase == "Succeeded")


def resolve_port(service_port: Obj, pod: Obj) -> int | None:
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol") or "TCP"
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target and (p.get("protocol") or "TCP") == protocol:
                return int(p.get("containerPort", 0))
    return None


def pod_ports(svc: Obj, pod: Obj) -> tuple[Port, ...]:
    out = []
    for sp in (svc.get("spec") or {}).get("ports") or []:
        number = resolve_port(sp, pod)
        if number is not None:
            out.append((str(sp.get("name") or ""), number, str(sp.get("protocol") or "TCP"),
                        str(sp.get("appProtocol") or "")))
    return tuple(sorted(out))


def _port_obj(p: Port, *, slice_port: bool) -> Obj:
    out: Obj = {"port": p[1], "protocol": p[2]}
    if p[0] or slice_port:
        out["name"] = p[0]
    if p[3]:
        out["appProtocol"] = p[3]
    return out


def _target_ref(pod: Obj) -> Obj:
    m = _meta(pod)
    return {"kind": "Pod", "namespace": m.get("namespace", ""), "name": m.get("name", ""), "uid": m.get("uid", "")}


def _hostname(svc: Obj, pod: Obj) -> str:
    spec = pod.get("spec") or {}
    if spec.get("hostname") and spec.get("subdomain") == _meta(svc).get("name"):
        return str(spec["hostname"])
    return ""


def _ip_key(ip: str) -> tuple[int, int | str]:
    try:
        return (0, int(ipaddress.ip_address(ip)))
    except ValueError:
        return (1, ip)


def _selected(svc: Obj, pods: list[Obj], include_terminating: bool) -> list[tuple[Obj, tuple[Port, ...]]]:
    has_ports = bool((svc.get("spec") or {}).get("ports"))
    out = []
    for pod in pods:
        if not selects(svc, pod) or not countable(pod, include_terminating):
            continue
        ports = pod_ports(svc, pod)
        if has_ports and not ports:
            continue
        out.append((pod, ports))
    return out


def endpoint_subsets(svc: Obj, pods: list[Obj]) -> list[Obj]:
    publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
    groups: dict[tuple[Port, ...], tuple[list[Obj], list[Obj]]] = {}
    for pod, ports in _selected(svc, pods, include_terminating=False):
        addr: Obj = {"ip": pod_ip(pod), "targetRef": _target_ref(pod)}
        node = (pod.get("spec") or {}).get("nodeName")
        if node:
            addr["nodeName"] = node
        hostname = _hostname(svc, pod)
        if hostname:
            addr["hostname"] = hostname
        ready, not_ready = groups.setdefault(ports, ([], []))
        (ready if publish or pod_ready(pod) else not_ready).append(addr)
    subsets = []
    for ports, (ready, not_ready) in sorted(groups.items()):
        subset: Obj = {}
        if ready:
            subset["addresses"] = sorted(ready, key=lambda a: _ip_key(a["ip"]))
        if not_ready:
            subset["notReadyAddresses"] = sorted(not_ready, key=lambda a: _ip_key(a["ip"]))
        if ports:
            subset["ports"] = [_port_obj(p, slice_port=False) for p in ports]
        subsets.append(subset)
    return subsets


def service_labels(svc: Obj) -> dict[str, str]:
    labels = {str(k): str(v) for k, v in (_meta(svc).get("labels") or {}).items()}
    if (svc.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS] = ""
    return labels


def slice_groups(svc: Obj, pods: list[Obj], zones: dict[str, str]) -> list[tuple[tuple[Port, ...], list[Obj]]]:
    """Desired slices as (ports, endpoints), endpoints sorted by IP, chunks of 100.
    No endpoints at all: one placeholder (no ports, no endpoints)."""
    publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
    groups: dict[tuple[Port, ...], list[Obj]] = {}
    for pod, ports in _selected(svc, pods, include_terminating=True):
        ip = pod_ip(pod)
        try:
            if ipaddress.ip_address(ip).version != 4:
                continue
        except ValueError:
            continue
        terminating = bool(_meta(pod).get("deletionTimestamp"))
        ready = pod_ready(pod)
        ep: Obj = {"addresses": [ip],
                   "conditions": {"ready": publish or (ready and not terminating), "serving": publish or ready,
                                  "terminating": terminating},
                   "targetRef": _target_ref(pod)}
        node = str((pod.get("spec") or {}).get("nodeName") or "")
        if node:
            ep["nodeName"] = node
            if zones.get(node):
                ep["zone"] = zones[node]
        hostname = _hostname(svc, pod)
        if hostname:
            ep["hostname"] = hostname
        groups.setdefault(ports, []).append(ep)
    out: list[tuple[tuple[Port, ...], list[Obj]]] = []
    for ports, eps in sorted(groups.items()):
        eps.sort(key=lambda e: _ip_key(e["addresses"][0]))
        for i in range(0, len(eps), MAX_ENDPOINTS_PER_SLICE):
            out.append((ports, eps[i:i + MAX_ENDPOINTS_PER_SLICE]))
    return out or [((), [])]


def slice_body(svc: Obj, ports: tuple[Port, ...], endpoints: list[Obj], placeholder: bool) -> Obj:
    body: Obj = {"addressType": "IPv4", "endpoints": endpoints}
    if not placeholder:
        body["ports"] = [_port_obj(p, slice_port=True) for p in ports]
    return body


def slice_ports_key(slice_obj: Obj) -> tuple[Port, ...]:
    return tuple(sorted((str(p.get("name") or ""), int(p.get("port") or 0), str(p.get("protocol") or "TCP"),
                         str(p.get("appProtocol") or "")) for p in slice_obj.get("ports") or []))
