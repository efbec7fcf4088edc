"""Health of a PersistentVolumeClaim by phase: Bound → Healthy, Pending → Progressing, Lost →
Degraded, anything else → Unknown (Argo CD's rule)."""

from __future__ import annotations

from ..fields import Obj, get_str
from ..status import HealthResult, HealthStatus

_BY_PHASE = {
    "Bound": HealthStatus.HEALTHY,
    "Pending": HealthStatus.PROGRESSING,
    "Lost": HealthStatus.DEGRADED,
}


def pvc_health(obj: Obj) -> HealthResult:
    phase = get_str(obj, "status", "phase")
    return HealthResult(_BY_PHASE.get(phase, HealthStatus.UNKNOWN))


CHECKS = {("", "PersistentVolumeClaim"): pvc_health}
