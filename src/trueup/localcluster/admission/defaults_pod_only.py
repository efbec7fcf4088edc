"""Defaults only a Pod gets (not pod templates): SetDefaults_Pod, the default-on admission
plugins and the status a new Pod starts with.

- enableServiceLinks true; container requests = limits where a limit has no request;
  hostPort = containerPort under hostNetwork; pod-level requests (PodLevelResources).
- ServiceAccount admission: serviceAccountName `default`; a `kube-api-access-xxxxx` projected
  volume mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container
  without a mount there (skipped when automountServiceAccountToken is false). The 5-character
  suffix is derived from metadata.uid (kube-apiserver draws it at random), so it is stable.
- DefaultTolerationSeconds: not-ready/unreachable NoExecute tolerations for 300 s.
- Priority: priority 0 and preemptionPolicy PreemptLowerPriority when no priorityClassName.
- status: phase Pending and the QoS class.
Pure.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from typing import Any

from ._util import Obj, child, default, dicts
from .quantity import QuantityError, format_quantity, parse

TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_VOLUME_PREFIX = "kube-api-access-"
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_QOS_RESOURCES = ("cpu", "memory")


def _suffix(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_NAME_ALPHABET[b % len(_NAME_ALPHABET)] for b in digest[:5])


def token_volume(name: str) -> Obj:
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                    "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
            ],
        },
    }


def _requests_from_limits(spec: Obj) -> None:
    for key in ("initContainers", "containers"):
        for c in dicts(spec.get(key)):
            res = c.get("resources")
            if not isinstance(res, dict) or not isinstance(res.get("limits"), dict):
                continue
            if not res["limits"]:
                continue
            requests = child(res, "requests")
            for name, limit in res["limits"].items():
                requests.setdefault(name, limit)


def _host_ports(spec: Obj) -> None:
    if not spec.get("hostNetwork"):
        return
    for key in ("initContainers", "containers"):
        for c in dicts(spec.get(key)):
            for port in dicts(c.get("ports")):
                if not port.get("hostPort"):
                    port["hostPort"] = port.get("containerPort")


def _qty(value: Any) -> Fraction | None:
    try:
        return parse(value)[0] if isinstance(value, str | int | float) else None
    except QuantityError:
        return None


def _pod_level_requests(spec: Obj) -> None:
    res = spec.get("resources")
    if not isinstance(res, dict) or not isinstance(res.get("limits"), dict) or not res["limits"]:
        return
    requests: Obj = dict(res.get("requests") or {})
    totals: dict[str, Fraction] = {}
    for c in dicts(spec.get("containers")):
        for name, value in ((c.get("resources") or {}).get("requests") or {}).items():
            q = _qty(value)
            if q is not None:
                totals[name] = totals.get(name, Fraction(0)) + q
    for c in dicts(spec.get("initContainers")):
        for name, value in ((c.get("resources") or {}).get("requests") or {}).items():
            q = _qty(value)
            if q is not None and q > totals.get(name, Fraction(0)):
                totals[name] = q
    supported = [n for n in totals if n in _QOS_RESOURCES or n.startswith("hugepages-")]
    for name in supported:
        if name not in requests:
            requests[name] = format_quantity(totals[name], "DecimalSI" if name == "cpu" else "BinarySI")
    for name, limit in res["limits"].items():
        if name not in requests and (name in _QOS_RESOURCES or name.startswith("hugepages-")):
            requests[name] = limit
    if requests:
        res["requests"] = requests


def qos_class(spec: Obj) -> str:
    """GetPodQOS over cpu and memory (pod-level resources when present)."""
    requests: dict[str, Fraction] = {}
    limits: dict[str, Fraction] = {}
    guaranteed = True

    def add(res: Any) -> bool:
        """Adds one requirements block; True when it has cpu and memory limits."""
        if not isinstance(res, dict):
            return False
        for name, value in (res.get("requests") or {}).items():
            q = _qty(value)
            if name in _QOS_RESOURCES and q is not None and q > 0:
                requests[name] = requests.get(name, Fraction(0)) + q
        found = set()
        for name, value in (res.get("limits") or {}).items():
            q = _qty(value)
            if name in _QOS_RESOURCES and q is not None and q > 0:
                found.add(name)
                limits[name] = limits.get(name, Fraction(0)) + q
        return found >= set(_QOS_RESOURCES)

    pod_res = spec.get("resources")
    if isinstance(pod_res, dict) and (pod_res.get("requests") or pod_res.get("limits")):
        has_all = add(pod_res)
        if pod_res.get("limits") and not has_all:
            guaranteed = False
    else:
        for c in dicts(spec.get("containers")) + dicts(spec.get("initContainers")):
            if not add(c.get("resources")):
                guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and all(limits.get(n) == v for n, v in requests.items()) and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"


def _service_account(obj: Obj, spec: Obj) -> None:
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = "default"
    spec["serviceAccount"] = spec["serviceAccountName"]
    if spec.get("automountServiceAccountToken") is False:
        return
    volumes = dicts(spec.get("volumes"))
    existing = next((str(v.get("name")) for v in volumes
                     if str(v.get("name", "")).startswith(TOKEN_VOLUME_PREFIX)), "")
    meta = obj.get("metadata") or {}
    name = existing or TOKEN_VOLUME_PREFIX + _suffix(str(meta.get("uid") or meta.get("name") or ""))
    mount = {"name": name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}
    needs_volume = False
    for key in ("initContainers", "containers"):
        for c in dicts(spec.get(key)):
            mounts = c.get("volumeMounts")
            if any(m.get("mountPath") == TOKEN_MOUNT_PATH for m in dicts(mounts)):
                continue
            c["volumeMounts"] = [*(mounts if isinstance(mounts, list) else []), dict(mount)]
            needs_volume = True
    if needs_volume and not existing:
        spec["volumes"] = [*(spec.get("volumes") or []), token_volume(name)]


def _tolerations(spec: Obj) -> None:
    tolerations = spec.get("tolerations")
    current = dicts(tolerations)
    added = []
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not any(t.get("key", "") in ("", key) and t.get("effect", "") in ("", "NoExecute") for t in current):
            added.append({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})
    if added:
        spec["tolerations"] = [*(tolerations if isinstance(tolerations, list) else []), *added]


def default_pod_only(obj: Obj, spec: Obj) -> None:
    """Everything a Pod gets beyond the PodSpec defaults (call after `default_pod_spec`)."""
    default(spec, "enableServiceLinks", True)
    _requests_from_limits(spec)
    _host_ports(spec)
    _pod_level_requests(spec)
    _service_account(obj, spec)
    _tolerations(spec)
    if not spec.get("priorityClassName"):
        default(spec, "priority", 0)
        default(spec, "preemptionPolicy", "PreemptLowerPriority")
    status = child(obj, "status")
    default(status, "phase", "Pending")
    default(status, "qosClass", qos_class(spec))
    if spec.get("schedulingGates") and not status.get("conditions"):
        created = (obj.get("metadata") or {}).get("creationTimestamp")
        status["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated",
                                 "message": "Scheduling is blocked due to non-empty scheduling gates",
                                 "lastProbeTime": None, "lastTransitionTime": created}]
