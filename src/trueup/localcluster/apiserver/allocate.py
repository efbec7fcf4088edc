"""Service ClusterIP and NodePort allocation, as kube-apiserver's Service REST storage does.

ClusterIPs come from 10.96.0.0/12 (10.96.0.1 is the `kubernetes` Service), node ports from
30000-32767. The used sets are rebuilt from the stored Services on start; allocations are
released when a Service is deleted or stops needing them. A dry run allocates nothing.
"""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from .. import errors
from ..store import Store

Obj = dict[str, Any]

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORT_RANGE = range(30000, 32768)
KUBERNETES_SERVICE_IP = "10.96.0.1"


class ServiceAllocator:
    def __init__(self, store: Store) -> None:
        self._ips: set[str] = set()
        self._ports: set[int] = set()
        self._rng = random.Random()
        items, _, _ = store.list("services", None)
        for svc in items:
            ips, ports = _in_use(svc)
            self._ips |= ips
            self._ports |= ports

    def _new_ip(self) -> str:
        hosts = SERVICE_CIDR.num_addresses - 2
        for _ in range(64):
            candidate = str(SERVICE_CIDR.network_address + self._rng.randrange(10, hosts))
            if candidate not in self._ips:
                return candidate
        for ip in SERVICE_CIDR.hosts():
            if str(ip) not in self._ips:
                return str(ip)
        raise errors.internal("no ClusterIP left in 10.96.0.0/12")

    def _new_port(self) -> int:
        free = [p for p in NODE_PORT_RANGE if p not in self._ports]
        if not free:
            raise errors.internal("no node port left in 30000-32767")
        return self._rng.choice(free)

    def assign(self, svc: Obj, old: Obj | None, dry_run: bool) -> None:
        """Fill clusterIP(s) and nodePorts of `svc`, keeping `old`'s where the user left them empty."""
        spec = svc.setdefault("spec", {})
        old_spec = (old or {}).get("spec") or {}
        stype = spec.get("type") or "ClusterIP"
        if stype == "ExternalName":
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)
        else:
            ip = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
            if not ip and old_spec.get("clusterIP"):
                ip = old_spec["clusterIP"]
            if not ip:
                ip = self._new_ip()
            elif ip != "None" and ip != old_spec.get("clusterIP"):
                self._check_ip(ip)
            spec["clusterIP"] = ip
            spec["clusterIPs"] = [ip]
            if not dry_run and ip != "None":
                self._ips.add(ip)
        needs_ports = stype == "NodePort" or (
            stype == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True)
        )
        old_ports = {p.get("port"): p.get("nodePort") for p in old_spec.get("ports") or [] if p.get("nodePort")}
        by_port: dict[Any, int] = {}
        for port in spec.get("ports") or []:
            if not needs_ports:
                port.pop("nodePort", None)
                continue
            np = port.get("nodePort") or old_ports.get(port.get("port")) or by_port.get(port.get("port"))
            if not np:
                np = self._new_port()
            elif np not in NODE_PORT_RANGE:
                raise errors.invalid("Service", str(svc.get("metadata", {}).get("name", "")), [
                    errors.field_cause("spec.ports.nodePort", f"Invalid value: {np}: provided port is not in the "
                                       "valid range. The range of valid ports is 30000-32767")])
            port["nodePort"] = np
            by_port[port.get("port")] = np
            if not dry_run:
                self._ports.add(int(np))

    def _check_ip(self, ip: str) -> None:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            raise errors.invalid("Service", "", [errors.field_cause(
                "spec.clusterIPs[0]", f'Invalid value: "{ip}": must be a valid IP address')]) from None
        if addr not in SERVICE_CIDR:
            raise errors.invalid("Service", "", [errors.field_cause(
                "spec.clusterIPs", f'Invalid value: ["{ip}"]: failed to allocate IP {ip}: the provided IP '
                f"({ip}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}")])

    def release(self, svc: Obj) -> None:
        ips, ports = _in_use(svc)
        self._ips -= ips
        self._ports -= ports


def _in_use(svc: Obj) -> tuple[set[str], set[int]]:
    spec = svc.get("spec") or {}
    ips = {ip for ip in spec.get("clusterIPs") or [spec.get("clusterIP")] if ip and ip != "None"}
    ports = {int(p["nodePort"]) for p in spec.get("ports") or [] if p.get("nodePort")}
    return ips, ports
