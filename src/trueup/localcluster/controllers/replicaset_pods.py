"""Pure helpers of the ReplicaSet controller (no I/O): which Pods a ReplicaSet counts, the Pod
it creates from its template, which Pods it deletes first when scaling down, its status, and
the slow-start batch sizes of its creations. Shared with the Deployment controller (pod
readiness and availability, label selectors, timestamps).

All of it follows kube-controller-manager's ReplicaSet controller:
- active Pods: not Succeeded/Failed and not being deleted;
- deletion preference (ActivePodsWithRanks): unscheduled < scheduled, Pending < Unknown <
  Running, not ready < ready, doubled-up on a node first, ready for less time first, more
  restarts first, newer first;
- status: replicas (active Pods), fullyLabeledReplicas (carry every template label),
  readyReplicas, availableReplicas (ready for at least minReadySeconds), observedGeneration.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from typing import Any

from ..jsoncopy import copy_json
from ..query.labels import LabelSelector, selector_from_label_selector_object

Obj = dict[str, Any]

# Creations per sync are capped, as kube-controller-manager's burstReplicas.
BURST_REPLICAS = 500
SLOW_START_INITIAL_BATCH = 1


# ----- small accessors
def meta(obj: Mapping[str, Any]) -> Obj:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def replicas_of(obj: Mapping[str, Any], default: int = 1) -> int:
    value = (obj.get("spec") or {}).get("replicas")
    return int(value) if isinstance(value, int) else default


def status_int(obj: Mapping[str, Any], field: str) -> int:
    value = (obj.get("status") or {}).get(field)
    return int(value) if isinstance(value, int) else 0


def parse_time(value: Any) -> float | None:
    """RFC 3339 (`2024-01-02T03:04:05Z`, optional fraction/offset) → epoch seconds."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


def format_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def selector_of(obj: Mapping[str, Any]) -> LabelSelector:
    """The object's spec.selector; an invalid selector selects nothing."""
    try:
        return selector_from_label_selector_object((obj.get("spec") or {}).get("selector"))
    except Exception:
        return LabelSelector((), nothing=True)


# ----- pods
def is_active(pod: Mapping[str, Any]) -> bool:
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not meta(pod).get("deletionTimestamp")


def ready_condition(pod: Mapping[str, Any]) -> Obj | None:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return dict(cond)
    return None


def is_ready(pod: Mapping[str, Any]) -> bool:
    cond = ready_condition(pod)
    return cond is not None and cond.get("status") == "True"


def is_available(pod: Mapping[str, Any], min_ready_seconds: int, now: float) -> bool:
    """Ready, and (with minReadySeconds) ready since at least that long."""
    cond = ready_condition(pod)
    if cond is None or cond.get("status") != "True":
        return False
    if min_ready_seconds <= 0:
        return True
    since = parse_time(cond.get("lastTransitionTime"))
    return since is not None and since + min_ready_seconds < now


def seconds_until_available(pod: Mapping[str, Any], min_ready_seconds: int, now: float) -> float | None:
    """For a ready but not yet available Pod: how long until it is."""
    cond = ready_condition(pod)
    if cond is None or cond.get("status") != "True" or min_ready_seconds <= 0:
        return None
    since = parse_time(cond.get("lastTransitionTime"))
    if since is None:
        return None
    left = since + min_ready_seconds - now
    return left if left >= 0 else None


def pod_from_template(rs: Mapping[str, Any], owner_ref: Obj) -> Obj:
    """The Pod a ReplicaSet creates: generateName `<rs>-`, template labels/annotations/finalizers,
    the controller ownerReference, the template spec."""
    template = (rs.get("spec") or {}).get("template") or {}
    tmeta = template.get("metadata") or {}
    metadata: Obj = {"generateName": f"{meta(rs).get('name', '')}-", "namespace": meta(rs).get("namespace", ""),
                     "ownerReferences": [owner_ref]}
    for key in ("labels", "annotations", "finalizers"):
        if tmeta.get(key):
            metadata[key] = copy_json(tmeta[key])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": copy_json(template.get("spec") or {})}


_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def _restarts(pod: Mapping[str, Any]) -> int:
    return max((int(cs.get("restartCount") or 0) for cs in (pod.get("status") or {}).get("containerStatuses") or []),
               default=0)


def deletion_order(pods: Iterable[Obj], related: Iterable[Obj] | None = None) -> list[Obj]:
    """Pods sorted most-deletable first (ActivePodsWithRanks, ranked by Pods of the same owner
    doubled up on one node)."""
    pods = list(pods)
    per_node: dict[str, int] = {}
    for p in related if related is not None else pods:
        node = str((p.get("spec") or {}).get("nodeName") or "")
        if node and is_active(p):
            per_node[node] = per_node.get(node, 0) + 1

    def key(pod: Obj) -> tuple[Any, ...]:
        node = str((pod.get("spec") or {}).get("nodeName") or "")
        phase = str((pod.get("status") or {}).get("phase") or "Pending")
        ready = is_ready(pod)
        cond = ready_condition(pod)
        ready_since = parse_time(cond.get("lastTransitionTime")) if ready and cond else None
        created = parse_time(meta(pod).get("creationTimestamp"))
        return (
            1 if node else 0,
            _PHASE_RANK.get(phase, 0),
            1 if ready else 0,
            -per_node.get(node, 0) if node else 0,
            -(ready_since or float("inf")) if ready else 0,  # ready for less time first
            -_restarts(pod),
            -(created if created is not None else float("inf")),  # newer first
            str(meta(pod).get("name", "")),
        )

    return sorted(pods, key=key)


def slow_start_batches(count: int, initial: int = SLOW_START_INITIAL_BATCH) -> list[int]:
    """Batch sizes for `count` creations: 1, 2, 4, … (the last one takes the remainder)."""
    out: list[int] = []
    size = max(initial, 1)
    remaining = count
    while remaining > 0:
        batch = min(size, remaining)
        out.append(batch)
        remaining -= batch
        size *= 2
    return out


def replicaset_status(rs: Mapping[str, Any], pods: Iterable[Obj], now: float,
                      manage_error: str | None = None) -> Obj:
    """The ReplicaSet status the controller writes, from its active Pods."""
    spec = rs.get("spec") or {}
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    min_ready = int(spec.get("minReadySeconds") or 0)
    active = [p for p in pods if is_active(p)]
    fully = ready = available = 0
    for pod in active:
        labels = meta(pod).get("labels") or {}
        if all(labels.get(k) == v for k, v in template_labels.items()):
            fully += 1
        if is_ready(pod):
            ready += 1
            if is_available(pod, min_ready, now):
                available += 1
    old = dict(rs.get("status") or {})
    conditions = [dict(c) for c in old.get("conditions") or []]
    failure = next((c for c in conditions if c.get("type") == "ReplicaFailure"), None)
    if manage_error is not None and failure is None:
        diff = len(active) - replicas_of(rs)
        reason = "FailedCreate" if diff < 0 else "FailedDelete" if diff > 0 else ""
        conditions.append({"type": "ReplicaFailure", "status": "True", "lastTransitionTime": format_time(now),
                           "reason": reason, "message": manage_error})
    elif manage_error is None and failure is not None:
        conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
    status: Obj = {"replicas": len(active)}
    if fully:
        status["fullyLabeledReplicas"] = fully
    if ready:
        status["readyReplicas"] = ready
    if available:
        status["availableReplicas"] = available
    status["observedGeneration"] = int(meta(rs).get("generation") or 0)
    if conditions:
        status["conditions"] = conditions
    return status


def status_equal(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    """Equal as Kubernetes compares (zero values are omitted in JSON)."""
    return _drop_zero(dict(a or {})) == _drop_zero(dict(b or {}))


def _drop_zero(d: Obj) -> Obj:
    return {k: v for k, v in d.items() if v not in (0, None, [], {}, "")}
