"""Health of a Pod: phase, readiness, container states and restart policy.

As in Argo CD. For pods that restart (`restartPolicy: Always`, the Kubernetes default) a
container waiting with a reason starting with `Err` or ending in `Error`/`BackOff`
(CrashLoopBackOff, ImagePullBackOff, ErrImagePull, CreateContainerConfigError, ...) makes the
pod Degraded with the containers' messages. Finite pods (OnFailure/Never, typically hooks) are not
judged on waiting containers, so a hook is not failed before its image arrives. Then the phase:
Pending → Progressing, Succeeded → Healthy, Failed → Degraded (with the pod or container
message), Running → Healthy when Ready, Degraded when a container has terminated before,
Progressing otherwise; a running finite pod is Progressing.
"""

from __future__ import annotations

from ..fields import Obj, get, get_int, get_list, get_str
from ..status import HealthResult, HealthStatus

H, P, D, U = HealthStatus.HEALTHY, HealthStatus.PROGRESSING, HealthStatus.DEGRADED, HealthStatus.UNKNOWN


def _is_error_reason(reason: str) -> bool:
    return reason.startswith("Err") or reason.endswith("Error") or reason.endswith("BackOff")


def _statuses(obj: Obj, field: str) -> list[Obj]:
    return [s for s in get_list(obj, "status", field) if isinstance(s, dict)]


def _failure_message(container: Obj) -> str:
    terminated = get(container, "state", "terminated")
    if not isinstance(terminated, dict):
        return ""
    message = get_str(terminated, "message")
    if message:
        return message
    if get_str(terminated, "reason") == "OOMKilled":
        return "OOMKilled"
    exit_code = get_int(terminated, "exitCode")
    if exit_code != 0:
        return f'container "{get_str(container, "name")}" failed with exit code {exit_code}'
    return ""


def _is_ready(obj: Obj) -> bool:
    for condition in get_list(obj, "status", "conditions"):
        if isinstance(condition, dict) and condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def pod_health(obj: Obj) -> HealthResult:
    restart_policy = get_str(obj, "spec", "restartPolicy") or "Always"
    message = get_str(obj, "status", "message")
    containers = _statuses(obj, "containerStatuses")
    if restart_policy == "Always":
        errors = []
        for container in containers:
            waiting = get(container, "state", "waiting")
            if isinstance(waiting, dict) and _is_error_reason(get_str(waiting, "reason")):
                errors.append(get_str(waiting, "message"))
        if errors:
            return HealthResult(D, ", ".join(errors))
    phase = get_str(obj, "status", "phase")
    if phase == "Pending":
        return HealthResult(P, message)
    if phase == "Succeeded":
        return HealthResult(H, message)
    if phase == "Failed":
        if message:
            return HealthResult(D, message)
        for container in [*_statuses(obj, "initContainerStatuses"), *containers]:
            failure = _failure_message(container)
            if failure:
                return HealthResult(D, failure)
        return HealthResult(D, "")
    if phase == "Running":
        if restart_policy != "Always":
            return HealthResult(P, message)
        if _is_ready(obj):
            return HealthResult(H, message)
        if any(isinstance(get(c, "lastState", "terminated"), dict) for c in containers):
            return HealthResult(D, message)
        return HealthResult(P, message)
    return HealthResult(U, message)


CHECKS = {("", "Pod"): pod_health}
