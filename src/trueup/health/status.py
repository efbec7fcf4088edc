"""Health vocabulary: the six Argo CD status codes, their ordering, and a check's result.

The order, best to worst, is Argo CD's: Healthy < Suspended < Progressing < Missing < Degraded <
Unknown. `is_worse(a, b)` says whether `b` is worse than `a`; `roll_up` keeps the worst of a set
of results, skipping resources that have no health check (`None`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class HealthStatus(StrEnum):
    HEALTHY = "Healthy"
    PROGRESSING = "Progressing"
    DEGRADED = "Degraded"
    SUSPENDED = "Suspended"
    MISSING = "Missing"
    UNKNOWN = "Unknown"

    @classmethod
    def parse(cls, value: object) -> HealthStatus | None:
        """The code spelled exactly as Argo CD spells it, or None."""
        for code in cls:
            if value == code.value:
                return code
        return None


ORDER: tuple[HealthStatus, ...] = (
    HealthStatus.HEALTHY,
    HealthStatus.SUSPENDED,
    HealthStatus.PROGRESSING,
    HealthStatus.MISSING,
    HealthStatus.DEGRADED,
    HealthStatus.UNKNOWN,
)
_RANK = {code: index for index, code in enumerate(ORDER)}


@dataclass(frozen=True)
class HealthResult:
    """What a health check says about one object: a status code and a human message."""

    status: HealthStatus
    message: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"status": self.status.value, "message": self.message}


def is_worse(current: HealthStatus, new: HealthStatus) -> bool:
    """True when `new` is a worse condition than `current` (Argo CD's IsWorse)."""
    return _RANK[new] > _RANK[current]


def roll_up(results: Iterable[HealthResult | HealthStatus | None]) -> HealthStatus:
    """The worst status of `results`; `None` (a resource with no health check) does not count.

    Missing counts like any other code. With nothing to count the result is Healthy, as for an
    Argo CD application whose resources have no health checks.
    """
    worst = HealthStatus.HEALTHY
    for result in results:
        if result is None:
            continue
        status = result.status if isinstance(result, HealthResult) else result
        if is_worse(worst, status):
            worst = status
    return worst
