"""Health of a StatefulSet: observed generation, ready pods, partitioned and OnDelete rollouts.

As in Argo CD: until the controller has observed the latest generation (or has observed none)
it is Progressing; then it waits for `spec.replicas` ready pods. A RollingUpdate with a partition
waits for `replicas - partition` updated pods; OnDelete is Healthy once pods are ready; otherwise
the rollout is complete when the update revision equals the current revision.
"""

from __future__ import annotations

from ..fields import Obj, get, get_int, get_opt_int, get_str
from ..status import HealthResult, HealthStatus

H, P = HealthStatus.HEALTHY, HealthStatus.PROGRESSING


def statefulset_health(obj: Obj) -> HealthResult:
    observed = get_int(obj, "status", "observedGeneration")
    if observed == 0 or get_int(obj, "metadata", "generation") > observed:
        return HealthResult(P, "Waiting for statefulset spec update to be observed...")
    desired = get_opt_int(obj, "spec", "replicas")
    ready = get_int(obj, "status", "readyReplicas")
    updated = get_int(obj, "status", "updatedReplicas")
    if desired is not None and ready < desired:
        return HealthResult(P, f"Waiting for {desired - ready} pods to be ready...")
    strategy = get_str(obj, "spec", "updateStrategy", "type")
    if strategy == "RollingUpdate" and isinstance(get(obj, "spec", "updateStrategy", "rollingUpdate"), dict):
        partition = get_opt_int(obj, "spec", "updateStrategy", "rollingUpdate", "partition")
        if desired is not None and partition is not None and updated < desired - partition:
            return HealthResult(
                P, f"Waiting for partitioned roll out to finish: {updated} out of {desired - partition} "
                   "new pods have been updated...")
        return HealthResult(H, f"partitioned roll out complete: {updated} new pods have been updated...")
    if strategy == "OnDelete":
        return HealthResult(H, f"statefulset has {ready} ready pods")
    update_revision = get_str(obj, "status", "updateRevision")
    current_revision = get_str(obj, "status", "currentRevision")
    if update_revision != current_revision:
        return HealthResult(
            P, f"waiting for statefulset rolling update to complete {updated} pods at revision "
               f"{update_revision}...")
    current = get_int(obj, "status", "currentReplicas")
    return HealthResult(
        H, f"statefulset rolling update complete {current} pods at revision {current_revision}...")


CHECKS = {("apps", "StatefulSet"): statefulset_health}
