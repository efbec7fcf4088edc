"""Health of a CustomResourceDefinition from its conditions (Argo CD's rule).

No conditions → Progressing "Status conditions not found"; Terminating → Progressing;
NamesAccepted False → Degraded; not Established → Degraded; NonStructuralSchema True →
Degraded with the schema violations; otherwise Healthy "CRD is healthy".
"""

from __future__ import annotations

from ..fields import Obj, condition_text, conditions
from ..status import HealthResult, HealthStatus

P, D = HealthStatus.PROGRESSING, HealthStatus.DEGRADED


def crd_health(obj: Obj) -> HealthResult:
    found = {c.get("type"): c for c in conditions(obj)}
    if not found:
        return HealthResult(P, "Status conditions not found")

    def is_(kind: str, status: str) -> bool:
        return kind in found and found[kind].get("status") == status

    def text(kind: str) -> str:
        return condition_text(found[kind], "message") if kind in found else ""

    if is_("Terminating", "True"):
        return HealthResult(P, f"CRD is being terminated: {text('Terminating')}")
    if is_("NamesAccepted", "False"):
        return HealthResult(D, f"CRD names have not been accepted: {text('NamesAccepted')}")
    if not is_("Established", "True"):
        return HealthResult(D, f"CRD is not established: {text('Established')}".rstrip(": "))
    if is_("NonStructuralSchema", "True"):
        return HealthResult(D, f"Schema violations found: {text('NonStructuralSchema')}")
    return HealthResult(HealthStatus.HEALTHY, "CRD is healthy")


CHECKS = {("apiextensions.k8s.io", "CustomResourceDefinition"): crd_health}
