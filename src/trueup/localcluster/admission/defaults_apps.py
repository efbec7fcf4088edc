"""Defaults of workload kinds: apps/v1 (Deployment, ReplicaSet, StatefulSet, DaemonSet) and
core/v1 ReplicationController and PodTemplate. Includes the empty status each one prints.

Feature gates are those of Kubernetes 1.37: MaxUnavailableStatefulSet on. Pure.
"""

from __future__ import annotations

import copy

from ._util import Obj, child, default, default_empty, dicts
from .defaults_pod import default_pod_template

DS_TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"


def deployment(obj: Obj) -> None:
    spec = child(obj, "spec")
    default(spec, "replicas", 1)
    strategy = child(spec, "strategy")
    default_empty(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = child(strategy, "rollingUpdate")
        default(rolling, "maxUnavailable", "25%")
        default(rolling, "maxSurge", "25%")
    default(spec, "revisionHistoryLimit", 10)
    default(spec, "progressDeadlineSeconds", 600)
    default_pod_template(spec.get("template"))
    child(obj, "status")


def replica_set(obj: Obj) -> None:
    spec = child(obj, "spec")
    default(spec, "replicas", 1)
    default_pod_template(spec.get("template"))
    default(child(obj, "status"), "replicas", 0)


def replication_controller(obj: Obj) -> None:
    spec = child(obj, "spec")
    template = spec.get("template")
    labels = ((template or {}).get("metadata") or {}).get("labels") if isinstance(template, dict) else None
    if labels:
        default_empty(spec, "selector", labels)
        default_empty(child(obj, "metadata"), "labels", labels)
    default(spec, "replicas", 1)
    default_pod_template(template)
    default(child(obj, "status"), "replicas", 0)


def pod_template(obj: Obj) -> None:
    default_pod_template(child(obj, "template"))


def _volume_claim_template(pvc: Obj) -> None:
    default_empty(pvc, "apiVersion", "v1")
    default_empty(pvc, "kind", "PersistentVolumeClaim")
    child(pvc, "metadata")
    default(child(pvc, "spec"), "volumeMode", "Filesystem")
    default(child(pvc, "status"), "phase", "Pending")


def stateful_set(obj: Obj) -> None:
    spec = child(obj, "spec")
    default(spec, "replicas", 1)
    default(spec, "revisionHistoryLimit", 10)
    default_empty(spec, "podManagementPolicy", "OrderedReady")
    strategy = child(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        default(strategy, "rollingUpdate", {})
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
        default(rolling, "partition", 0)
        default(rolling, "maxUnavailable", 1)
    retention = child(spec, "persistentVolumeClaimRetentionPolicy")
    default_empty(retention, "whenDeleted", "Retain")
    default_empty(retention, "whenScaled", "Retain")
    for pvc in dicts(spec.get("volumeClaimTemplates")):
        _volume_claim_template(pvc)
    default_pod_template(spec.get("template"))
    status = child(obj, "status")
    default(status, "replicas", 0)
    default(status, "availableReplicas", 0)


def daemon_set(obj: Obj) -> None:
    spec = child(obj, "spec")
    strategy = child(spec, "updateStrategy")
    default_empty(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = child(strategy, "rollingUpdate")
        default(rolling, "maxUnavailable", 1)
        default(rolling, "maxSurge", 0)
    default(spec, "revisionHistoryLimit", 10)
    default_pod_template(spec.get("template"))
    annotations = child(child(obj, "metadata"), "annotations")
    annotations.setdefault(DS_TEMPLATE_GENERATION, "1")
    status = child(obj, "status")
    for counter in ("currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady"):
        default(status, counter, 0)


def bump_daemon_set_generation(old: Obj, new: Obj) -> None:
    """On update: the template-generation annotation is old + 1 when the template changed."""
    old_gen = ((old.get("metadata") or {}).get("annotations") or {}).get(DS_TEMPLATE_GENERATION, "1")
    old_tpl = copy.deepcopy((old.get("spec") or {}).get("template"))
    new_tpl = (new.get("spec") or {}).get("template")
    try:
        gen = int(old_gen)
    except ValueError:
        gen = 1
    if old_tpl != new_tpl:
        gen += 1
    child(child(new, "metadata"), "annotations")[DS_TEMPLATE_GENERATION] = str(gen)
