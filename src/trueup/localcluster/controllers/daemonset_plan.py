"""DaemonSet planning, pure: which Nodes should run a daemon Pod, what to create/delete, status.

As kube-controller-manager's DaemonSet controller (1.37):
- A Node is eligible when the pod template's nodeSelector and required node affinity match it
  and every NoSchedule/NoExecute taint is tolerated by the template's tolerations plus the ones
  the controller adds to daemon pods (not-ready, unreachable, disk/memory/pid-pressure,
  unschedulable; network-unavailable with hostNetwork).
- Daemon pods (generateName `<ds>-`) carry labels `controller-revision-hash` (the hash) and
  `pod-template-generation`, those tolerations, and required node affinity
  `matchFields metadata.name In [<node>]` like the real controller. Unlike it, we also set
  `spec.nodeName` directly (the pod is born bound), so daemon pods do not depend on the
  scheduler (documented choice).
- Pods on ineligible nodes are deleted (numberMisscheduled counts them meanwhile); failed pods
  are deleted and recreated; duplicates on a node are trimmed.
- RollingUpdate: maxSurge 0 → delete old pods while at most maxUnavailable nodes lack an
  available pod (old unavailable pods go first and for free); maxSurge > 0 → start a new pod
  next to the old one (at most maxSurge at once) and delete the old one once the new one is
  available. OnDelete: only missing pods are created (at the new revision).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from .revisions import HASH_LABEL, available, deleting, meta, ready, terminal

Obj = dict[str, Any]

TEMPLATE_GENERATION_LABEL = "pod-template-generation"
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"

_DAEMON_TOLERATIONS: list[Obj] = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]
_NETWORK_TOLERATION: Obj = {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists",
                            "effect": "NoSchedule"}


@dataclass
class Plan:
    create: list[str] = field(default_factory=list)          # node names to create a pod on
    delete: list[tuple[str, str]] = field(default_factory=list)  # (pod name, uid)


# ----- node eligibility

def daemon_tolerations(pod_spec: Obj) -> list[Obj]:
    tols = [dict(t) for t in pod_spec.get("tolerations") or []]
    extra = list(_DAEMON_TOLERATIONS)
    if pod_spec.get("hostNetwork"):
        extra.append(_NETWORK_TOLERATION)
    for t in extra:
        if not any(x.get("key") == t["key"] and x.get("effect") == t["effect"] for x in tols):
            tols.append(dict(t))
    return tols


def tolerates(tol: Obj, taint: Obj) -> bool:
    if tol.get("effect") and tol.get("effect") != taint.get("effect"):
        return False
    if tol.get("key") and tol.get("key") != taint.get("key"):
        return False
    if (tol.get("operator") or "Equal") == "Exists":
        return True
    return str(tol.get("value") or "") == str(taint.get("value") or "")


def _requirement(req: Obj, values: dict[str, str]) -> bool:
    key, op = str(req.get("key", "")), str(req.get("operator", ""))
    vals = [str(v) for v in req.get("values") or []]
    present = key in values
    if op == "In":
        return present and values[key] in vals
    if op == "NotIn":
        return not present or values[key] not in vals
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and vals:
        try:
            a, b = int(values[key]), int(vals[0])
        except ValueError:
            return False
        return a > b if op == "Gt" else a < b
    return False


def node_matches_term(term: Obj, node: Obj) -> bool:
    labels = {str(k): str(v) for k, v in (meta(node).get("labels") or {}).items()}
    fields = {"metadata.name": str(meta(node).get("name", ""))}
    exprs, fexprs = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fexprs:
        return False
    return all(_requirement(r, labels) for r in exprs) and all(_requirement(r, fields) for r in fexprs)


def should_run(pod_spec: Obj, node: Obj) -> bool:
    labels = meta(node).get("labels") or {}
    for k, v in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    required = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution")) or {}
    terms = required.get("nodeSelectorTerms")
    if terms is not None and not any(node_matches_term(t, node) for t in terms):
        return False
    tols = daemon_tolerations(pod_spec)
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if not any(tolerates(t, taint) for t in tols):
            return False
    return True


# ----- pods

def pod_node(pod: Obj) -> str:
    name = (pod.get("spec") or {}).get("nodeName")
    if name:
        return str(name)
    terms = ((((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {})
             .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
    for t in terms:
        for f in t.get("matchFields") or []:
            if f.get("key") == "metadata.name" and f.get("operator") == "In" and len(f.get("values") or []) == 1:
                return str(f["values"][0])
    return ""


def template_generation(ds: Obj) -> str:
    return str((meta(ds).get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION) or meta(ds).get("generation")
               or 1)


def build_pod(ds: Obj, node_name: str, hash_: str, owner_ref: Obj) -> Obj:
    m = meta(ds)
    tpl = ((ds.get("spec") or {}).get("template")) or {}
    tm = tpl.get("metadata") or {}
    labels = {**(tm.get("labels") or {}), HASH_LABEL: hash_, TEMPLATE_GENERATION_LABEL: template_generation(ds)}
    pm: Obj = {"generateName": f"{m.get('name', '')}-", "namespace": m.get("namespace", ""), "labels": labels,
               "ownerReferences": [dict(owner_ref)]}
    if tm.get("annotations"):
        pm["annotations"] = dict(tm["annotations"])
    spec = copy.deepcopy(tpl.get("spec") or {})
    spec["tolerations"] = daemon_tolerations(spec)
    pin = {"key": "metadata.name", "operator": "In", "values": [node_name]}
    affinity = spec.setdefault("affinity", {})
    node_aff = affinity.setdefault("nodeAffinity", {})
    required = node_aff.setdefault("requiredDuringSchedulingIgnoredDuringExecution", {})
    terms = required.get("nodeSelectorTerms") or [{}]
    required["nodeSelectorTerms"] = [{**t, "matchFields": [pin]} for t in terms]
    spec["nodeName"] = node_name
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pm, "spec": spec}


def _scaled(value: Any, total: int, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, str) and value.endswith("%"):
        return math.ceil(int(value[:-1]) * total / 100)
    return int(value)


def _pod_sort_key(pod: Obj) -> tuple[str, str]:
    return (str(meta(pod).get("creationTimestamp") or ""), str(meta(pod).get("name") or ""))


def plan_daemonset(ds: Obj, nodes: list[Obj], pods: list[Obj], hash_: str, now: float) -> Plan:
    spec = ds.get("spec") or {}
    pod_spec = ((spec.get("template") or {}).get("spec")) or {}
    min_ready = int(spec.get("minReadySeconds") or 0)
    plan = Plan()
    by_node: dict[str, list[Obj]] = {}
    for p in pods:
        by_node.setdefault(pod_node(p), []).append(p)
    eligible = [str(meta(n)["name"]) for n in nodes if should_run(pod_spec, n)]
    eligible_set = set(eligible)

    def drop(p: Obj) -> None:
        plan.delete.append((str(meta(p)["name"]), str(meta(p).get("uid", ""))))

    alive: dict[str, list[Obj]] = {}
    for node, node_pods in by_node.items():
        if node not in eligible_set:
            for p in node_pods:
                if not deleting(p):
                    drop(p)
            continue
        live = []
        for p in sorted(node_pods, key=_pod_sort_key):
            if deleting(p):
                continue
            if (p.get("status") or {}).get("phase") == "Failed" or terminal(p):
                drop(p)
            else:
                live.append(p)
        alive[node] = live

    strategy = spec.get("updateStrategy") or {}
    rolling = (strategy.get("type") or "RollingUpdate") == "RollingUpdate"
    ru = strategy.get("rollingUpdate") or {}
    desired = len(eligible)
    max_surge = _scaled(ru.get("maxSurge"), desired, 0) if rolling else 0
    max_unavailable = _scaled(ru.get("maxUnavailable"), desired, 1) if rolling else 0
    if rolling and max_surge == 0 and max_unavailable == 0:
        max_unavailable = 1

    def is_new(p: Obj) -> bool:
        return (meta(p).get("labels") or {}).get(HASH_LABEL) == hash_

    # Missing pods; duplicates (keep the newest-revision, available, oldest one).
    for node in eligible:
        live = alive.get(node, [])
        if not live:
            if not any(deleting(p) for p in by_node.get(node, [])):
                plan.create.append(node)
            continue
        if len(live) > 1 and not (rolling and max_surge > 0):
            keep = sorted(live, key=lambda p: (not is_new(p), not available(p, min_ready, now), _pod_sort_key(p)))[0]
            for p in live:
                if p is not keep:
                    drop(p)
            alive[node] = [keep]
    if not rolling:
        return plan

    nodes_with_pods = [n for n in eligible if alive.get(n)]
    if max_surge == 0:
        unavailable = sum(1 for n in eligible if not any(available(p, min_ready, now) for p in alive.get(n, [])))
        old_unavailable: list[Obj] = []
        old_available: list[Obj] = []
        for n in nodes_with_pods:
            for p in alive[n]:
                if not is_new(p):
                    (old_available if available(p, min_ready, now) else old_unavailable).append(p)
        for p in old_unavailable:
            drop(p)
        for p in old_available:
            if unavailable >= max_unavailable:
                break
            drop(p)
            unavailable += 1
        return plan

    surging = sum(1 for n in nodes_with_pods if any(is_new(p) for p in alive[n])
                  and any(not is_new(p) for p in alive[n]))
    for n in nodes_with_pods:
        new = [p for p in alive[n] if is_new(p)]
        old = [p for p in alive[n] if not is_new(p)]
        if not old:
            for p in new[1:]:
                drop(p)
            continue
        if new:
            if any(available(p, min_ready, now) for p in new):
                for p in old:
                    drop(p)
            continue
        if not any(available(p, min_ready, now) for p in old):
            for p in old:
                drop(p)
            plan.create.append(n)
        elif surging < max_surge:
            plan.create.append(n)
            surging += 1
    return plan


def compute_status(ds: Obj, nodes: list[Obj], pods: list[Obj], hash_: str, now: float) -> Obj:
    spec = ds.get("spec") or {}
    pod_spec = ((spec.get("template") or {}).get("spec")) or {}
    min_ready = int(spec.get("minReadySeconds") or 0)
    eligible = {str(meta(n)["name"]) for n in nodes if should_run(pod_spec, n)}
    by_node: dict[str, list[Obj]] = {}
    for p in pods:
        if not deleting(p):
            by_node.setdefault(pod_node(p), []).append(p)
    st = {"observedGeneration": int(meta(ds).get("generation") or 0), "desiredNumberScheduled": len(eligible),
          "currentNumberScheduled": 0, "numberMisscheduled": 0, "numberReady": 0, "numberAvailable": 0,
          "updatedNumberScheduled": 0, "numberUnavailable": 0}
    for node, node_pods in by_node.items():
        if node not in eligible:
            st["numberMisscheduled"] += 1
            continue
        st["currentNumberScheduled"] += 1
        new = [p for p in node_pods if (meta(p).get("labels") or {}).get(HASH_LABEL) == hash_]
        if new:
            st["updatedNumberScheduled"] += 1
        best = new or node_pods
        if any(ready(p) for p in best):
            st["numberReady"] += 1
        if any(available(p, min_ready, now) for p in node_pods):
            st["numberAvailable"] += 1
    st["numberUnavailable"] = max(st["desiredNumberScheduled"] - st["numberAvailable"], 0)
    return st
