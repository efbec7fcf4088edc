"""Running one sync operation and recording it: `operationState` (Running, then Succeeded /
Failed / Error) and, on success, a `history[]` entry. Also the manual operation: the
`operation: {sync: {revision?, prune?}}` field the CLI sets, executed once and then cleared,
as Argo CD does.

Crash recovery: an operation found `Running` in status when no worker runs it (the controller
stopped or was killed mid-sync) is at once marked Failed with a message naming the interruption,
so it is never left looking in progress. When the operation will run again anyway it is resumed:
a manual `operation` is still set (it is cleared only after it ran), and an automated sync of an
app whose auto-sync is still on is redone by the reconcile (its revision was never recorded as
synced). Server-side apply makes the re-run idempotent (the waves already applied are unchanged,
the rest are applied), and the resumed operation's messages say what it resumes. Only a finished,
successful operation adds a `history[]` entry, so an interrupted one never leaves a bogus one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..app import Application, parse_application, pin_revision
from ..engine import Desired, Engine
from ..kube import Client, Res
from ..model import ResourceKey
from ..sync import SyncResult
from . import status as st

Obj = dict[str, Any]

APPLICATIONS = Res("trueup.dev", "v1alpha1", "applications", "Application")
ARGO_APPLICATIONS = Res("argoproj.io", "v1alpha1", "applications", "Application")
FIELD_MANAGER = "trueup"


def applications_res(api_version: str) -> Res:
    """Where an Application of this apiVersion lives: Argo CD's group or trueup's own."""
    return ARGO_APPLICATIONS if api_version == ARGO_APPLICATIONS.api_version else APPLICATIONS


@dataclass
class Outcome:
    """What one sync did, for the reconcile that ran it."""

    result: SyncResult
    revision: str


async def patch_status(client: Client, namespace: str, name: str, status: Obj, res: Res = APPLICATIONS) -> None:
    """Merge `status` into the Application's: through the status subresource of trueup's CRD, on the
    object itself for Argo CD's (its CRD has no status subresource, as Argo CD's controller writes)."""
    await client.patch(res, namespace, name, {"status": status}, field_manager=FIELD_MANAGER,
                       subresource="" if res == ARGO_APPLICATIONS else "status")


async def clear_operation(client: Client, namespace: str, name: str, res: Res = APPLICATIONS) -> None:
    await client.patch(res, namespace, name, {"operation": None}, field_manager=FIELD_MANAGER)


def interrupted(status: Obj, resumes: bool = False) -> Obj | None:
    """The operationState to write when a previous run stopped mid-operation, else None."""
    op = status.get("operationState") or {}
    if op.get("phase") != "Running":
        return None
    what = "it is run again" if resumes else "it did not finish and is not retried"
    return {**op, "phase": "Failed", "finishedAt": st.now_iso(),
            "message": f"interrupted: the controller stopped during this operation (started "
                       f"{op.get('startedAt') or 'at an unknown time'}); {what}"}


def resumes(doc: Obj, status: Obj, automated: bool) -> bool:
    """Whether the operation left Running in `status` will run again: a manual one still requested,
    or an automated one while auto-sync is on."""
    op = (status.get("operationState") or {}).get("operation") or {}
    if manual_request(doc) is not None:
        return True
    return automated and bool((op.get("initiatedBy") or {}).get("automated"))


async def run_sync(client: Client, engine: Engine, app: Application, desired: Desired, status: Obj, *,
                   prune: bool, initiator: str, operation: Obj, wave_timeout: float, note: str = "",
                   only: frozenset[ResourceKey] | None = None) -> Outcome:
    """Sync, writing operationState before (Running) and after; `status` is updated in place.
    `note` (e.g. what this operation resumes) is appended to both messages; `only`: apply just these
    objects (self-heal of the drifted ones)."""
    res = applications_res(app.api_version)
    started = st.now_iso()
    revision = desired.revision.commit_sha
    suffix = f" ({note})" if note else ""
    status["operationState"] = st.operation_state(operation, "Running", f"syncing revision {revision[:12]}{suffix}",
                                                  started, "")
    await patch_status(client, app.namespace, app.name, {"operationState": status["operationState"]}, res)
    try:
        result = await engine.sync(app, desired, prune=prune, wave_timeout=wave_timeout, only=only)
    except Exception as exc:  # an API error mid-sync: recorded, never raised past the operation
        result = SyncResult("Error", f"{type(exc).__name__}: {exc}")
    finished = st.now_iso()
    phase = result.phase if result.phase in ("Succeeded", "Failed") else "Error"
    status["operationState"] = st.operation_state(operation, phase, (result.message or phase.lower()) + suffix,
                                                  started, finished, result, revision)
    update: Obj = {"operationState": status["operationState"]}
    if result.ok:
        status["history"] = update["history"] = st.add_history(status.get("history"), revision, started, finished,
                                                               initiator, app.source)
    await patch_status(client, app.namespace, app.name, update, res)
    return Outcome(result, revision)


def manual_request(doc: Obj) -> Obj | None:
    """The `operation.sync` the CLI set, or None."""
    op = doc.get("operation")
    if isinstance(op, dict) and isinstance(op.get("sync"), dict):
        return op
    return None


async def run_manual(client: Client, engine: Engine, doc: Obj, app: Application, status: Obj, *,
                     wave_timeout: float, note: str = "") -> Outcome | None:
    """Execute `operation.sync` once (at its revision, pruning if it says so), then clear it."""
    op = manual_request(doc)
    assert op is not None
    sync = op["sync"]
    target = app
    if sync.get("revision"):
        target = parse_application(pin_revision(doc, str(sync["revision"])))
    initiated = op.get("initiatedBy") or {}
    initiator = str(initiated.get("username") or "manual") if isinstance(initiated, dict) else "manual"
    res = applications_res(app.api_version)
    outcome = None
    try:
        desired = await engine.render(target)
    except Exception as exc:
        now = st.now_iso()
        status["operationState"] = st.operation_state(op, "Error", f"ComparisonError: {exc}", now, now)
        await patch_status(client, app.namespace, app.name, {"operationState": status["operationState"]}, res)
    else:
        outcome = await run_sync(client, engine, target, desired, status, prune=bool(sync.get("prune")),
                                 initiator=initiator, operation=op, wave_timeout=wave_timeout, note=note)
    await clear_operation(client, app.namespace, app.name, res)
    return outcome
