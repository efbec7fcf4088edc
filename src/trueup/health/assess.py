"""Assess one live object: the dispatcher in front of the checks.

`assess(obj, registry)`:
- an object being deleted (`metadata.deletionTimestamp`) is Progressing "Pending deletion",
  except Argo CD / Helm hooks, which are judged on their own state;
- otherwise the custom check for its (group, kind), if it has an opinion, else the built-in
  check, else the generic fallback for custom resources; None when no check applies (the
  resource then does not count in the roll-up);
- a check that fails (a field of the wrong type, a Lua error, ...) gives Unknown with a message
  naming the resource and what went wrong, never an exception.
"""

from __future__ import annotations

from trueup.model import ResourceKey

from .checks import HealthCheck
from .fields import Obj, get
from .registry import HealthRegistry, default_registry
from .status import HealthResult, HealthStatus

_HOOK_ANNOTATIONS = ("argocd.argoproj.io/hook", "helm.sh/hook")
_DEFAULT = default_registry()


def _is_hook(obj: Obj) -> bool:
    annotations = get(obj, "metadata", "annotations")
    return isinstance(annotations, dict) and any(a in annotations for a in _HOOK_ANNOTATIONS)


def _run(check: HealthCheck, obj: Obj) -> HealthResult | None:
    try:
        return check(obj)
    except Exception as err:  # a check must never take the engine down: report Unknown instead
        key = ResourceKey.of(obj)
        return HealthResult(HealthStatus.UNKNOWN, f"health check of {key} failed: {err}")


def assess(obj: Obj, registry: HealthRegistry | None = None) -> HealthResult | None:
    """The health of one live object, or None when no check applies to its kind."""
    registry = registry or _DEFAULT
    if get(obj, "metadata", "deletionTimestamp") and not _is_hook(obj):
        return HealthResult(HealthStatus.PROGRESSING, "Pending deletion")
    key = ResourceKey.of(obj)
    custom = registry.custom_check(key.group, key.kind)
    if custom is not None:
        result = _run(custom, obj)
        if result is not None:
            return result
    builtin = registry.builtin_check(key.group, key.kind)
    return _run(builtin, obj) if builtin is not None else None
