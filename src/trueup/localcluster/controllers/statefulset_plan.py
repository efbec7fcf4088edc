"""StatefulSet planning, pure: which Pods and PVCs to create or delete next, and the status.

As kube-controller-manager's StatefulSet controller (1.37):
- Pods `<set>-<ordinal>` with labels `statefulset.kubernetes.io/pod-name`,
  `apps.kubernetes.io/pod-index`, `controller-revision-hash` (the revision's name), hostname =
  pod name, subdomain = serviceName, and one volume per volumeClaimTemplate pointing at the claim
  `<template>-<set>-<ordinal>` (created before the pod; labels = template labels + the
  selector's matchLabels; owner references only per persistentVolumeClaimRetentionPolicy:
  whenDeleted=Delete → the StatefulSet, whenScaled=Delete → the Pod once it is condemned).
- OrderedReady: create ordinal i only when 0..i-1 are Running and Ready; scale down from the
  highest ordinal, one at a time, only when every remaining pod is Running and Ready. Parallel:
  everything at once.
- Failed/Succeeded pods are deleted (and recreated on the next pass).
- RollingUpdate: once every pod exists, delete pods not at the update revision from the highest
  ordinal down to `partition`; at most `maxUnavailable` unavailable at once (Parallel; with
  OrderedReady one at a time). New pods below the partition keep the current revision.
  OnDelete: pods are only recreated (at the update revision) when someone deletes them.
- Status: replicas, readyReplicas, availableReplicas, currentReplicas, updatedReplicas,
  currentRevision/updateRevision (currentRevision moves to updateRevision when a RollingUpdate
  completes), collisionCount, observedGeneration.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .revisions import HASH_LABEL, available, deleting, meta, ready, running, terminal

Obj = dict[str, Any]

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


@dataclass
class Action:
    verb: str                    # "create_claim" | "create_pod" | "delete_pod" | "own_claim"
    name: str                    # object name
    body: Obj | None = None      # for creates (and the owner reference for own_claim)
    uid: str = ""                # for deletes (precondition)
    pod: str = ""                # the pod a claim belongs to


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    waiting: str = ""            # why the plan stopped early (for logs/tests)


def ordinal_of(set_name: str, pod_name: str) -> int | None:
    m = re.fullmatch(re.escape(set_name) + r"-(\d+)", pod_name)
    return int(m.group(1)) if m else None


def claim_name(template_name: str, set_name: str, ordinal: int) -> str:
    return f"{template_name}-{set_name}-{ordinal}"


def _spec(sts: Obj) -> Obj:
    s: Obj = sts.get("spec") or {}
    return s


def replicas_of(sts: Obj) -> int:
    r = _spec(sts).get("replicas")
    return 1 if r is None else int(r)


def retention(sts: Obj) -> tuple[str, str]:
    p = _spec(sts).get("persistentVolumeClaimRetentionPolicy") or {}
    return str(p.get("whenDeleted") or "Retain"), str(p.get("whenScaled") or "Retain")


def pod_revision(pod: Obj) -> str:
    return str((meta(pod).get("labels") or {}).get(HASH_LABEL) or "")


def build_claims(sts: Obj, ordinal: int, owner_ref: Obj) -> list[Obj]:
    m = meta(sts)
    name = str(m.get("name", ""))
    match = ((_spec(sts).get("selector") or {}).get("matchLabels")) or {}
    when_deleted, _ = retention(sts)
    claims = []
    for tpl in _spec(sts).get("volumeClaimTemplates") or []:
        tm = tpl.get("metadata") or {}
        labels = {**(tm.get("labels") or {}), **match}
        cm: Obj = {"name": claim_name(str(tm.get("name", "")), name, ordinal), "namespace": m.get("namespace", "")}
        if labels:
            cm["labels"] = labels
        if tm.get("annotations"):
            cm["annotations"] = dict(tm["annotations"])
        if when_deleted == "Delete":
            cm["ownerReferences"] = [dict(owner_ref)]
        claims.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": cm,
                       "spec": copy.deepcopy(tpl.get("spec") or {})})
    return claims


def build_pod(sts: Obj, template: Obj, revision_name: str, ordinal: int, owner_ref: Obj) -> Obj:
    m = meta(sts)
    set_name = str(m.get("name", ""))
    pod_name = f"{set_name}-{ordinal}"
    tm = template.get("metadata") or {}
    labels = {**(tm.get("labels") or {}), POD_NAME_LABEL: pod_name, POD_INDEX_LABEL: str(ordinal),
              HASH_LABEL: revision_name}
    pm: Obj = {"name": pod_name, "namespace": m.get("namespace", ""), "labels": labels,
               "ownerReferences": [dict(owner_ref)]}
    if tm.get("annotations"):
        pm["annotations"] = dict(tm["annotations"])
    spec = copy.deepcopy(template.get("spec") or {})
    spec["hostname"] = pod_name
    if _spec(sts).get("serviceName"):
        spec["subdomain"] = _spec(sts)["serviceName"]
    templates = _spec(sts).get("volumeClaimTemplates") or []
    if templates:
        names = {str((t.get("metadata") or {}).get("name", "")) for t in templates}
        volumes = [v for v in spec.get("volumes") or [] if v.get("name") not in names]
        for t in templates:
            tname = str((t.get("metadata") or {}).get("name", ""))
            volumes.append({"name": tname, "persistentVolumeClaim": {
                "claimName": claim_name(tname, set_name, ordinal)}})
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pm, "spec": spec}


def _scaled(value: Any, total: int, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, str) and value.endswith("%"):
        return max(math.floor(int(value[:-1]) * total / 100), 1)
    return max(int(value), 1)


def plan_statefulset(sts: Obj, pods: list[Obj], claims: dict[str, Obj], *, current_template: Obj,
                     update_template: Obj, current_revision: str, update_revision: str, owner_ref: Obj,
                     now: float) -> Plan:
    """The next actions. `pods` are the set's pods; `claims` the namespace's PVCs by name."""
    spec = _spec(sts)
    set_name = str(meta(sts).get("name", ""))
    want = replicas_of(sts)
    ordered = (spec.get("podManagementPolicy") or "OrderedReady") != "Parallel"
    min_ready = int(spec.get("minReadySeconds") or 0)
    strategy = spec.get("updateStrategy") or {}
    rolling = (strategy.get("type") or "RollingUpdate") == "RollingUpdate"
    partition = int(((strategy.get("rollingUpdate") or {}).get("partition")) or 0)
    _, when_scaled = retention(sts)

    by_ord: dict[int, Obj] = {}
    for p in pods:
        o = ordinal_of(set_name, str(meta(p).get("name", "")))
        if o is not None:
            by_ord[o] = p
    plan = Plan()
    acts = plan.actions

    def healthy(p: Obj) -> bool:
        return running(p) and ready(p) and not deleting(p)

    # 1. Pods in range: replace terminal pods, create missing ones (with their claims first).
    for o in range(want):
        pod = by_ord.get(o)
        if pod is not None and terminal(pod) and not deleting(pod):
            acts.append(Action("delete_pod", str(meta(pod)["name"]), uid=str(meta(pod).get("uid", ""))))
            if ordered:
                plan.waiting = f"replacing terminated pod {set_name}-{o}"
                return plan
            continue
        if pod is None:
            use_current = rolling and o < partition
            rev = current_revision if use_current else update_revision
            tpl = current_template if use_current else update_template
            for c in build_claims(sts, o, owner_ref):
                cname = str(c["metadata"]["name"])
                if cname not in claims:
                    acts.append(Action("create_claim", cname, body=c, pod=f"{set_name}-{o}"))
            acts.append(Action("create_pod", f"{set_name}-{o}", body=build_pod(sts, tpl, rev, o, owner_ref)))
            if ordered:
                plan.waiting = f"creating {set_name}-{o}"
                return plan
            continue
        if ordered and not healthy(pod):
            plan.waiting = f"waiting for {set_name}-{o} to be Running and Ready"
            return plan

    # 2. Scale down: highest ordinal first.
    condemned = sorted((o for o in by_ord if o >= want), reverse=True)
    for o in condemned:
        pod = by_ord[o]
        if deleting(pod):
            if ordered:
                plan.waiting = f"waiting for {set_name}-{o} to terminate"
                return plan
            continue
        if ordered and any(not healthy(by_ord[k]) for k in by_ord if k != o):
            plan.waiting = "waiting for pods to be Running and Ready before scaling down"
            return plan
        if when_scaled == "Delete":
            for c in build_claims(sts, o, owner_ref):
                cname = str(c["metadata"]["name"])
                if cname in claims:
                    acts.append(Action("own_claim", cname, pod=str(meta(pod)["name"]),
                                       uid=str(meta(pod).get("uid", ""))))
        acts.append(Action("delete_pod", str(meta(pod)["name"]), uid=str(meta(pod).get("uid", ""))))
        if ordered:
            return plan
    if condemned and ordered:
        return plan

    # 3. Rolling update, highest ordinal first, down to the partition.
    if not rolling or any(o not in by_ord for o in range(want)):
        return plan
    max_unavailable = 1 if ordered else _scaled((strategy.get("rollingUpdate") or {}).get("maxUnavailable"), want, 1)
    targets = [o for o in range(want - 1, -1, -1) if o >= partition]
    unavailable = sum(1 for o in targets if not available(by_ord[o], min_ready, now) or deleting(by_ord[o]))
    for o in targets:
        pod = by_ord[o]
        if pod_revision(pod) != update_revision and not deleting(pod):
            if unavailable >= max_unavailable and available(pod, min_ready, now):
                plan.waiting = "waiting for updated pods to become available"
                break
            acts.append(Action("delete_pod", str(meta(pod)["name"]), uid=str(meta(pod).get("uid", ""))))
            if available(pod, min_ready, now):
                unavailable += 1
            if ordered:
                break
        elif ordered and not available(pod, min_ready, now):
            plan.waiting = f"waiting for {set_name}-{o} to be available"
            break
    return plan


def compute_status(sts: Obj, pods: list[Obj], *, current_revision: str, update_revision: str,
                   collision_count: int, now: float) -> Obj:
    spec = _spec(sts)
    min_ready = int(spec.get("minReadySeconds") or 0)
    st: Obj = {"observedGeneration": int(meta(sts).get("generation") or 0), "replicas": 0, "readyReplicas": 0,
               "availableReplicas": 0, "currentReplicas": 0, "updatedReplicas": 0,
               "currentRevision": current_revision, "updateRevision": update_revision,
               "collisionCount": collision_count}
    for p in pods:
        st["replicas"] += 1
        if running(p) and ready(p):
            st["readyReplicas"] += 1
            if available(p, min_ready, now):
                st["availableReplicas"] += 1
        if not deleting(p):
            rev = pod_revision(p)
            if rev == current_revision:
                st["currentReplicas"] += 1
            if rev == update_revision:
                st["updatedReplicas"] += 1
    want = replicas_of(sts)
    rolling = ((spec.get("updateStrategy") or {}).get("type") or "RollingUpdate") == "RollingUpdate"
    if rolling and st["updatedReplicas"] == want and st["readyReplicas"] == want and st["replicas"] == want:
        st["currentRevision"] = update_revision
        st["currentReplicas"] = st["updatedReplicas"]
    return st
