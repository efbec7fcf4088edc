"""Health of the replicated workloads: Deployment, ReplicaSet and DaemonSet.

The rules and messages are Argo CD's (after `kubectl rollout status`): a paused Deployment is
Suspended; until the controller has observed the latest generation the object is Progressing;
a Progressing condition with reason ProgressDeadlineExceeded is Degraded; then updated,
old and available replica counts are waited for in that order.
"""

from __future__ import annotations

from ..fields import Obj, find_condition, get_bool, get_int, get_opt_int, get_str
from ..status import HealthResult, HealthStatus

H, P, D, S = HealthStatus.HEALTHY, HealthStatus.PROGRESSING, HealthStatus.DEGRADED, HealthStatus.SUSPENDED


def _name(obj: Obj) -> str:
    return get_str(obj, "metadata", "name")


def _observed(obj: Obj) -> bool:
    return get_int(obj, "metadata", "generation") <= get_int(obj, "status", "observedGeneration")


def deployment_health(obj: Obj) -> HealthResult:
    if get_bool(obj, "spec", "paused"):
        return HealthResult(S, "Deployment is paused")
    if not _observed(obj):
        return HealthResult(
            P, "Waiting for rollout to finish: observed deployment generation less than desired generation")
    progressing = find_condition(obj, "Progressing")
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        return HealthResult(D, f'Deployment "{_name(obj)}" exceeded its progress deadline')
    desired = get_opt_int(obj, "spec", "replicas")
    updated = get_int(obj, "status", "updatedReplicas")
    replicas = get_int(obj, "status", "replicas")
    available = get_int(obj, "status", "availableReplicas")
    if desired is not None and updated < desired:
        return HealthResult(
            P, f"Waiting for rollout to finish: {updated} out of {desired} new replicas have been updated...")
    if replicas > updated:
        return HealthResult(
            P, f"Waiting for rollout to finish: {replicas - updated} old replicas are pending termination...")
    if available < updated:
        return HealthResult(
            P, f"Waiting for rollout to finish: {available} of {updated} updated replicas are available...")
    return HealthResult(H)


def replicaset_health(obj: Obj) -> HealthResult:
    if not _observed(obj):
        return HealthResult(
            P, "Waiting for rollout to finish: observed replica set generation less than desired generation")
    failure = find_condition(obj, "ReplicaFailure")
    if failure is not None and failure.get("status") == "True":
        return HealthResult(D, get_str(failure, "message"))
    desired = get_opt_int(obj, "spec", "replicas")
    available = get_int(obj, "status", "availableReplicas")
    if desired is not None and available < desired:
        return HealthResult(
            P, f"Waiting for rollout to finish: {available} out of {desired} new replicas are available...")
    return HealthResult(H)


def daemonset_health(obj: Obj) -> HealthResult:
    if not _observed(obj):
        return HealthResult(
            P, "Waiting for rollout to finish: observed daemon set generation less than desired generation")
    desired = get_int(obj, "status", "desiredNumberScheduled")
    updated = get_int(obj, "status", "updatedNumberScheduled")
    available = get_int(obj, "status", "numberAvailable")
    if get_str(obj, "spec", "updateStrategy", "type") == "OnDelete":
        return HealthResult(H, f"daemon set {updated} out of {desired} new pods have been updated")
    name = _name(obj)
    if updated < desired:
        return HealthResult(
            P, f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} new pods '
               "have been updated...")
    if available < desired:
        return HealthResult(
            P, f'Waiting for daemon set "{name}" rollout to finish: {available} of {desired} updated pods '
               "are available...")
    return HealthResult(H)


CHECKS = {
    ("apps", "Deployment"): deployment_health,
    ("extensions", "Deployment"): deployment_health,
    ("apps", "ReplicaSet"): replicaset_health,
    ("extensions", "ReplicaSet"): replicaset_health,
    ("apps", "DaemonSet"): daemonset_health,
    ("extensions", "DaemonSet"): daemonset_health,
}
