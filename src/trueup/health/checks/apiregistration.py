"""Health of an APIService from its Available condition (Argo CD's rule): True → Healthy,
otherwise Progressing, with "<reason>: <message>"; no condition yet → Progressing
"Waiting to be processed"."""

from __future__ import annotations

from ..fields import Obj, condition_text, find_condition
from ..status import HealthResult, HealthStatus


def apiservice_health(obj: Obj) -> HealthResult:
    available = find_condition(obj, "Available")
    if available is None:
        return HealthResult(HealthStatus.PROGRESSING, "Waiting to be processed")
    message = f"{condition_text(available, 'reason')}: {condition_text(available, 'message')}"
    if available.get("status") == "True":
        return HealthResult(HealthStatus.HEALTHY, message)
    return HealthResult(HealthStatus.PROGRESSING, message)


CHECKS = {("apiregistration.k8s.io", "APIService"): apiservice_health}
