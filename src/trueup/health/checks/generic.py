"""Fallback health for custom resources that have no built-in or custom check (kstatus-like).

Applied only to kinds outside the Kubernetes API groups, in this order:
1. `spec.suspend: true` or `spec.paused: true` → Suspended.
2. `status.observedGeneration` below `metadata.generation` → Progressing (not yet reconciled).
3. Conditions: Stalled=True → Degraded; Reconciling=True → Progressing; then the first of
   Ready, Available, Healthy present: True → Healthy, False → Degraded, Unknown → Progressing.
   (Flux objects report Ready=False with Reconciling=True while they work: Progressing.)
4. `status.phase` from a table of common phase words (case-insensitive).
5. Otherwise no health (None): such a resource does not count in the app's roll-up.
"""

from __future__ import annotations

from ..fields import Obj, condition_text, conditions, get, get_bool, get_int, get_str
from ..status import HealthResult, HealthStatus

H, P, D, S = HealthStatus.HEALTHY, HealthStatus.PROGRESSING, HealthStatus.DEGRADED, HealthStatus.SUSPENDED

_SUMMARY_CONDITIONS = ("Ready", "Available", "Healthy")
_BY_CONDITION_STATUS = {"True": H, "False": D, "Unknown": P}
_PHASES = {
    **dict.fromkeys(("healthy", "ready", "succeeded", "complete", "completed", "active", "bound",
                     "available", "running", "deployed", "established"), H),
    **dict.fromkeys(("pending", "progressing", "provisioning", "creating", "updating", "deploying",
                     "reconciling", "initializing", "inprogress", "in progress", "waiting"), P),
    **dict.fromkeys(("failed", "failure", "error", "degraded", "crashloopbackoff", "unhealthy"), D),
    **dict.fromkeys(("suspended", "paused"), S),
}

# Kubernetes' own API groups: their kinds get a built-in check or no health at all.
_KUBERNETES_GROUPS = frozenset({
    "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "authentication.k8s.io",
    "authorization.k8s.io", "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io",
    "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io",
    "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
    "storagemigration.k8s.io", "metrics.k8s.io",
})


def is_kubernetes_group(group: str) -> bool:
    """True for the core group, the dotless built-ins (apps, batch, ...) and the *.k8s.io built-ins."""
    return "." not in group or group in _KUBERNETES_GROUPS


def _message(condition: Obj, fallback: str) -> str:
    return condition_text(condition, "message") or condition_text(condition, "reason") or fallback


def generic_health(obj: Obj) -> HealthResult | None:
    kind = get_str(obj, "kind") or "resource"
    if get_bool(obj, "spec", "suspend") or get_bool(obj, "spec", "paused"):
        return HealthResult(S, f"{kind} is suspended")
    status = obj.get("status")
    if not isinstance(status, dict):
        return None
    generation = get_int(obj, "metadata", "generation")
    if get(obj, "status", "observedGeneration") is not None:
        observed = get_int(obj, "status", "observedGeneration")
        if observed < generation:
            return HealthResult(
                P, f"Waiting for the controller to observe generation {generation} "
                   f"(status.observedGeneration is {observed})")
    found = {c.get("type"): c for c in conditions(obj)}
    stalled, reconciling = found.get("Stalled"), found.get("Reconciling")
    if stalled is not None and stalled.get("status") == "True":
        return HealthResult(D, _message(stalled, f"{kind} is stalled"))
    if reconciling is not None and reconciling.get("status") == "True":
        return HealthResult(P, _message(reconciling, f"{kind} is reconciling"))
    for name in _SUMMARY_CONDITIONS:
        condition = found.get(name)
        if condition is None:
            continue
        code = _BY_CONDITION_STATUS.get(str(condition.get("status")), P)
        return HealthResult(code, _message(condition, f"{name} is {condition.get('status')}"))
    phase = get(obj, "status", "phase")
    if isinstance(phase, str) and phase.lower() in _PHASES:
        return HealthResult(_PHASES[phase.lower()], get_str(obj, "status", "message"))
    return None
