"""Health of a HorizontalPodAutoscaler from its conditions (Argo CD's table).

Degraded: AbleToScale/FailedGetScale, AbleToScale/FailedUpdateScale,
ScalingActive/FailedGetResourceMetric, ScalingActive/InvalidSelector.
Healthy: AbleToScale/SucceededRescale, ScalingLimited/DesiredWithinRange|TooFewReplicas|TooManyReplicas.
The first condition in the list that matches decides, with its message; otherwise
Progressing "Waiting to Autoscale". autoscaling/v1 objects carry the conditions as JSON in the
annotation `autoscaling.alpha.kubernetes.io/conditions`.
"""

from __future__ import annotations

import json

from ..fields import FieldTypeError, Obj, condition_text, get, get_list
from ..status import HealthResult, HealthStatus

_DEGRADED = {
    ("AbleToScale", "FailedGetScale"), ("AbleToScale", "FailedUpdateScale"),
    ("ScalingActive", "FailedGetResourceMetric"), ("ScalingActive", "InvalidSelector"),
}
_HEALTHY = {
    ("AbleToScale", "SucceededRescale"), ("ScalingLimited", "DesiredWithinRange"),
    ("ScalingLimited", "TooFewReplicas"), ("ScalingLimited", "TooManyReplicas"),
}
_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"


def _conditions(obj: Obj) -> list[Obj]:
    listed = get_list(obj, "status", "conditions")
    if listed:
        return [c for c in listed if isinstance(c, dict)]
    raw = get(obj, "metadata", "annotations", _ANNOTATION)
    if not isinstance(raw, str):
        return []
    try:
        parsed = json.loads(raw)
    except ValueError as err:
        raise FieldTypeError(("metadata", "annotations", _ANNOTATION), "a JSON list of conditions", raw) from err
    return [c for c in parsed if isinstance(c, dict)] if isinstance(parsed, list) else []


def hpa_health(obj: Obj) -> HealthResult:
    for condition in _conditions(obj):
        key = (condition.get("type"), condition.get("reason"))
        if key in _DEGRADED:
            return HealthResult(HealthStatus.DEGRADED, condition_text(condition, "message"))
        if key in _HEALTHY:
            return HealthResult(HealthStatus.HEALTHY, condition_text(condition, "message"))
    return HealthResult(HealthStatus.PROGRESSING, "Waiting to Autoscale")


CHECKS = {("autoscaling", "HorizontalPodAutoscaler"): hpa_health}
