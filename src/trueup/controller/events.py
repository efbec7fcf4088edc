"""core/v1 Events on the Application, as `kubectl describe application` (or `kubectl get events
--field-selector involvedObject.name=<app>`) shows them.

Reasons: `ResourceDrifted` (Warning: the fields, the manager that changed them, the live and Git
values as the diff shows them, so a Secret's value is only ever a mask), `ResourceHealed`
(Normal: the objects recreated or re-applied), `OperationCompleted` / `OperationFailed` (a sync, with
its revision), `OperationInterrupted` (Warning: an operation a stopped controller left Running, and
whether it is resumed) and `SelfHealBackoff` (Warning: the manager trueup backs off from).

Events are named `<app>.<unix nanoseconds in hex>` like the real recorder, written with field
manager `trueup`, source.component / reportingComponent `trueup-controller`. A repeat of the same
(app, reason, message) bumps `count` and `lastTimestamp` of the Event already written (in memory,
per process). Recording never blocks or fails a reconcile: each write is a background task (writes
for one (app, reason, message) are serialized) and errors are logged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

from ..diff import ResourceDiff
from ..kube import ApiError, Client
from ..kube.resources import EVENTS
from .operate import FIELD_MANAGER

log = logging.getLogger("trueup.controller.events")

Obj = dict[str, Any]
COMPONENT = "trueup-controller"
_MAX_SEEN = 10_000
_MAX_VALUE = 60


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _object(d: ResourceDiff) -> str:
    k = d.key
    return f"{k.kind} {k.namespace}/{k.name}" if k.namespace else f"{k.kind} {k.name}"


def _value(v: Any) -> str:
    if v is None:
        return "absent"
    text = v if isinstance(v, str) else json.dumps(v, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE - 3] + "..."


def drift_message(d: ResourceDiff) -> str:
    """`Deployment shop/web: .spec.replicas changed by "kubectl" (5, Git says 2)`; values are the
    diff's (masked for Secrets and sensitive fields)."""
    if d.status == "Missing":
        return f"{_object(d)} is missing from the cluster"
    if d.status == "Extra":
        return f"{_object(d)} is not in Git (requires pruning)"
    parts = []
    for c in d.changes:
        who = f'"{c.changed_by.manager}"' if c.changed_by is not None else "an unknown manager"
        parts.append(f"{c.path} changed by {who} ({_value(c.before)}, Git says {_value(c.after)})")
    return f"{_object(d)}: {'; '.join(parts) or 'changed'}"


def healed_message(drifted: Iterable[ResourceDiff], revision: str) -> str:
    """`self-healed: recreated Deployment shop/db; re-applied Deployment shop/web (.spec.replicas) at revision X`."""
    drifted = list(drifted)
    recreated = ", ".join(_object(d) for d in drifted if d.status == "Missing")
    objects = ", ".join(f"{_object(d)} ({', '.join(d.changed_paths)})" if d.changed_paths else _object(d)
                        for d in drifted if d.status != "Missing")
    done = "; ".join(part for part in (recreated and f"recreated {recreated}", objects and f"re-applied {objects}")
                     if part)
    return f"self-healed: {done} at revision {revision}"


class EventRecorder:
    def __init__(self, client: Client) -> None:
        self.client = client
        self._seen: dict[tuple[str, str, str, str], tuple[str, int]] = {}  # → (event name, count)
        self._locks: dict[tuple[str, str, str, str], asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def record(self, app: Obj, event_type: str, reason: str, message: str) -> None:
        """Record an Event on the Application `app` (its document as read); returns at once."""
        try:
            task = asyncio.get_running_loop().create_task(self._write(app, event_type, reason, message))
        except Exception as exc:  # no running loop: nothing to record with
            log.warning("event %s not recorded: %s", reason, exc)
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ----- the reasons
    def drifted(self, app: Obj, d: ResourceDiff) -> None:
        self.record(app, "Warning", "ResourceDrifted", drift_message(d))

    def healed(self, app: Obj, drifted: list[ResourceDiff], revision: str) -> None:
        self.record(app, "Normal", "ResourceHealed", healed_message(drifted, revision))

    def operation(self, app: Obj, operation_state: Obj) -> None:
        phase = str(operation_state.get("phase") or "")
        if not phase or phase == "Running":
            return
        revision = str((operation_state.get("syncResult") or {}).get("revision") or
                       ((operation_state.get("operation") or {}).get("sync") or {}).get("revision") or "")
        target = f" to {revision}" if revision else ""
        if phase == "Succeeded":
            self.record(app, "Normal", "OperationCompleted", f"Sync operation{target} succeeded")
        else:
            detail = str(operation_state.get("message") or phase.lower())
            self.record(app, "Warning", "OperationFailed", f"Sync operation{target} failed: {detail}")

    def backoff(self, app: Obj, obj: str, path: str, manager: str) -> None:
        self.record(app, "Warning", "SelfHealBackoff",
                    f'{path} of {obj} keeps being changed by "{manager}": self-heal backs off exponentially')

    async def flush(self) -> None:
        """Wait for the writes in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ----- writing
    async def _write(self, app: Obj, event_type: str, reason: str, message: str) -> None:
        m = app.get("metadata") or {}
        name, namespace, uid = str(m.get("name") or ""), str(m.get("namespace") or "default"), str(m.get("uid") or "")
        key = (namespace, uid or name, reason, message)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                now = _now()
                previous = self._seen.get(key)
                if previous is not None:
                    event_name, count = previous
                    try:
                        await self.client.patch(EVENTS, namespace, event_name,
                                                {"count": count + 1, "lastTimestamp": now},
                                                field_manager=FIELD_MANAGER)
                        self._seen[key] = (event_name, count + 1)
                        return
                    except ApiError as exc:
                        if exc.code != 404:  # gone (expired): a new Event below
                            raise
                event_name = f"{name}.{time.time_ns():x}"
                event: Obj = {
                    "apiVersion": "v1", "kind": "Event",
                    "metadata": {"name": event_name, "namespace": namespace},
                    "involvedObject": {"apiVersion": str(app.get("apiVersion") or "trueup.dev/v1alpha1"),
                                       "kind": str(app.get("kind") or "Application"),
                                       "name": name, "namespace": namespace, "uid": uid,
                                       "resourceVersion": str(m.get("resourceVersion") or "")},
                    "reason": reason, "message": message, "type": event_type,
                    "source": {"component": COMPONENT}, "reportingComponent": COMPONENT,
                    "reportingInstance": COMPONENT,
                    "firstTimestamp": now, "lastTimestamp": now, "count": 1,
                }
                await self.client.create(EVENTS, namespace, event, field_manager=FIELD_MANAGER)
                self._seen[key] = (event_name, 1)
                while len(self._seen) > _MAX_SEEN:
                    old = next(iter(self._seen))
                    self._seen.pop(old)
                    self._locks.pop(old, None)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an API error, a closed client at shutdown: logged, never raised
            log.warning("event %s on Application %s/%s not recorded: %s", reason, namespace, name, exc)
        finally:
            if key not in self._seen and not lock.locked():
                self._locks.pop(key, None)


__all__ = ["COMPONENT", "EventRecorder", "drift_message", "healed_message"]
