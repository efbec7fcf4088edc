"""Simulated Nodes as data: names, labels, capacity, addresses, nodeInfo and the conditions a
healthy kubelet posts. Pure: the node controller turns these into API writes.

Node `trueup-node-<i>` (i from 1) is a stand-in for an m5.large in us-east-1 (zones a, b, c
round-robin), InternalIP 10.0.0.<10+i>, podCIDR 10.244.<i>.0/24. Identifiers (machineID,
systemUUID, providerID) derive from the name, so they are stable across restarts.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

Obj = dict[str, Any]

NODE_PREFIX = "trueup-node-"
KUBELET_VERSION = "v1.37.0"
_NAME = re.compile(r"^trueup-node-([1-9][0-9]*)$")
_ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")

CAPACITY = {"cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "20Gi",
            "hugepages-1Gi": "0", "hugepages-2Mi": "0"}
ALLOCATABLE = {"cpu": "3920m", "memory": "15Gi", "pods": "110", "ephemeral-storage": "18Gi",
               "hugepages-1Gi": "0", "hugepages-2Mi": "0"}

# (type, status, reason, message) as a healthy kubelet posts them.
CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


def node_name(index: int) -> str:
    return f"{NODE_PREFIX}{index}"


def node_index(name: str) -> int | None:
    """The index of a simulated node name (`trueup-node-3` → 3), None for any other name."""
    m = _NAME.match(name or "")
    return int(m.group(1)) if m else None


def zone(index: int) -> str:
    return _ZONES[(index - 1) % len(_ZONES)]


def internal_ip(index: int) -> str:
    return f"10.0.0.{10 + index}"


def _hex(name: str, salt: str, n: int = 32) -> str:
    return hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()[:n]


def _uuid(name: str, salt: str) -> str:
    h = _hex(name, salt)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def labels(index: int) -> dict[str, str]:
    name = node_name(index)
    return {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/instance-type": "m5.large",
        "beta.kubernetes.io/os": "linux",
        "failure-domain.beta.kubernetes.io/region": "us-east-1",
        "failure-domain.beta.kubernetes.io/zone": zone(index),
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": "m5.large",
        "topology.kubernetes.io/region": "us-east-1",
        "topology.kubernetes.io/zone": zone(index),
    }


def node_object(index: int) -> Obj:
    """The Node the simulated kubelet registers (metadata and spec; status comes separately)."""
    name = node_name(index)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": labels(index),
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {
            "podCIDR": f"10.244.{index}.0/24",
            "podCIDRs": [f"10.244.{index}.0/24"],
            "providerID": f"aws:///{zone(index)}/i-0{_hex(name, 'instance', 16)}",
        },
    }


def node_status(index: int, now: str, previous: Obj | None = None) -> Obj:
    """A healthy node's status. Condition transition times are kept from `previous` when the
    condition did not change."""
    name = node_name(index)
    old = {c.get("type"): c for c in ((previous or {}).get("conditions") or [])}
    conditions = []
    for ctype, status, reason, message in CONDITIONS:
        prev = old.get(ctype) or {}
        since = prev.get("lastTransitionTime") if prev.get("status") == status else None
        conditions.append({"type": ctype, "status": status, "reason": reason, "message": message,
                           "lastHeartbeatTime": now, "lastTransitionTime": since or now})
    return {
        "capacity": dict(CAPACITY),
        "allocatable": dict(ALLOCATABLE),
        "conditions": conditions,
        "addresses": [{"type": "InternalIP", "address": internal_ip(index)},
                      {"type": "Hostname", "address": name},
                      {"type": "InternalDNS", "address": f"ip-10-0-0-{10 + index}.ec2.internal"}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "machineID": _hex(name, "machine"),
            "systemUUID": _uuid(name, "system"),
            "bootID": _uuid(name, "boot"),
            "kernelVersion": "6.8.0-1021-aws",
            "osImage": "Ubuntu 24.04.1 LTS",
            "containerRuntimeVersion": "containerd://1.7.24",
            "kubeletVersion": KUBELET_VERSION,
            "kubeProxyVersion": KUBELET_VERSION,
            "operatingSystem": "linux",
            "architecture": "amd64",
        },
    }


def status_is_current(index: int, status: Obj | None) -> bool:
    """True when a stored status already says what `node_status` would (ignoring times)."""
    if not status:
        return False
    want = node_status(index, "")
    for key in ("capacity", "allocatable", "addresses", "nodeInfo"):
        if status.get(key) != want[key]:
            return False
    have = {c.get("type"): (c.get("status"), c.get("reason")) for c in status.get("conditions") or []}
    return all(have.get(t) == (s, r) for t, s, r, _ in CONDITIONS)
