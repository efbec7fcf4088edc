"""Built-in health checks, one module per kind family, gathered in one (group, kind) registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..fields import Obj
from ..status import HealthResult
from . import apiregistration, argo, autoscaling, batch, crd, network, pod, statefulset, storage, workloads
from .generic import generic_health, is_kubernetes_group

HealthCheck = Callable[[Obj], HealthResult | None]

BUILTIN_CHECKS: Mapping[tuple[str, str], HealthCheck] = {
    key: check
    for module in (workloads, statefulset, pod, batch, network, storage, autoscaling, apiregistration, crd, argo)
    for key, check in module.CHECKS.items()
}

__all__ = ["BUILTIN_CHECKS", "HealthCheck", "generic_health", "is_kubernetes_group"]
