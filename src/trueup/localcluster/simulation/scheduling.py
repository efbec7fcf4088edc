"""Scheduling decisions, pure: which Nodes a Pod fits (nodeSelector, required node affinity,
taints vs tolerations, cordoned nodes, optionally resources) and the kube-scheduler message when
none does. The scheduler controller feeds it cached objects and writes the outcome.

Filter reasons and the FailedScheduling message are worded as kube-scheduler words them:
`0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node
affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for
scheduling.`
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]

NOT_MATCH = "node(s) didn't match Pod's node affinity/selector"
UNSCHEDULABLE = "node(s) were unschedulable"
NOT_READY = "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
TOO_MANY_PODS = "Too many pods"


@dataclass
class Usage:
    """What the Pods already bound to a node request."""

    pods: int = 0
    cpu_milli: int = 0
    memory: int = 0
    keys: set[tuple[str, str]] = field(default_factory=set)


_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_SUFFIX = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def quantity(value: Any) -> float:
    """A resource.Quantity as a number (`100m` → 0.1, `1Gi` → 1073741824); 0 when unparsable."""
    m = _QUANTITY.match(str(value).strip())
    if not m or m.group(2) not in _SUFFIX:
        return 0.0
    return float(m.group(1)) * _SUFFIX[m.group(2)]


def pod_requests(pod: Obj) -> tuple[int, int]:
    """(cpu millicores, memory bytes) the Pod requests: max(init containers), sum(containers)."""
    spec = pod.get("spec") or {}

    def req(c: Obj, name: str) -> float:
        r = (c.get("resources") or {}).get("requests") or {}
        return quantity(r.get(name, 0))

    cpu = sum(req(c, "cpu") for c in spec.get("containers") or [])
    mem = sum(req(c, "memory") for c in spec.get("containers") or [])
    for c in spec.get("initContainers") or []:
        cpu = max(cpu, req(c, "cpu"))
        mem = max(mem, req(c, "memory"))
    return round(cpu * 1000), round(mem)


def _match_expression(expr: Obj, value: str | None) -> bool:
    op = expr.get("operator")
    values = [str(v) for v in expr.get("values") or []]
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and values:
        try:
            have, want = int(value), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def _term_matches(term: Obj, node: Obj) -> bool:
    m = node.get("metadata") or {}
    node_labels = m.get("labels") or {}
    exprs = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not exprs and not fields:
        return False  # an empty term matches nothing
    if not all(_match_expression(e, node_labels.get(e.get("key"))) for e in exprs):
        return False
    return all(_match_expression(f, m.get("name") if f.get("key") == "metadata.name" else None) for f in fields)


def matches_node_selection(pod: Obj, node: Obj) -> bool:
    spec = pod.get("spec") or {}
    node_labels = (node.get("metadata") or {}).get("labels") or {}
    for k, v in (spec.get("nodeSelector") or {}).items():
        if node_labels.get(k) != v:
            return False
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    terms = required.get("nodeSelectorTerms")
    return not terms or any(_term_matches(t, node) for t in terms)


def tolerates(tolerations: Iterable[Obj], taint: Obj) -> bool:
    for t in tolerations:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        op = t.get("operator") or "Equal"
        if not t.get("key"):
            if op == "Exists":
                return True
            continue
        if t.get("key") != taint.get("key"):
            continue
        if op == "Exists" or (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def _is_ready(node: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [])


def filter_node(pod: Obj, node: Obj, usage: Usage | None = None, *, enforce_resources: bool = False) -> str | None:
    """None when the Pod fits the node, else the kube-scheduler reason it does not."""
    spec = pod.get("spec") or {}
    tolerations = spec.get("tolerations") or []
    nspec = node.get("spec") or {}
    if nspec.get("unschedulable") and not tolerates(
            tolerations, {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}):
        return UNSCHEDULABLE
    # kube-scheduler's filter order: NodeUnschedulable, TaintToleration, NodeAffinity, resources
    for taint in nspec.get("taints") or []:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(tolerations, taint):
            return f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value') or ''}}}"
    if not matches_node_selection(pod, node):
        return NOT_MATCH
    if not _is_ready(node) and not tolerates(
            tolerations, {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}):
        return NOT_READY
    if enforce_resources and usage is not None:
        alloc = (node.get("status") or {}).get("allocatable") or {}
        cpu, mem = pod_requests(pod)
        if usage.pods + 1 > quantity(alloc.get("pods", 110)):
            return TOO_MANY_PODS
        if cpu and usage.cpu_milli + cpu > quantity(alloc.get("cpu", 0)) * 1000:
            return "Insufficient cpu"
        if mem and usage.memory + mem > quantity(alloc.get("memory", 0)):
            return "Insufficient memory"
    return None


def failed_scheduling_message(total: int, reasons: Iterable[str]) -> str:
    if total == 0:
        return "no nodes available to schedule pods"
    counts = Counter(reasons)
    parts = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))
    return (f"0/{total} nodes are available: {parts}. preemption: 0/{total} nodes are available: "
            f"{total} Preemption is not helpful for scheduling.")


def choose(pod: Obj, nodes: list[Obj], usage: dict[str, Usage], *,
           enforce_resources: bool = False) -> tuple[str | None, str]:
    """(node name, "") for the least-loaded feasible node (ties by name), or (None, message)."""
    reasons: list[str] = []
    best: tuple[int, str] | None = None
    for node in nodes:
        name = str((node.get("metadata") or {}).get("name", ""))
        u = usage.get(name) or Usage()
        reason = filter_node(pod, node, u, enforce_resources=enforce_resources)
        if reason is not None:
            reasons.append(reason)
            continue
        score = (u.pods, name)
        if best is None or score < best:
            best = score
    if best is not None:
        return best[1], ""
    return None, failed_scheduling_message(len(nodes), reasons)
