"""When to try again: the auto-sync retry policy and the self-heal fighter backoff.  [pure]

`SyncRetries` counts failed syncs of one revision per app (Argo CD's `syncPolicy.retry`: limit 5,
backoff 5 s x2 capped at 3 min by default; limit -1 = unlimited). A new revision starts afresh;
a revision that used up its attempts is not synced automatically again.

`Fighters` remembers every field trueup put back, by (object, field, manager). The first change
by another manager is healed at once; each further change of the same field by the same manager
waits 2 s, 4 s, 8 s ... (capped at 5 min) before it is healed again, so trueup and an HPA do not
flap forever; the controller reports the manager in a condition meanwhile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..app import Retry

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


def parse_duration(text: str, default: float) -> float:
    """Go durations as Argo CD writes them ("5s", "3m", "1m30s"); a bare number is seconds."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return default
    return sum(float(n) * _UNITS[u] for n, u in parts)


@dataclass
class _Attempts:
    revision: str = ""
    failures: int = 0
    not_before: float = 0.0


@dataclass
class SyncRetries:
    """Failed automatic syncs per app for its current revision."""

    _apps: dict[str, _Attempts] = field(default_factory=dict)

    def failures(self, app: str, revision: str) -> int:
        a = self._apps.get(app)
        return a.failures if a is not None and a.revision == revision else 0

    def exhausted(self, app: str, revision: str, retry: Retry | None) -> bool:
        limit = (retry or Retry()).limit
        # limit counts retries after the first attempt, as Argo CD's does
        return limit >= 0 and self.failures(app, revision) > limit

    def wait(self, app: str, revision: str, now: float) -> float:
        """Seconds before the next attempt at this revision may start (0: now)."""
        a = self._apps.get(app)
        if a is None or a.revision != revision:
            return 0.0
        return max(0.0, a.not_before - now)

    def failed(self, app: str, revision: str, retry: Retry | None, now: float) -> float:
        """Record a failure; returns the delay before the next attempt."""
        a = self._apps.setdefault(app, _Attempts())
        if a.revision != revision:
            a.revision, a.failures = revision, 0
        a.failures += 1
        r = retry or Retry()
        base = parse_duration(r.duration, 5.0)
        cap = parse_duration(r.max_duration, 180.0)
        delay = float(min(base * r.factor ** (a.failures - 1), cap))
        a.not_before = now + delay
        return delay

    def succeeded(self, app: str) -> None:
        self._apps.pop(app, None)

    def forget(self, app: str) -> None:
        self._apps.pop(app, None)


FightKey = tuple[str, str, str]  # (object, field path, manager)

FIGHT_BASE_S = 2.0
FIGHT_MAX_S = 300.0


@dataclass
class _Fight:
    heals: int = 0
    last_heal: float = 0.0


@dataclass
class Fighters:
    """Fields healed per app, by (object, field path, other manager)."""

    _apps: dict[str, dict[FightKey, _Fight]] = field(default_factory=dict)

    def wait(self, app: str, keys: list[FightKey], now: float) -> tuple[float, FightKey | None]:
        """Seconds to wait before healing these fields again (0: heal now), and the worst fighter."""
        fights = self._apps.get(app, {})
        worst: tuple[float, FightKey | None] = (0.0, None)
        for key in keys:
            f = fights.get(key)
            if f is None or f.heals == 0:
                continue
            delay = min(FIGHT_BASE_S * 2 ** (f.heals - 1), FIGHT_MAX_S)
            remaining = f.last_heal + delay - now
            if remaining > worst[0]:
                worst = (remaining, key)
        return worst

    def healed(self, app: str, keys: list[FightKey], now: float) -> None:
        fights = self._apps.setdefault(app, {})
        for key in keys:
            f = fights.setdefault(key, _Fight())
            f.heals += 1
            f.last_heal = now

    def heals(self, app: str, key: FightKey) -> int:
        f = self._apps.get(app, {}).get(key)
        return f.heals if f else 0

    def forget(self, app: str) -> None:
        self._apps.pop(app, None)
