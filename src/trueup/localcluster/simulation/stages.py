"""Kubelet stages as data: loading `stages.yaml` (or any stage document), the view of a Pod the
stages select on, stage selection and delays. Pure (no I/O beyond reading package data).

A stage document has `timing` (per mode: probeScale, backoff base/max, runSeconds) and an
ordered list of `stages`; see the comments in stages.yaml for the vocabulary.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

Obj = dict[str, Any]

BEHAVIOR = "sim.trueup.dev/behavior"
RUN_SECONDS = "sim.trueup.dev/run-seconds"
EXIT_CODE = "sim.trueup.dev/exit-code"
BEHAVIORS = ("healthy", "image-pull-failure", "crash-loop", "oom-killed", "never-ready", "slow-start")
VIEW_KEYS = ("behavior", "restartPolicy", "container", "ready", "exit")
DELAY_KINDS = ("readiness", "backoff", "run")


class StageError(ValueError):
    """A stage document that does not follow the vocabulary."""


@dataclass(frozen=True)
class Timing:
    probe_scale: float
    backoff_base: float
    backoff_max: float
    run_seconds: float


@dataclass(frozen=True)
class EventSpec:
    type: str
    reason: str
    message: str
    each: str = ""  # "" (once, for the Pod) | "containers" | "all" (init + app containers)


@dataclass(frozen=True)
class Stage:
    name: str
    when: dict[str, frozenset[str]]
    delay_kind: str  # "fixed" | "readiness" | "backoff" | "run"
    ranges: dict[str, tuple[float, float]]  # timing mode → (min, max) seconds
    set: Obj = field(default_factory=dict)
    events: tuple[EventSpec, ...] = ()
    count: str = ""

    def matches(self, view: dict[str, str]) -> bool:
        return all(view.get(k) in allowed for k, allowed in self.when.items())


@dataclass(frozen=True)
class StageSet:
    stages: tuple[Stage, ...]
    timing: dict[str, Timing]

    def select(self, view: dict[str, str]) -> Stage | None:
        for stage in self.stages:
            if stage.matches(view):
                return stage
        return None

    def timing_for(self, mode: str) -> Timing:
        return self.timing.get(mode) or self.timing["fast"]


def _range(value: Any, where: str) -> tuple[float, float]:
    if isinstance(value, int | float):
        return float(value), float(value)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        lo, hi = float(value[0]), float(value[1])
        if 0 <= lo <= hi:
            return lo, hi
    raise StageError(f"{where}: a delay is [min, max] seconds with 0 <= min <= max, got {value!r}")


def parse(doc: Any) -> StageSet:
    if not isinstance(doc, dict) or not isinstance(doc.get("stages"), list):
        raise StageError("a stage document has `stages`, a list")
    timing: dict[str, Timing] = {}
    for mode, t in (doc.get("timing") or {}).items():
        b = t.get("backoff") or {}
        timing[str(mode)] = Timing(float(t.get("probeScale", 1.0)), float(b.get("base", 10.0)),
                                   float(b.get("max", 300.0)), float(t.get("runSeconds", 5.0)))
    if "fast" not in timing:
        timing["fast"] = Timing(0.1, 0.2, 3.0, 0.3)
    stages = []
    names: set[str] = set()
    for i, raw in enumerate(doc["stages"]):
        name = str(raw.get("name") or f"stage-{i}")
        if name in names:
            raise StageError(f"stage {name}: duplicate name")
        names.add(name)
        when: dict[str, frozenset[str]] = {}
        for k, v in (raw.get("when") or {}).items():
            if k not in VIEW_KEYS:
                raise StageError(f"stage {name}: unknown view key {k!r} (one of {', '.join(VIEW_KEYS)})")
            when[k] = frozenset(str(x).lower() if isinstance(x, bool) else str(x)
                                for x in (v if isinstance(v, list) else [v]))
        delay = raw.get("delay", 0)
        ranges: dict[str, tuple[float, float]] = {}
        if isinstance(delay, str):
            if delay not in DELAY_KINDS:
                raise StageError(f"stage {name}: delay {delay!r} is not one of {', '.join(DELAY_KINDS)}")
            kind = delay
            for mode, r in (raw.get("range") or {}).items():
                ranges[str(mode)] = _range(r, f"stage {name}")
        elif isinstance(delay, dict):
            kind = "fixed"
            for mode, r in delay.items():
                ranges[str(mode)] = _range(r, f"stage {name}")
        else:
            kind = "fixed"
            ranges["fast"] = ranges["realistic"] = _range(delay, f"stage {name}")
        events = tuple(EventSpec(str(e["type"]), str(e["reason"]), str(e["message"]), str(e.get("each", "")))
                       for e in raw.get("events") or [])
        for e in events:
            if e.each not in ("", "containers", "all"):
                raise StageError(f"stage {name}: event `each` is containers or all, got {e.each!r}")
        stages.append(Stage(name, when, kind, ranges, dict(raw.get("set") or {}), events, str(raw.get("count", ""))))
    return StageSet(tuple(stages), timing)


@cache
def default_stages() -> StageSet:
    text = resources.files(__package__).joinpath("stages.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))


# ----- the view of a Pod


def _annotations(pod: Obj) -> dict[str, str]:
    return (pod.get("metadata") or {}).get("annotations") or {}


def behavior(pod: Obj) -> str:
    value = _annotations(pod).get(BEHAVIOR) or "healthy"
    return value if value in BEHAVIORS else "healthy"


def exit_code(pod: Obj) -> int:
    try:
        return int(_annotations(pod).get(EXIT_CODE) or 0)
    except ValueError:
        return 0


def run_seconds(pod: Obj, timing: Timing) -> float:
    try:
        return max(float(_annotations(pod).get(RUN_SECONDS) or timing.run_seconds), 0.0)
    except ValueError:
        return timing.run_seconds


def container_view(statuses: list[Obj] | None) -> str:
    """The app containers' state as stages see it (first container; they move together)."""
    if not statuses:
        return "none"
    state = statuses[0].get("state") or {}
    if "running" in state:
        return "running"
    for kind in ("waiting", "terminated"):
        if kind in state:
            return f"{kind}/{(state[kind] or {}).get('reason', '')}"
    return "none"


def view(pod: Obj) -> dict[str, str]:
    status = pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    return {
        "behavior": behavior(pod),
        "restartPolicy": str((pod.get("spec") or {}).get("restartPolicy") or "Always"),
        "container": container_view(statuses),
        "ready": "true" if statuses and all(s.get("ready") for s in statuses) else "false",
        "exit": "nonzero" if exit_code(pod) else "zero",
    }


# ----- delays


def readiness_initial_delay(pod: Obj) -> float:
    delays = [float(((c.get("readinessProbe") or {}).get("initialDelaySeconds")) or 0)
              for c in (pod.get("spec") or {}).get("containers") or []]
    return max(delays, default=0.0)


def backoff(n: int, timing: Timing) -> float:
    """The n-th back-off (n from 1): base doubling, capped."""
    return float(min(timing.backoff_base * (2 ** max(n - 1, 0)), timing.backoff_max))


def delay(stage: Stage, pod: Obj, mode: str, timing_: Timing, *, rng: random.Random, attempts: int = 0,
          running_for: float = 0.0) -> float:
    """Seconds to wait in the current state before `stage` applies (`attempts`: image pulls so
    far; `running_for`: seconds since the container started)."""
    lo, hi = stage.ranges.get(mode) or stage.ranges.get("fast") or (0.0, 0.0)
    jitter = lo if hi <= lo else rng.uniform(lo, hi)
    if stage.delay_kind == "readiness":
        return jitter + readiness_initial_delay(pod) * timing_.probe_scale
    if stage.delay_kind == "backoff":
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        n = attempts if stage.count == "pulls" else max((int(s.get("restartCount") or 0) for s in statuses), default=0)
        return backoff(max(n, 1), timing_)
    if stage.delay_kind == "run":
        return max(run_seconds(pod, timing_) - running_for, 0.0)
    return jitter

