"""How far the demo's apps are, from their Application objects: one line of progress, and for
an app that is not Synced and Healthy, why (conditions, a failed or running sync, the resources
that are not healthy or not in sync). Pure: it reads dicts as the API returns them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]

_MAX_REASONS = 4


@dataclass(frozen=True)
class AppState:
    name: str
    exists: bool
    sync: str = ""
    health: str = ""
    reasons: tuple[str, ...] = ()
    operation: str = ""  # the phase of the last sync operation (Running while one runs)
    fresh: bool = True  # compared since the demo started (not a status left by an earlier run)

    @property
    def ready(self) -> bool:
        return self.exists and self.fresh and self.sync == "Synced" and self.health == "Healthy"

    def short(self) -> str:
        if not self.exists:
            return f"{self.name} (not created yet)"
        if not self.sync and not self.health:
            label = {"Running": "syncing", "": "(no status yet)"}.get(self.operation, "(comparing)")
            return f"{self.name} {label}"
        suffix = " syncing" if self.operation == "Running" else "" if self.fresh else " (checking again)"
        return f"{self.name} {self.sync or 'Unknown'}/{self.health or 'Unknown'}{suffix}"

    def why(self) -> str:
        if not self.exists:
            return "not created yet (the root app creates it in its sync wave)"
        head = [f"{self.sync or 'Unknown'}/{self.health or 'Unknown'}"] if self.sync or self.health else []
        return "; ".join([*head, *self.reasons]) or "no status yet"


def expected_apps(root: str, children: Sequence[str], docs: Iterable[Obj]) -> list[str]:
    """The root, its children from Git, and any other Application the root's status tracks."""
    names = [root, *children]
    for doc in docs:
        if (doc.get("metadata") or {}).get("name") == root:
            for r in (doc.get("status") or {}).get("resources") or []:
                if r.get("kind") == "Application" and r.get("name") and r["name"] not in names:
                    names.append(str(r["name"]))
    return names


def app_states(names: Sequence[str], docs: Iterable[Obj], since: str = "") -> list[AppState]:
    """`since`: an RFC 3339 UTC time (second precision, as status.reconciledAt); an app whose last
    comparison is older is not counted as ready."""
    by_name = {str((d.get("metadata") or {}).get("name", "")): d for d in docs}
    return [state_of(name, by_name.get(name), since) for name in names]


def state_of(name: str, doc: Obj | None, since: str = "") -> AppState:
    if doc is None:
        return AppState(name, exists=False)
    status = doc.get("status") or {}
    sync = str((status.get("sync") or {}).get("status") or "")
    health = str((status.get("health") or {}).get("status") or "")
    phase = str((status.get("operationState") or {}).get("phase") or "")
    compared = str(status.get("reconciledAt") or "")
    fresh = not since or compared >= since
    reasons = _reasons(status)
    if compared and not fresh:
        reasons.insert(0, "not compared again since the demo started")
    return AppState(name, True, sync, health, tuple(reasons), phase, fresh)


def _reasons(status: Obj) -> list[str]:
    if not status:
        return ["not reconciled yet"]
    out: list[str] = []
    for c in status.get("conditions") or []:
        out.append(f"{c.get('type')}: {c.get('message')}")
    op = status.get("operationState") or {}
    if op.get("phase") in ("Failed", "Error"):
        out.append(f"last sync {op['phase'].lower()}: {op.get('message', '')}")
    elif op.get("phase") == "Running":
        out.append(str(op.get("message") or "syncing"))
    health_msg = (status.get("health") or {}).get("message")
    if health_msg:
        out.append(str(health_msg))
    for r in [] if _compared_before_running_sync(status) else status.get("resources") or []:
        where = f"{r.get('kind')} {r.get('namespace') + '/' if r.get('namespace') else ''}{r.get('name')}"
        h = r.get("health") or {}
        if h.get("status") not in (None, "", "Healthy"):
            out.append(f"{where} {h['status']}" + (f": {h['message']}" if h.get("message") else ""))
        elif r.get("status") == "OutOfSync":
            out.append(f"{where} OutOfSync")
    if len(out) > _MAX_REASONS:
        out = [*out[:_MAX_REASONS], f"… and {len(out) - _MAX_REASONS} more"]
    return out


def _compared_before_running_sync(status: Obj) -> bool:
    """status.resources comes from the last comparison; while a sync that started after it runs,
    those states are the ones the sync is changing (a child Application it has just created still
    shows Missing), so they are no reason: the running sync's message says what it waits for."""
    op = status.get("operationState") or {}
    compared, started = str(status.get("reconciledAt") or ""), str(op.get("startedAt") or "")
    return op.get("phase") == "Running" and bool(started) and compared <= started


def progress_line(states: Sequence[AppState]) -> str:
    done = sum(s.ready for s in states)
    return f"{done}/{len(states)} Synced+Healthy: " + " · ".join(s.short() for s in states)


def not_ready_report(states: Sequence[AppState]) -> list[str]:
    return [f"  {s.name}: {s.why()}" for s in states if not s.ready]


def event_line(event: Obj) -> str:
    """An Application's Event as one line: `frontend ResourceHealed: self-healed: …`."""
    obj = event.get("involvedObject") or {}
    return f"{obj.get('name', '?')} {event.get('reason', '')}: {event.get('message', '')}"
