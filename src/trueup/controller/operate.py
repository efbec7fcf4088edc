"""Running one sync operation and recording it: `operationState` (Running, then Succeeded /
Failed / Error) and, on success, a `history[]` entry. Also the manual operation: the
`operation: {sync: {revision?, prune?}}` field the CLI sets, executed once and then cleared,
as Argo CD does.

An operation found `Running` in status when no worker runs it (the controller stopped
mid-sync) is marked Failed with a message saying so: never left looking in progress.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ..app import Application, parse_application
from ..engine import Desired, Engine
from ..kube import Client, Res
from ..model import ResourceKey
from ..sync import SyncResult
from . import status as st

Obj = dict[str, Any]

APPLICATIONS = Res("trueup.dev", "v1alpha1", "applications", "Application")
FIELD_MANAGER = "trueup"


@dataclass
class Outcome:
    """What one sync did, for the reconcile that ran it."""

    result: SyncResult
    revision: str


async def patch_status(client: Client, namespace: str, name: str, status: Obj) -> None:
    await client.patch(APPLICATIONS, namespace, name, {"status": status}, field_manager=FIELD_MANAGER,
                       subresource="status")


async def clear_operation(client: Client, namespace: str, name: str) -> None:
    await client.patch(APPLICATIONS, namespace, name, {"operation": None}, field_manager=FIELD_MANAGER)


def interrupted(status: Obj) -> Obj | None:
    """The operationState to write when a previous run stopped mid-operation, else None."""
    op = status.get("operationState") or {}
    if op.get("phase") != "Running":
        return None
    return {**op, "phase": "Failed", "finishedAt": st.now_iso(),
            "message": "the controller stopped during this operation; it did not finish"}


async def run_sync(client: Client, engine: Engine, app: Application, desired: Desired, status: Obj, *,
                   prune: bool, initiator: str, operation: Obj, wave_timeout: float,
                   only: frozenset[ResourceKey] | None = None) -> Outcome:
    """Sync, writing operationState before (Running) and after; `status` is updated in place."""
    started = st.now_iso()
    revision = desired.revision.commit_sha
    status["operationState"] = st.operation_state(operation, "Running", f"syncing revision {revision[:12]}",
                                                  started, "")
    await patch_status(client, app.namespace, app.name, {"operationState": status["operationState"]})
    try:
        result = await engine.sync(app, desired, prune=prune, wave_timeout=wave_timeout, only=only)
    except Exception as exc:  # an API error mid-sync: recorded, never raised past the operation
        result = SyncResult("Error", f"{type(exc).__name__}: {exc}")
    finished = st.now_iso()
    phase = result.phase if result.phase in ("Succeeded", "Failed") else "Error"
    status["operationState"] = st.operation_state(operation, phase, result.message or phase.lower(), started,
                                                  finished, result, revision)
    update: Obj = {"operationState": status["operationState"]}
    if result.ok:
        status["history"] = update["history"] = st.add_history(status.get("history"), revision, started, finished,
                                                               initiator, app.source)
    await patch_status(client, app.namespace, app.name, update)
    return Outcome(result, revision)


def manual_request(doc: Obj) -> Obj | None:
    """The `operation.sync` the CLI set, or None."""
    op = doc.get("operation")
    if isinstance(op, dict) and isinstance(op.get("sync"), dict):
        return op
    return None


async def run_manual(client: Client, engine: Engine, doc: Obj, app: Application, status: Obj, *,
                     wave_timeout: float) -> Outcome | None:
    """Execute `operation.sync` once (at its revision, pruning if it says so), then clear it."""
    op = manual_request(doc)
    assert op is not None
    sync = op["sync"]
    target = app
    if sync.get("revision"):
        pinned = copy.deepcopy(doc)
        pinned["spec"].setdefault("source", app.source)["targetRevision"] = str(sync["revision"])
        pinned["spec"].pop("sources", None)
        target = parse_application(pinned)
    initiated = op.get("initiatedBy") or {}
    initiator = str(initiated.get("username") or "manual") if isinstance(initiated, dict) else "manual"
    outcome = None
    try:
        desired = await engine.render(target)
    except Exception as exc:
        now = st.now_iso()
        status["operationState"] = st.operation_state(op, "Error", f"ComparisonError: {exc}", now, now)
        await patch_status(client, app.namespace, app.name, {"operationState": status["operationState"]})
    else:
        outcome = await run_sync(client, engine, target, desired, status, prune=bool(sync.get("prune")),
                                 initiator=initiator, operation=op, wave_timeout=wave_timeout)
    await clear_operation(client, app.namespace, app.name)
    return outcome
