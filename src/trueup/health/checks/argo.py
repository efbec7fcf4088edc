"""Health of Argo kinds: Applications (Argo CD's and trueup's own) and Argo Workflows.

An Application's health is the one its controller reports in `status.health`; before any
report it is Progressing (the check Argo CD documents for app-of-apps). A code Argo CD does not
know is Unknown. A Workflow follows `status.phase`: Pending/Running → Progressing, Succeeded →
Healthy, Failed/Error → Degraded, with `status.message`.
"""

from __future__ import annotations

from ..fields import Obj, get, get_str
from ..status import HealthResult, HealthStatus


def application_health(obj: Obj) -> HealthResult:
    health = get(obj, "status", "health")
    if not isinstance(health, dict) or health.get("status") in (None, ""):
        return HealthResult(HealthStatus.PROGRESSING, "")
    message = get_str(health, "message")
    code = HealthStatus.parse(health.get("status"))
    if code is None:
        return HealthResult(
            HealthStatus.UNKNOWN, f"status.health.status {health.get('status')!r} is not an Argo CD health code")
    return HealthResult(code, message)


_WORKFLOW_PHASES = {
    "": HealthStatus.PROGRESSING, "Pending": HealthStatus.PROGRESSING, "Running": HealthStatus.PROGRESSING,
    "Succeeded": HealthStatus.HEALTHY, "Failed": HealthStatus.DEGRADED, "Error": HealthStatus.DEGRADED,
}


def workflow_health(obj: Obj) -> HealthResult:
    phase = get_str(obj, "status", "phase")
    return HealthResult(_WORKFLOW_PHASES.get(phase, HealthStatus.UNKNOWN), get_str(obj, "status", "message"))


CHECKS = {
    ("argoproj.io", "Application"): application_health,
    ("trueup.dev", "Application"): application_health,
    ("argoproj.io", "Workflow"): workflow_health,
}
