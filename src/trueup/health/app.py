"""An application's health from its resources' health, as Argo CD 3.4+ rolls it up.

`app_health` takes one `ResourceHealth` per managed resource (from the desired/live pairing):
- hooks, resources annotated `argocd.argoproj.io/ignore-healthcheck: "true"`, and resources whose
  kind has no health check (health None) do not count;
- child Applications that are Missing or Unknown do not count;
- a resource missing from the cluster does not count, unless every resource is missing:
  then the app is Missing (e.g. before its first sync). With `missing="checked"` a missing
  resource whose kind has a health check counts as Missing instead (Argo CD up to 3.3; useful
  when gating sync waves);
- otherwise the app is the worst of the rest (`roll_up`), Healthy when nothing counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from trueup.model import ResourceKey

from .status import HealthResult, HealthStatus, roll_up

_APPLICATION_KINDS = {("argoproj.io", "Application"), ("trueup.dev", "Application")}


@dataclass(frozen=True)
class ResourceHealth:
    """One managed resource for the roll-up. `health` is None when no check applies."""

    key: ResourceKey
    health: HealthResult | None
    exists: bool = True  # False: in Git but not in the cluster
    has_check: bool = True  # the kind has a built-in or custom check (for missing resources)
    hook: bool = False
    ignore_health: bool = False


def app_health(resources: Iterable[ResourceHealth], missing: Literal["all", "checked"] = "all") -> HealthStatus:
    counted: list[HealthResult] = []
    missing_count = present_count = 0
    for resource in resources:
        if resource.hook or resource.ignore_health:
            continue
        if not resource.exists:
            if missing == "checked" and resource.has_check:
                counted.append(HealthResult(HealthStatus.MISSING))
            else:
                missing_count += 1
            continue
        present_count += 1
        health = resource.health
        if health is None:
            continue
        is_app = (resource.key.group, resource.key.kind) in _APPLICATION_KINDS
        if is_app and health.status in (HealthStatus.MISSING, HealthStatus.UNKNOWN):
            continue
        counted.append(health)
    if missing_count and not present_count:
        return HealthStatus.MISSING
    return roll_up(counted)
