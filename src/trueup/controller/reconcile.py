"""One reconcile of one Application: parse → (manual operation) → render → diff → auto-sync or
self-heal → health → status. Called by a worker; the queue guarantees one reconcile per app at
a time, so the per-app state here needs no locks.

Rules (Argo CD's, with trueup's safety on errors):
- An Application that does not parse gets an `InvalidSpecError` condition naming the field; nothing
  is rendered or synced.
- A render, fetch or comparison error gets a `ComparisonError` condition with the message and sync
  status Unknown; nothing is synced or pruned.
- Auto-sync (`spec.syncPolicy.automated`) runs when the app is OutOfSync and its target revision has
  not been synced successfully yet; prune only with `automated.prune`. Failures are retried per
  `syncPolicy.retry`, then given up on (a `SyncError` condition) until a new revision arrives.
- A revision already synced that drifts is healed only with `selfHeal`; each heal is recorded in
  `status.driftHistory` with the changed fields and their managers. Without selfHeal, drift is
  reported as a `DriftDetected` condition naming the fields and the manager.
- A field another manager keeps changing is healed with exponential backoff, reported as a
  `SelfHealBackoff` condition naming that manager (see `backoff.Fighters`).
- An Application being deleted is neither rendered nor synced: with a resources finalizer its
  tracked objects are deleted (see `cascade`), without one nothing is done.
- An app with dependencies (`spec.dependsOn`, annotation `trueup.dev/depends-on`) is compared but
  not synced (no auto-sync, self-heal or manual operation; a requested operation stays pending)
  while one of them is not Synced and Healthy: a `DependencyNotReady` condition names each with
  the reason. A dependency cycle through the app is a `DependencyCycle` condition naming the
  path, and nothing syncs until the cycle is broken. See `depends`.
- An operation left `Running` by a stopped controller is marked Failed at once, then resumed if
  it would run again anyway (see `operate`).
- An app whose name another reconciled Application created earlier holds (`clash`, see `names`) is
  not rendered, synced or pruned: an `InvalidSpecError` condition and a `NameClash` Event name the
  other app; deleting it removes its resources finalizer without deleting anything (what it would
  track is the other app's).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..app import AppError, Application, parse_application
from ..diff import ResourceDiff
from ..engine import AppHealth, Desired, Engine
from ..kube import ApiError, Client, Res
from ..metrics import AppInfo, Metrics
from ..model import ResourceKey
from . import names
from . import status as st
from .backoff import Fighters, FightKey, SyncRetries
from .cascade import cascade_finalizer, finalize, release, terminating
from .depends import Lookup, find_cycle, not_ready
from .events import EventRecorder
from .operate import (
    APPLICATIONS,
    FIELD_MANAGER,
    REFRESH_ANNOTATION,
    interrupted,
    manual_request,
    patch_status,
    resumes,
    run_manual,
    run_sync,
)

Obj = dict[str, Any]
WatchKinds = Callable[[str, set[Res]], None]
Compare = Callable[..., Awaitable[list[ResourceDiff]]]  # (app, desired, *, fresh) → diffs, e.g. Comparisons.diff


@dataclass
class Reconciler:
    client: Client
    engine: Engine
    namespace: str
    watch_kinds: WatchKinds = lambda app, kinds: None
    wave_timeout: float = 300.0
    apps: Res = APPLICATIONS  # the Application resource this reconciler reads (trueup's or Argo CD's)
    lookup: Lookup | None = None  # (namespace, name) -> Application, for dependencies (default: a GET)
    dependency_recheck: float = 5.0  # requeue while waiting on apps whose changes this controller does not watch
    retries: SyncRetries = field(default_factory=SyncRetries)
    fighters: Fighters = field(default_factory=Fighters)
    metrics: Metrics = field(default_factory=Metrics)
    compare: Compare | None = None  # the comparison cache; None: engine.diff every time
    clash: Callable[[Obj], Awaitable[Obj | None]] | None = None  # the app holding this app's name, if another
    # drifted objects already counted in trueup_drift_events_total, per app (cleared when healed/in sync)
    _drifting: dict[str, set[str]] = field(default_factory=dict)
    # per reconcile (one at a time per app): the Application read, and the drift event's time
    _docs: dict[str, Obj] = field(default_factory=dict)
    _drift_at: dict[str, float] = field(default_factory=dict)
    # the last render per app, by spec (Argo CD's CRD bumps generation on status writes too): a
    # managed-object event re-diffs without a Git fetch
    _desired: dict[str, tuple[str, Desired]] = field(default_factory=dict)
    # what the next sync of an app resumes (an operation interrupted by a stopped controller)
    _resume: dict[str, str] = field(default_factory=dict)
    # apps whose requested refresh (annotation) this reconcile processes, removed once written
    _refresh_pending: dict[str, bool] = field(default_factory=dict)
    # core/v1 Events on the Application (background writes, never failing a reconcile)
    events: EventRecorder = field(init=False)

    def __post_init__(self) -> None:
        self.events = EventRecorder(self.client)

    def forget(self, name: str) -> None:
        self.retries.forget(name)
        self.fighters.forget(name)
        self._desired.pop(name, None)
        self._drifting.pop(name, None)
        self._docs.pop(name, None)
        self._drift_at.pop(name, None)
        self._resume.pop(name, None)
        self._refresh_pending.pop(name, None)

    async def _get_app(self, namespace: str, name: str) -> Obj | None:
        if self.lookup is not None:
            return await self.lookup(namespace, name)
        return await self.client.get(self.apps, namespace, name)

    async def _blocked(self, app: Application) -> tuple[list[Obj], float | None]:
        """Conditions that hold this app's syncs back (dependencies), and when to look again if no
        Application event will say so."""
        if not app.depends_on:
            return [], None
        cycle = await find_cycle(self.namespace, app.name, self._get_app)
        if cycle is not None:
            return [st.condition("DependencyCycle", f"dependsOn cycle: {' -> '.join(cycle)}; nothing syncs "
                                                    "until it is broken")], None
        waiting = await not_ready(self.namespace, app.depends_on, self._get_app)
        if not waiting:
            return [], None
        recheck = any(not w.startswith(f"{self.namespace}/") for w in waiting)
        return ([st.condition("DependencyNotReady", f"sync waits for {', '.join(waiting)}")],
                self.dependency_recheck if recheck else None)

    async def reconcile(self, name: str, *, refresh: bool = True, drift_at: float | None = None,
                        refresh_request: str | None = None) -> float | None:
        """Reconcile app `name`; returns a delay to reconcile again sooner than the poll, or None.

        `drift_at`: loop time of the managed-object event that queued this reconcile, if one did
        (a self-heal it leads to is observed as heal latency from then). `refresh_request`: the
        `argocd.argoproj.io/refresh` annotation as it was before this reconcile's Git fetch ("" if
        unset; None: as the Application read here says). A requested refresh is removed once the
        comparison is written, as Argo CD does (one patch), so setting it again triggers again;
        one set after the fetch stays for the reconcile its event queued."""
        if drift_at is not None:
            self._drift_at[name] = drift_at
        else:
            self._drift_at.pop(name, None)
        doc = await self.client.get(self.apps, self.namespace, name)
        if doc is None:
            self.forget(name)
            return None
        holder = await self.clash(doc) if self.clash is not None else None
        if holder is not None:
            return await self._name_taken(name, doc, holder)
        if terminating(doc):  # cascade from the live tracking annotations only: no render, no sync
            return await finalize(self.client, self.engine.discovery, self.namespace, doc)
        self._docs[name] = {k: v for k, v in doc.items() if k != "status"}  # events and metrics read the rest
        annotated = REFRESH_ANNOTATION in ((doc.get("metadata") or {}).get("annotations") or {})
        self._refresh_pending[name] = annotated and refresh_request != ""
        status: Obj = dict(doc.get("status") or {})
        old_conditions = status.get("conditions")
        try:
            app: Application | None = parse_application(doc, source=f"Application {self.namespace}/{name}")
            error = ""
        except AppError as exc:
            app, error = None, str(exc)
        automated = app is not None and app.sync_policy.automated
        stale = interrupted(status, resumes(doc, status, automated))
        if stale is not None:
            status["operationState"] = stale
            await patch_status(self.client, self.namespace, name, {"operationState": stale}, self.apps)
            self.events.record(doc, "Warning", "OperationInterrupted", str(stale["message"]))
            rev = str(((stale.get("operation") or {}).get("sync") or {}).get("revision") or "")
            of = f" of {rev[:12]}" if rev else ""
            self._resume[name] = f"resumes the operation{of} started {stale.get('startedAt') or ''} that was " \
                                 "interrupted when the controller stopped"
        if app is None:
            await self._write(name, old_conditions, {"sync": {"status": "Unknown"}, "health": {"status": "Unknown"}},
                              [st.condition("InvalidSpecError", error)])
            return None
        conditions = st.unsupported_conditions(app.unsupported)
        blocked, blocked_delay = await self._blocked(app)
        wrote = manual_request(doc) is not None and not blocked  # then the watch cache may lag: read the API
        if wrote:
            outcome = await run_manual(self.client, self.engine, doc, app, status, wave_timeout=self.wave_timeout,
                                       note=self._resume.pop(name, ""))
            if outcome is not None:
                self._record_sync(name, status)
            refresh = True
        generation = json.dumps(doc.get("spec"), sort_keys=True)
        try:
            cached = self._desired.get(name)
            if refresh and cached is not None and cached[0] == generation and await self._same_commit(app, cached[1]):
                refresh = False  # the target revision still resolves to the rendered commit: no new render
            if refresh or cached is None or cached[0] != generation:
                desired = await self.engine.render(app)
                # kept for re-diffs without the render result's second copy of the manifests and without
                # the Application's status (memory: ~40 % of the controller's at 1,000 apps)
                lean = replace(desired.app, raw={k: v for k, v in desired.app.raw.items() if k != "status"})
                self._desired[name] = (generation, replace(desired, app=lean,
                                                           rendered=replace(desired.rendered, manifests=())))
            else:
                desired = cached[1]
            diffs = await (self.compare or self.engine.diff)(app, desired, fresh=wrote)
            self.watch_kinds(name, await self._kinds(desired))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # nothing is synced or pruned after a failed comparison
            self._desired.pop(name, None)
            msg = f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)
            await self._write(name, old_conditions, {"sync": {"status": "Unknown"}},
                              [*conditions, st.condition("ComparisonError", msg)])
            return None
        compared = diffs
        if blocked:  # compared and reported, never synced
            conditions += blocked
            delay: float | None = blocked_delay
        else:
            delay, diffs = await self._auto(app, desired, diffs, status, conditions)
        health = await self.engine.health(app, desired, fresh=wrote or diffs is not compared)
        note = self._resume.pop(name, None) if not blocked and all(d.in_sync for d in diffs) else None
        if note is not None and "operationState" in status:  # nothing left to redo: say so
            status["operationState"] = {**status["operationState"], "message": status["operationState"]["message"]
                                        + "; after the restart every resource was found in sync: nothing left to apply"}
        await self._write(name, old_conditions, {
            **self._comparison(app, desired, diffs, health),
            **{k: status[k] for k in ("operationState", "history", "driftHistory") if k in status},
        }, conditions)
        return delay

    async def _name_taken(self, name: str, doc: Obj, holder: Obj) -> float | None:
        """Another reconciled app holds this name: touch nothing it tracks; say so once (condition, Event)."""
        self.forget(name)
        message = names.clash_message(doc, holder)
        if terminating(doc):
            finalizer = cascade_finalizer(doc)
            if finalizer is not None:
                self.events.record(doc, "Warning", names.REASON, f"deleted without cascade: {message}")
                return await release(self.client, self.apps, self.namespace, name, finalizer)
            return None
        annotations = (doc.get("metadata") or {}).get("annotations") or {}
        old = (doc.get("status") or {}).get("conditions")
        if not any(c.get("type") == names.CONDITION and c.get("message") == message for c in old or []):
            now = st.now_iso()
            await patch_status(self.client, self.namespace, name, {
                "sync": {"status": "Unknown"}, "health": {"status": "Unknown"},
                "conditions": st.merge_conditions(old, [st.condition(names.CONDITION, message)], now),
                "reconciledAt": now}, self.apps)
            self.events.record(doc, "Warning", names.REASON, message)
        if REFRESH_ANNOTATION in annotations:  # the refresh asked for was processed (so `app refresh --wait` ends)
            self._refresh_pending[name] = True
            await self._refreshed(name)
        return None

    @staticmethod
    def _comparison(app: Application, desired: Desired, diffs: list[ResourceDiff], health: AppHealth) -> Obj:
        """The comparison result: status.sync, .health and .resources."""
        by_key = {k: (s, m) for k, s, m in health.resources}
        return {
            "sync": {"status": "Synced" if all(d.in_sync for d in diffs) else "OutOfSync",
                     "revision": desired.revision.commit_sha,
                     # several sources (Argo CD's multi-source): one revision each, in spec.sources order
                     **({"revisions": [r.commit_sha for r in desired.revisions]} if len(app.sources) > 1 else {}),
                     "comparedTo": {**({"sources": app.sources} if len(app.sources) > 1 else {"source": app.source}),
                                    "destination": app.raw["spec"].get("destination")}},
            "health": {"status": str(health.status)},
            "resources": st.resources(diffs, by_key),
        }

    async def _refreshed(self, name: str) -> None:
        """The requested refresh was processed (its comparison written): remove the annotation."""
        if self._refresh_pending.pop(name, False):
            try:
                await self.client.patch(self.apps, self.namespace, name,
                                        {"metadata": {"annotations": {REFRESH_ANNOTATION: None}}},
                                        field_manager=FIELD_MANAGER)
            except ApiError as exc:
                if not exc.not_found:
                    raise

    async def _same_commit(self, app: Application, desired: Desired) -> bool:
        """One Git source whose target revision still resolves to the commit `desired` was rendered from."""
        if len(app.sources) != 1 or app.source.get("chart"):
            return False
        url = str(app.source["repoURL"])
        creds = await self.engine.credentials.lookup(url)
        resolved = await self.engine.repos.resolve(url, str(app.source.get("targetRevision") or "HEAD"),
                                                   credentials=creds)
        return resolved.commit_sha == desired.revision.commit_sha

    async def _kinds(self, desired: Desired) -> set[Res]:
        kinds: set[Res] = set()
        for m in desired.manifests:
            try:
                kinds.add((await self.engine.discovery.resolve(str(m.obj.get("apiVersion", "")), m.key.kind)).res)
            except Exception:  # a kind the sync has not created yet (a CRD's): watched after it exists
                continue
        return kinds

    async def _write(self, name: str, old_conditions: list[Obj] | None, status: Obj, conditions: list[Obj]) -> None:
        now = st.now_iso()
        await patch_status(self.client, self.namespace, name, {
            **status, "conditions": st.merge_conditions(old_conditions, conditions, now), "reconciledAt": now},
            self.apps)
        await self._refreshed(name)
        spec = (self._docs.get(name) or {}).get("spec") or {}
        source = spec.get("source") or next(iter(spec.get("sources") or []), None) or {}
        self.metrics.set_app_info(AppInfo(
            name=name, namespace=self.namespace, project=str(spec.get("project") or "default"),
            sync_status=str((status.get("sync") or {}).get("status") or "Unknown"),
            health_status=str((status.get("health") or {}).get("status") or "Unknown"),
            repo=str(source.get("repoURL") or "") if isinstance(source, dict) else "",
            dest_namespace=str((spec.get("destination") or {}).get("namespace") or "")))

    def _record_sync(self, name: str, status: Obj) -> None:
        phase = (status.get("operationState") or {}).get("phase")
        if isinstance(phase, str) and phase != "Running":
            self.metrics.record_sync(name, phase)
            self.events.operation(self._docs.get(name) or {}, status.get("operationState") or {})

    def _record_drift(self, name: str, drifted: list[ResourceDiff]) -> None:
        """Count each object that newly drifted (an object still drifted is not counted again)."""
        seen = self._drifting.setdefault(name, set())
        now = {str(d.key) for d in drifted}
        for d in drifted:
            if str(d.key) not in seen:
                self.metrics.record_drift(name, d.key.kind)
                self.events.drifted(self._docs.get(name) or {}, d)
        seen.intersection_update(now)
        seen.update(now)

    async def _sync(self, app: Application, desired: Desired, diffs: list[ResourceDiff], status: Obj,
                    initiator: str, conditions: list[Obj],
                    only: frozenset[ResourceKey] | None = None) -> tuple[bool, float | None]:
        policy = app.sync_policy
        op = {"sync": {"revision": desired.revision.commit_sha, "prune": policy.prune},
              "initiatedBy": {"automated": True}}
        # the comparison that leads to this sync is written with its Running state, before it runs
        at = st.now_iso()
        old = status.get("conditions")  # the conditions as last written (this reconcile has not written yet)
        compared = {**self._comparison(app, desired, diffs, await self.engine.health(app, desired)),
                    "conditions": st.merge_conditions(old, conditions, at), "reconciledAt": at}
        outcome = await run_sync(self.client, self.engine, app, desired, status, prune=policy.prune,
                                 initiator=initiator, operation=op, wave_timeout=self.wave_timeout,
                                 note=self._resume.pop(app.name, ""), compared=compared,
                                 on_started=lambda: self._refreshed(app.name), only=only)
        self._record_sync(app.name, status)
        if outcome.result.ok:
            self.retries.succeeded(app.name)
            return True, None
        now = asyncio.get_running_loop().time()
        delay = self.retries.failed(app.name, outcome.revision, policy.retry, now)
        conditions.append(st.condition("SyncError", f"auto-sync of {outcome.revision[:12]} failed "
                                                    f"({self.retries.failures(app.name, outcome.revision)}x): "
                                                    f"{outcome.result.message}"))
        return False, delay

    async def _auto(self, app: Application, desired: Desired, diffs: list[ResourceDiff], status: Obj,
                    conditions: list[Obj]) -> tuple[float | None, list[ResourceDiff]]:
        """Auto-sync or self-heal if the policy says so; returns (requeue delay, current diffs)."""
        drifted = [d for d in diffs if not d.in_sync]
        if not drifted:
            self._drifting.pop(app.name, None)
            return None, diffs
        revision = desired.revision.commit_sha
        last = status.get("operationState") or {}
        deployed = (last.get("syncResult") or {}).get("revision") == revision and last.get("phase") == "Succeeded"
        if deployed:
            self._record_drift(app.name, drifted)
        policy = app.sync_policy
        if not policy.automated:
            if deployed:
                conditions += [st.condition("DriftDetected", st.describe_drift(d)) for d in drifted]
            return None, diffs
        loop = asyncio.get_running_loop()
        if not deployed:  # a new revision (or a failed one): auto-sync, within the retry policy
            if self.retries.exhausted(app.name, revision, policy.retry):
                n = self.retries.failures(app.name, revision)
                conditions.append(st.condition("SyncError", f"auto-sync of {revision[:12]} failed {n} times; not "
                                                            "retried until a new commit or a manual sync"))
                return None, diffs
            wait = self.retries.wait(app.name, revision, loop.time())
            if wait > 0:
                conditions.append(st.condition("SyncError", f"auto-sync of {revision[:12]} failed; retrying in "
                                                            f"{wait:.0f}s"))
                return wait, diffs
            ok, delay = await self._sync(app, desired, diffs, status, "automated", conditions)
            return delay, await self._rediff(app, desired, diffs)
        if not policy.self_heal:
            conditions += [st.condition("DriftDetected", st.describe_drift(d)) for d in drifted]
            return None, diffs
        fights: list[FightKey] = [(str(d.key), c.path, c.changed_by.manager) for d in drifted for c in d.changes
                                  if c.changed_by is not None and c.changed_by.manager != FIELD_MANAGER]
        wait, worst = self.fighters.wait(app.name, fights, loop.time())
        if wait > 0 and worst is not None:
            heals = self.fighters.heals(app.name, worst)
            self.events.backoff(self._docs.get(app.name) or {}, worst[0], worst[1], worst[2])
            conditions.append(st.condition("SelfHealBackoff", f"{worst[1]} of {worst[0]} keeps being changed by "
                                                              f"{worst[2]} (healed {heals}x): next self-heal in "
                                                              f"{wait:.0f}s"))
            conditions += [st.condition("DriftDetected", st.describe_drift(d)) for d in drifted]
            return wait, diffs
        entries = st.drift_entries(drifted, "healed", st.now_iso())
        ok, delay = await self._sync(app, desired, diffs, status, "automated (selfHeal)", conditions,
                                     only=frozenset(d.key for d in drifted))  # re-apply only what drifted
        if ok:
            self.fighters.healed(app.name, fights, loop.time())
            self.events.healed(self._docs.get(app.name) or {}, drifted, revision)
            status["driftHistory"] = st.add_drift(status.get("driftHistory"), entries)
            self._drifting.pop(app.name, None)
            drift_at = self._drift_at.pop(app.name, None)
            if drift_at is not None:
                self.metrics.observe_heal_latency(loop.time() - drift_at)
        return delay, await self._rediff(app, desired, diffs)

    async def _rediff(self, app: Application, desired: Desired, before: list[ResourceDiff]) -> list[ResourceDiff]:
        try:
            return await self.engine.diff(app, desired, fresh=True)
        except asyncio.CancelledError:
            raise
        except Exception:
            return before


__all__ = ["Reconciler"]
