"""Running one sync operation and recording it: `operationState` (Running when it starts, its
message updated once per wave, then Succeeded / Failed / Error) and, on success, a `history[]`
entry. Also the manual operation: the
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

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..app import Application, parse_application, pin_revision
from ..engine import Desired, Engine
from ..kube import ApiError, Client, Res
from ..model import ResourceKey
from ..sync import PHASES, PlanError, ResourceResult, SyncResult, hook_of, sync_view, wave_of
from . import status as st

Obj = dict[str, Any]
log = logging.getLogger("trueup.controller")

REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"  # set by `trueup app refresh` (normal | hard)
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
                   compared: Obj | None = None, on_started: Callable[[], Awaitable[None]] | None = None,
                   only: frozenset[ResourceKey] | None = None) -> Outcome:
    """Sync, writing operationState when it starts (Running, with `compared`: the comparison result
    that led to it, in the same write), once per wave as the waves progress, and when it ends;
    `status` is updated in place. `note` (e.g. what this operation resumes) is appended to the
    start and end messages. `on_started` is awaited once the Running state is written. `only`:
    apply just these objects (self-heal of the drifted ones)."""
    res = applications_res(app.api_version)
    started = st.now_iso()
    revision = desired.revision.commit_sha
    suffix = f" ({note})" if note else ""
    steps = sync_steps(desired)
    plan = st.steps_of(steps)
    running = st.operation_state(operation, "Running", f"syncing revision {revision[:12]}"
                                 + (f": {plan}" if plan else "") + suffix, started, "")
    status["operationState"] = {**running, "syncResult": {"revision": revision}}
    await patch_status(client, app.namespace, app.name, {**(compared or {}),
                                                         "operationState": status["operationState"]}, res)
    if on_started is not None:
        await on_started()

    async def progress(message: str) -> None:
        status["operationState"] = {**status["operationState"], "message": message}
        await patch_status(client, app.namespace, app.name, {"operationState": {"message": message}}, res)

    reporter = WaveReporter(progress, revision, steps)
    writer = asyncio.create_task(reporter.run(), name=f"trueup-progress-{app.name}")
    try:
        result = await engine.sync(app, desired, prune=prune, wave_timeout=wave_timeout, progress=reporter,
                                   only=only)
    except Exception as exc:  # an API error mid-sync: recorded, never raised past the operation
        result = SyncResult("Error", f"{type(exc).__name__}: {exc}")
    finally:
        await reporter.close(writer)  # its last write lands before the final one
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


def sync_steps(desired: Desired) -> list[tuple[str, int]]:
    """(phase, wave) of every step the sync of `desired` goes through (prunes aside), in order."""
    steps: set[tuple[str, int]] = set()
    for m in desired.manifests:
        view = sync_view(m)
        try:
            phases = hook_of(view)[0] or ("Sync",)
            wave = wave_of(view)
        except PlanError:  # the sync reports it
            continue
        steps.update((p, wave) for p in phases if p in PHASES[:3])
    return sorted(steps, key=lambda s: (PHASES.index(s[0]), s[1]))


class WaveReporter:
    """The sync's progress callback: per-object results in, one operationState message per wave out.
    A wave's results arrive together once its objects are applied (before its health wait), so
    the writer task writes once per wave, never once per object; writes that pile up coalesce."""

    def __init__(self, write: Callable[[str], Awaitable[None]], revision: str, steps: list[tuple[str, int]]) -> None:
        self._write = write
        self.revision = revision
        self.steps = steps
        self.step: tuple[str, int] | None = None
        self.applied: list[str] = []  # this wave's objects its health wait is for, the changed ones first
        self.changed = 0
        self.failed = False
        self._dirty = asyncio.Event()
        self._closing = False

    def __call__(self, r: ResourceResult) -> None:
        if r.action == "skipped":
            return
        if (r.phase, r.wave) != self.step:
            self.step, self.applied, self.changed, self.failed = (r.phase, r.wave), [], 0, False
        if r.action in ("failed", "hook-failed"):
            self.failed = True
        elif r.settled:  # already healthy, or no health to wait for (a ConfigMap): not named as awaited
            pass
        elif r.action in ("created", "configured"):  # named before the unchanged ones
            self.applied.insert(self.changed, f"{r.key.kind} {r.key.name}")
            self.changed += 1
        elif r.action == "unchanged":
            self.applied.append(f"{r.key.kind} {r.key.name}")
        self._dirty.set()

    def message(self) -> str:
        assert self.step is not None
        later = [s for s in self.steps if (PHASES.index(s[0]), s[1]) > (PHASES.index(self.step[0]), self.step[1])]
        return st.wave_message(self.revision, self.step[0], self.step[1], self.applied, self.failed,
                               st.steps_of(later))

    async def run(self) -> None:
        while True:
            await self._dirty.wait()
            if self._closing:
                return
            self._dirty.clear()
            try:
                await self._write(self.message())
            except ApiError as exc:  # progress is best effort: the final write says how it ended
                log.debug("progress of %s not written: %s", self.revision[:12], exc)

    async def close(self, task: asyncio.Task[None]) -> None:
        self._closing = True
        self._dirty.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task


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
