"""Health of Jobs and CronJobs.

Job (as Argo CD): a Failed condition → Degraded with its message; Complete → Healthy; a
suspended job (`spec.suspend: true` or a Suspended condition) → Suspended; otherwise the job is
still running → Progressing.

CronJob (as Argo CD's bundled check): `spec.suspend` → Suspended; never scheduled → Healthy; the
last scheduled run newer than the last successful one with no active job → Degraded; a running or
successful last run → Healthy; no status yet → Progressing.
"""

from __future__ import annotations

from ..fields import Obj, condition_text, conditions, get_bool, get_list, get_str
from ..status import HealthResult, HealthStatus

H, P, D, S = HealthStatus.HEALTHY, HealthStatus.PROGRESSING, HealthStatus.DEGRADED, HealthStatus.SUSPENDED


def job_health(obj: Obj) -> HealthResult:
    found: dict[str, Obj] = {}
    for condition in conditions(obj):
        if condition.get("status") == "True" and isinstance(condition.get("type"), str):
            found.setdefault(condition["type"], condition)
    if "Failed" in found:
        return HealthResult(D, condition_text(found["Failed"], "message"))
    if "Complete" in found:
        return HealthResult(H, condition_text(found["Complete"], "message"))
    if "Suspended" in found or get_bool(obj, "spec", "suspend"):
        suspended = found.get("Suspended")
        message = condition_text(suspended, "message") if suspended else ""
        return HealthResult(S, message or "Job is suspended")
    return HealthResult(P, "")


def cronjob_health(obj: Obj) -> HealthResult:
    if get_bool(obj, "spec", "suspend"):
        return HealthResult(S, "CronJob is Suspended")
    status = obj.get("status")
    if not isinstance(status, dict):
        return HealthResult(P, "Waiting for CronJob")
    last_schedule = get_str(obj, "status", "lastScheduleTime")
    if not last_schedule:
        return HealthResult(H, "CronJob has not been scheduled yet")
    last_success = get_str(obj, "status", "lastSuccessfulTime")
    if not last_success:
        return HealthResult(H, "The Cronjob never completed succesfully. It may not be healthy")
    if get_list(obj, "status", "active"):
        return HealthResult(H, "The job is running. Its last execution may not have been successful")
    # RFC 3339 timestamps in UTC ("...Z") written by the same controller compare as strings.
    if last_success < last_schedule:
        return HealthResult(D, "CronJob has not completed its last execution successfully")
    return HealthResult(H, "CronJob has completed its last execution successfully")


CHECKS = {("batch", "Job"): job_health, ("batch", "CronJob"): cronjob_health}
