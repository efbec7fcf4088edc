"""The Application's `status`, with Argo CD's field names: built here from plain data.  [pure]

    status.sync            {status: Synced|OutOfSync|Unknown, revision}
    status.health          {status}
    status.resources[]     {group, version, kind, namespace, name, status, health: {status, message}}
    status.conditions[]    {type, message, lastTransitionTime}  (time kept while type+message stay)
    status.reconciledAt
    status.operationState  {operation, phase, message, startedAt, finishedAt,
                            syncResult: {revision, resources[]}}
    status.history[]       {id, revision, deployedAt, deployStartedAt, initiator, initiatedBy: {username |
                            automated}, source}  (last 10)
    status.driftHistory[]  {detectedAt, resource, fields, managers, action}  (last 10)

Condition types: InvalidSpecError, ComparisonError, UnsupportedField, SyncError, DriftDetected,
SelfHealBackoff, DependencyNotReady, DependencyCycle, DeletionCascade.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..diff import ResourceDiff
from ..model import ResourceKey
from ..sync import SyncResult

Obj = dict[str, Any]

HISTORY_LIMIT = 10
DRIFT_LIMIT = 10


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def condition(type_: str, message: str) -> Obj:
    return {"type": type_, "message": message}


def merge_conditions(old: list[Obj] | None, new: list[Obj], now: str) -> list[Obj]:
    """New conditions, keeping the lastTransitionTime of one that already stood unchanged."""
    before = {(c.get("type"), c.get("message")): c.get("lastTransitionTime") for c in old or []}
    return [{**c, "lastTransitionTime": before.get((c["type"], c["message"])) or now} for c in new]


def unsupported_conditions(fields: list[str]) -> list[Obj]:
    return [condition("UnsupportedField", f"{f} is not supported by trueup and is ignored") for f in fields]


def _key_fields(key: ResourceKey) -> Obj:
    return {"group": key.group, "kind": key.kind, "namespace": key.namespace, "name": key.name}


def resources(diffs: list[ResourceDiff], health: dict[ResourceKey, tuple[str, str]]) -> list[Obj]:
    out = []
    for d in diffs:
        row: Obj = {**_key_fields(d.key), "status": "Synced" if d.in_sync else "OutOfSync"}
        obj = d.target or d.live or {}
        if obj.get("apiVersion"):
            row["version"] = str(obj["apiVersion"]).rsplit("/", 1)[-1]
        if d.status == "Extra":
            row["requiresPruning"] = True
        h = health.get(d.key)
        if h is not None and h[0]:
            row["health"] = {"status": h[0], **({"message": h[1]} if h[1] else {})}
        out.append(row)
    return out


_RESULT_CODES = {"failed": "SyncFailed", "hook-failed": "SyncFailed", "pruned": "Pruned", "skipped": "PruneSkipped"}


def sync_result(result: SyncResult, revision: str) -> Obj:
    return {"revision": revision, "resources": [
        {**_key_fields(r.key), "status": _RESULT_CODES.get(r.action, "Synced"), "action": r.action,
         "message": r.message, "syncPhase": r.phase} for r in result.resources]}


def operation_state(operation: Obj, phase: str, message: str, started: str, finished: str,
                    result: SyncResult | None = None, revision: str = "") -> Obj:
    out: Obj = {"operation": operation, "phase": phase, "message": message, "startedAt": started,
                "finishedAt": finished}
    if result is not None:
        out["syncResult"] = sync_result(result, revision)
    return out


def add_history(old: list[Obj] | None, revision: str, started: str, finished: str, initiator: str,
                source: Obj) -> list[Obj]:
    """Append one successful deployment; ids grow from 0; the oldest fall off past HISTORY_LIMIT."""
    history = list(old or [])
    next_id = max((int(h.get("id", -1)) for h in history), default=-1) + 1
    initiated_by = {"automated": True} if initiator.startswith("automated") else {"username": initiator}
    history.append({"id": next_id, "revision": revision, "deployedAt": finished, "deployStartedAt": started,
                    "initiator": initiator, "initiatedBy": initiated_by, "source": source})
    return history[-HISTORY_LIMIT:]


def drift_entries(diffs: list[ResourceDiff], action: str, now: str) -> list[Obj]:
    return [{"detectedAt": now, "resource": str(d.key), **_key_fields(d.key), "fields": d.changed_paths,
             "managers": d.managers, "action": action} for d in diffs if not d.in_sync]


def add_drift(old: list[Obj] | None, entries: list[Obj]) -> list[Obj]:
    return [*(old or []), *entries][-DRIFT_LIMIT:]


def describe_drift(d: ResourceDiff) -> str:
    who = ", ".join(d.managers) or "an unknown manager"
    fields = ", ".join(d.changed_paths) or "the whole object"
    if d.status == "Missing":
        return f"{d.key} is missing from the cluster"
    if d.status == "Extra":
        return f"{d.key} is not in Git (requires pruning)"
    return f"{d.key}: {fields} changed by {who}"
