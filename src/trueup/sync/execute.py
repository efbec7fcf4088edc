"""Sync execution: dry-run everything, then apply phase by phase and wave by wave.

    result = await Syncer(client, discovery, app="shop", health=assess).run(plan, options)

1. Resolve every object's resource type (an unknown kind fails the sync before any write,
   unless a CRD in the same sync defines it).
2. Read the live objects to apply (one list per kind and namespace): an object
   whose live state already holds every field Git sets, with trueup's managed field set equal
   to what Git sets now (`diff.apply_is_noop`, exact), cannot change: it is neither dry-run nor
   applied, and reported `unchanged`.
3. Dry-run every other object (server-side apply with `dryRun=All`): one invalid object means no
   write at all. Objects in a namespace the sync itself creates cannot be checked yet and are
   noted as such.
4. PreSync hooks, then each Sync wave (applies, then proven prunes), waiting until the wave's
   objects are healthy before the next; then PostSync hooks. On failure, SyncFail hooks. As in
   Argo CD, the last step is not waited for unless it runs hooks: once its objects are applied
   the sync has succeeded, even if they later degrade (`wait_final` waits for it too).
   Hooks honour their delete policies; `generateName` hooks get a fresh name each run.

Writes are server-side apply with field manager `trueup` and `force` (Git is the source of
truth), or PUT with `Replace=true`. Every applied object carries the tracking annotation that
later proves it may be pruned. The result is data: one entry per resource with an action
(created, configured, unchanged, pruned, skipped, failed) and a message.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..kube import ApiError, Client, Discovery, Res, UnknownKind
from ..model import ResourceKey
from .plan import PHASES, TRACKING_ANNOTATION, Plan, Task, is_hook, tracking_id

Obj = dict[str, Any]
FIELD_MANAGER = "trueup"
# (status, message) or None when the object has no health notion.
HealthFn = Callable[[Obj], tuple[str, str] | None]
Progress = Callable[["ResourceResult"], None]


NOT_APPLIED = "live object already matches Git: not applied"


@dataclass
class ResourceResult:
    key: ResourceKey
    action: str  # created | configured | unchanged | pruned | skipped | failed | hook-succeeded | hook-failed
    message: str = ""
    phase: str = "Sync"
    wave: int = 0
    settled: bool = False  # healthy (or without a health notion) as applied: its wave does not wait for it


@dataclass
class SyncResult:
    phase: str  # Succeeded | Failed
    message: str
    resources: list[ResourceResult] = field(default_factory=list)
    dry_run: bool = False
    unhealthy: str = ""  # with `wait_final`: the last step's objects still not healthy when the wait ended

    @property
    def ok(self) -> bool:
        return self.phase == "Succeeded"

    def count(self, action: str) -> int:
        return sum(1 for r in self.resources if r.action == action)


@dataclass(frozen=True)
class ExecOptions:
    dry_run: bool = False
    create_namespace: bool = False
    namespace: str = ""  # the app's destination namespace (default for namespaced objects)
    namespace_labels: dict[str, str] = field(default_factory=dict)
    namespace_annotations: dict[str, str] = field(default_factory=dict)
    validate: bool = True
    replace: bool = False
    prune_propagation: str = "Foreground"
    wave_timeout: float = 300.0
    concurrency: int = 16
    wait_final: bool = False  # also wait for the last step's health (Argo CD does not)


class SyncError(Exception):
    pass


class Syncer:
    def __init__(self, client: Client, discovery: Discovery, app: str, health: HealthFn | None = None,
                 progress: Progress | None = None) -> None:
        self.client = client
        self.discovery = discovery
        self.app = app
        self.health = health
        self.progress = progress or (lambda r: None)
        self._results: list[ResourceResult] = []
        self._live_rv: dict[ResourceKey, str] = {}
        # Applied objects already Healthy (or without a health notion) in the apply response:
        # the wave's health wait does not GET them again.
        self._settled: set[ResourceKey] = set()
        self._unhealthy = ""  # the last step's objects not yet healthy when its wait timed out
        # Tasks whose apply cannot change the live object (no dry run, no apply): their live object.
        self._noop: dict[Task, Obj] = {}
        # Each task's object as written (built once per run, for the no-op check, dry run and apply).
        self._objects: dict[tuple[Task, Res | None], Obj] = {}

    def _record(self, result: ResourceResult) -> None:
        result.settled = result.key in self._settled
        self._results.append(result)
        self.progress(result)

    # ----- preparation
    def _desired(self, task: Task, opts: ExecOptions, res: Res | None) -> Obj:
        obj = self._objects.get((task, res))
        if obj is None:
            obj = self._objects[(task, res)] = self._build_desired(task, opts, res)
        return obj

    def _build_desired(self, task: Task, opts: ExecOptions, res: Res | None) -> Obj:
        # Only metadata and its annotations change: copy those, share the rest (never mutated;
        # a deep copy of every object, twice per sync, was the client's largest CPU cost).
        obj = dict(task.obj)
        meta = obj["metadata"] = dict(obj.get("metadata") or {})
        if "annotations" in meta:
            meta["annotations"] = dict(meta["annotations"] or {})
        if res is not None and res.namespaced and not meta.get("namespace") and opts.namespace:
            meta["namespace"] = opts.namespace
        if res is not None and not res.namespaced:
            meta.pop("namespace", None)
        key = ResourceKey.of(obj)
        meta.setdefault("annotations", {})[TRACKING_ANNOTATION] = tracking_id(self.app, key)
        return obj

    async def _resolve(self, plan: Plan) -> dict[Task, Res | None]:
        crd_kinds = {
            (f"{(t.obj.get('spec') or {}).get('group', '')}", str(((t.obj.get("spec") or {}).get("names") or {})
                                                                   .get("kind", "")))
            for t in plan.tasks if t.key.kind == "CustomResourceDefinition"
        }
        out: dict[Task, Res | None] = {}
        for task in plan.tasks:
            try:
                out[task] = (await self.discovery.resolve(str(task.obj.get("apiVersion", "")), task.key.kind)).res
            except UnknownKind as exc:
                if (task.key.group, task.key.kind) in crd_kinds:
                    out[task] = None  # defined by a CRD in this sync: resolved after it is applied
                else:
                    where = f"{task.source}: " if task.source else ""
                    raise SyncError(f"{where}{task.key}: {exc}") from None
        return out

    async def _dry_run(self, plan: Plan, types: dict[Task, Res | None], opts: ExecOptions) -> list[str]:
        errors: list[str] = []
        sem = asyncio.Semaphore(opts.concurrency)
        new_namespaces = {t.key.name for t in plan.tasks if t.key.group == "" and t.key.kind == "Namespace"
                          and t.action == "apply"} | ({opts.namespace} if opts.create_namespace else set())

        async def check(task: Task) -> None:
            res = types.get(task)
            if res is None or task.action == "prune" or task in self._noop:
                return
            obj = self._desired(task, opts, res)
            meta = obj["metadata"]
            if not meta.get("name"):
                return  # generateName hooks cannot be dry-run by name
            async with sem:
                try:
                    predicted, created = await self.client.apply(
                        res, meta.get("namespace"), meta["name"], obj, field_manager=FIELD_MANAGER, dry_run=True,
                        field_validation="Strict" if opts.validate else "Ignore", created_body=False)
                    # The live resourceVersion (a dry run never moves it): tells "unchanged" from
                    # "configured" after the real apply without another GET.
                    if not created:
                        self._live_rv[task.key] = str((predicted.get("metadata") or {}).get("resourceVersion", ""))
                except ApiError as exc:
                    message = exc.message or str(exc)
                    if exc.not_found and "namespaces" in exc.message:
                        message = await self._dry_run_elsewhere(res, obj, new_namespaces, opts)
                    if message:
                        where = f"{task.source}: " if task.source else ""
                        errors.append(f"{where}{task.key}: {message}")

        await asyncio.gather(*(check(t) for t in plan.tasks))
        return sorted(errors)

    async def _unchanged(self, plan: Plan, types: dict[Task, Res | None], opts: ExecOptions) -> dict[Task, Obj]:
        """The apply tasks whose server-side apply cannot change the live object, with that object.
        The live objects come from one list per kind and namespace (a GET when that namespace holds
        only one or two of them: a list is never more requests than a GET per object, and never
        spans the whole cluster for a namespaced kind); a read the server refuses only means its
        tasks are not skipped."""
        wanted: dict[Task, tuple[Res, str | None, Obj]] = {}
        for task in plan.tasks:
            res = types.get(task)
            if res is None or task.action != "apply" or opts.replace or "Replace=true" in task.options:
                continue
            obj = self._desired(task, opts, res)
            if obj["metadata"].get("name"):
                wanted[task] = (res, obj["metadata"].get("namespace") if res.namespaced else None, obj)
        scopes: dict[tuple[Res, str | None], list[str]] = {}
        for res, ns, obj in wanted.values():
            scopes.setdefault((res, ns), []).append(str(obj["metadata"]["name"]))
        sem = asyncio.Semaphore(opts.concurrency)

        async def read(res: Res, ns: str | None, names: list[str]) -> list[Obj]:
            async with sem:
                try:
                    if len(names) > 2:
                        return (await self.client.list(res, ns))[0]
                    found = [await self.client.get(res, ns, name) for name in names]
                    return [o for o in found if o is not None]
                except ApiError:
                    return []

        keys = list(scopes)
        found: dict[tuple[Res, str, str], Obj] = {}
        for (res, _), items in zip(keys, await asyncio.gather(*(read(r, ns, scopes[(r, ns)]) for r, ns in keys)),
                                   strict=True):
            for item in items:
                meta = item.get("metadata") or {}
                item.setdefault("apiVersion", res.api_version)
                item.setdefault("kind", res.kind)
                found[(res, str(meta.get("namespace") or ""), str(meta.get("name", "")))] = item
        unchanged: dict[Task, Obj] = {}
        if not found:
            return unchanged  # nothing live yet (a first sync): the no-op check is not even imported
        from ..diff.noop import apply_is_noop

        for task, (res, ns, obj) in wanted.items():
            live = found.get((res, ns or "", str(obj["metadata"]["name"])))
            if live is not None and apply_is_noop(obj, live, FIELD_MANAGER):
                unchanged[task] = live
        return unchanged

    async def _dry_run_elsewhere(self, res: Res, obj: Obj, new_namespaces: set[str], opts: ExecOptions) -> str:
        """Validate an object whose namespace does not exist yet: an error unless this sync creates
        the namespace; then a dry-run create in `default` (the API server refuses even a dry run
        into a missing namespace, and nothing may be written before every object is validated).
        Returns the error message, or "" when the object passes (or a namesake in `default`
        prevents the check)."""
        ns = str(obj["metadata"].get("namespace") or "")
        if ns not in new_namespaces:
            return (f"namespace {ns!r} does not exist and this sync does not create it (add the Namespace "
                    "to Git or the CreateNamespace=true sync option)")
        elsewhere = {**obj, "metadata": {**obj["metadata"], "namespace": "default"}}
        try:
            await self.client.create(res, "default", elsewhere, field_manager=FIELD_MANAGER, dry_run=True,
                                     field_validation="Strict" if opts.validate else "Ignore")
        except ApiError as exc:
            if exc.conflict or exc.not_found:
                return ""
            return exc.message or str(exc)
        return ""

    async def _ensure_namespace(self, opts: ExecOptions) -> None:
        if not opts.create_namespace or not opts.namespace:
            return
        ns_res = Res("", "v1", "namespaces", "Namespace", False)
        body: Obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": opts.namespace}}
        if opts.namespace_labels:
            body["metadata"]["labels"] = dict(opts.namespace_labels)
        if opts.namespace_annotations:
            body["metadata"]["annotations"] = dict(opts.namespace_annotations)
        if await self.client.get(ns_res, None, opts.namespace) is None or len(body["metadata"]) > 1:
            await self.client.apply(ns_res, None, opts.namespace, body, field_manager=FIELD_MANAGER)

    # ----- writes
    async def _apply_one(self, task: Task, res: Res | None, opts: ExecOptions) -> ResourceResult:
        if res is None:
            res = (await self.discovery.resolve(str(task.obj.get("apiVersion", "")), task.key.kind)).res
        obj = self._desired(task, opts, res)
        meta = obj["metadata"]
        ns = meta.get("namespace")
        try:
            if task.action == "hook":
                return await self._run_hook(task, res, obj, opts)
            live = self._noop.get(task)
            if live is not None:
                self._settle(task.key, live)
                return ResourceResult(task.key, "unchanged", NOT_APPLIED, task.phase, task.wave)
            if opts.replace or "Replace=true" in task.options:
                live = await self.client.get(res, ns, meta["name"])
                if live is None:
                    await self.client.create(res, ns, obj, field_manager=FIELD_MANAGER)
                    return ResourceResult(task.key, "created", "replaced (created)", task.phase, task.wave)
                obj["metadata"]["resourceVersion"] = (live.get("metadata") or {}).get("resourceVersion")
                await self.client.update(res, ns, meta["name"], obj, field_manager=FIELD_MANAGER)
                return ResourceResult(task.key, "configured", "replaced", task.phase, task.wave)
            out, created = await self.client.apply(res, ns, meta["name"], obj, field_manager=FIELD_MANAGER,
                                                   field_validation="Strict" if opts.validate else "Ignore")
            self._settle(task.key, out)
            if created:
                return ResourceResult(task.key, "created", "", task.phase, task.wave)
            old_rv = self._live_rv.get(task.key)
            new_rv = (out.get("metadata") or {}).get("resourceVersion")
            action = "unchanged" if old_rv == new_rv else "configured"
            return ResourceResult(task.key, action, "", task.phase, task.wave)
        except ApiError as exc:
            return ResourceResult(task.key, "failed", exc.message or str(exc), task.phase, task.wave)

    def _settle(self, key: ResourceKey, obj: Obj) -> None:
        if self.health is not None:
            verdict = self.health(obj)
            if verdict is None or verdict[0] == "Healthy":
                self._settled.add(key)
            else:
                self._settled.discard(key)

    async def _prune(self, task: Task, res: Res | None, opts: ExecOptions) -> ResourceResult:
        if res is None:
            return ResourceResult(task.key, "failed", "unknown resource type", task.phase, task.wave)
        meta = task.obj.get("metadata") or {}
        try:
            await self.client.delete(res, meta.get("namespace"), str(meta.get("name", "")),
                                     propagation=opts.prune_propagation,
                                     preconditions={"uid": meta.get("uid")} if meta.get("uid") else None)
        except ApiError as exc:
            return ResourceResult(task.key, "failed", f"prune failed: {exc.message}", task.phase, task.wave)
        return ResourceResult(task.key, "pruned", "pruned: created by this app and no longer in Git",
                              task.phase, task.wave)

    async def _run_hook(self, task: Task, res: Res, obj: Obj, opts: ExecOptions) -> ResourceResult:
        meta = obj["metadata"]
        ns = meta.get("namespace")
        if meta.get("name") and "BeforeHookCreation" in task.delete_policies:
            await self.client.delete(res, ns, meta["name"], propagation="Background")
            await self._wait_gone(res, ns, meta["name"])
        if meta.get("name"):
            created, _ = await self.client.apply(res, ns, meta["name"], obj, field_manager=FIELD_MANAGER)
        else:
            created = await self.client.create(res, ns, obj, field_manager=FIELD_MANAGER)
        name = str((created.get("metadata") or {}).get("name", ""))
        status, message = await self._wait_healthy([(res, ns, name)], opts.wave_timeout)
        ok = status == "Healthy"
        policy = "HookSucceeded" if ok else "HookFailed"
        if policy in task.delete_policies:
            await self.client.delete(res, ns, name, propagation="Background")
        action = "hook-succeeded" if ok else "hook-failed"
        return ResourceResult(task.key, action, message or f"{task.phase} hook {name}", task.phase, task.wave)

    async def _wait_gone(self, res: Res, ns: str | None, name: str, limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if await self.client.get(res, ns, name) is None:
                return
            await asyncio.sleep(0.1)

    async def _wait_healthy(self, targets: list[tuple[Res, str | None, str]], limit: float,
                            concurrency: int = 16) -> tuple[str, str]:
        """Wait until every target is Healthy (or has no health); Degraded ends the wait early.
        Each round GETs the targets not yet healthy concurrently; a healthy one is not asked again."""
        if self.health is None:
            return ("Healthy", "")
        health = self.health
        deadline = time.monotonic() + limit
        delay = 0.02
        sem = asyncio.Semaphore(concurrency)

        async def verdict_of(res: Res, ns: str | None, name: str) -> tuple[str, str] | None:
            async with sem:
                live = await self.client.get(res, ns, name)
            return ("Missing", f"{res.kind} {name} not found") if live is None else health(live)

        pending = list(targets)
        while True:
            verdicts = await asyncio.gather(*(verdict_of(*t) for t in pending))
            worst: tuple[str, str] = ("Healthy", "")
            waiting = []
            for target, verdict in zip(pending, verdicts, strict=True):
                if verdict is None or verdict[0] == "Healthy":
                    continue
                if verdict[0] == "Degraded":
                    return verdict
                worst = verdict
                waiting.append(target)
            if not waiting:
                return ("Healthy", "")
            pending = waiting
            if time.monotonic() > deadline:
                return (worst[0], f"timed out waiting for health: {worst[1] or worst[0]}")
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    # ----- the whole sync
    async def run(self, plan: Plan, opts: ExecOptions | None = None) -> SyncResult:
        opts = opts or ExecOptions()
        self._results = []
        self._objects = {}
        try:
            types = await self._resolve(plan)
        except SyncError as exc:
            return SyncResult("Failed", str(exc), [], opts.dry_run)
        self._noop = {} if opts.dry_run else await self._unchanged(plan, types, opts)
        errors = await self._dry_run(plan, types, opts)
        if errors:
            message = "the dry run failed, nothing was changed:\n  " + "\n  ".join(errors)
            return SyncResult("Failed", message, [], opts.dry_run)
        for key, why in plan.skipped:
            self._record(ResourceResult(key, "skipped", why))
        if opts.dry_run:
            for t in plan.tasks:
                self._record(ResourceResult(t.key, "skipped" if t.action != "prune" else "pruned",
                                            f"dry run: would {t.action}", t.phase, t.wave))
            return SyncResult("Succeeded", "dry run: every object passed the API server's validation",
                              self._results, True)
        await self._ensure_namespace(opts)
        self._unhealthy = ""
        failed = await self._run_phases(plan, types, opts)
        if failed:
            for _, tasks in plan.waves("SyncFail"):
                await self._run_wave(tasks, types, opts)
            return SyncResult("Failed", failed, self._results)
        message = "successfully synced (all tasks run)"
        if self._unhealthy:
            message += f"; not healthy yet: {self._unhealthy}"
        return SyncResult("Succeeded", message, self._results, unhealthy=self._unhealthy)

    async def _run_phases(self, plan: Plan, types: dict[Task, Res | None], opts: ExecOptions) -> str:
        steps = [(phase, wave, tasks) for phase in PHASES[:3] for wave, tasks in plan.waves(phase)]
        for i, (phase, wave, tasks) in enumerate(steps):
            # Like Argo CD, the last step (without hooks) is not waited for: applied is synced.
            # With `wait_final` it is, but its objects still Progressing when the wait times out
            # (an Ingress or LoadBalancer Service no controller gives an address) do not fail the
            # sync (they are reported in `unhealthy`); Degraded ones do.
            final = i == len(steps) - 1 and not any(t.action == "hook" for t in tasks)
            if final and not opts.wait_final:
                failed = await self._run_wave(tasks, types, opts, wait=False)
            else:
                failed = await self._run_wave(tasks, types, opts, final=final)
            if failed:
                return f"{phase} wave {wave} failed: {failed}"
        return ""

    async def _run_wave(self, tasks: list[Task], types: dict[Task, Res | None], opts: ExecOptions,
                        final: bool = False, wait: bool = True) -> str:
        sem = asyncio.Semaphore(opts.concurrency)

        async def one(task: Task) -> ResourceResult:
            async with sem:
                if task.action == "prune":
                    return await self._prune(task, types.get(task), opts)
                return await self._apply_one(task, types.get(task), opts)

        # CRDs and Namespaces first within a wave, so kinds that need them resolve.
        early = [t for t in tasks if t.key.kind in ("Namespace", "CustomResourceDefinition") and t.action == "apply"]
        rest = [t for t in tasks if t not in early]
        results: list[ResourceResult] = []
        for group in (early, rest):
            results += await asyncio.gather(*(one(t) for t in group))
            if early and group is early:
                await self.discovery.refresh()
        for r in results:
            self._record(r)
        failures = [r for r in results if r.action in ("failed", "hook-failed")]
        if failures:
            return "; ".join(f"{r.key}: {r.message}" for r in failures)
        if not wait:
            return ""
        applied = [t for t in tasks if t.action == "apply"]
        targets = []
        for t in applied:
            if t.key in self._settled:
                continue
            res = types.get(t) or (await self.discovery.resolve(str(t.obj.get("apiVersion", "")), t.key.kind)).res
            ns = t.key.namespace or (opts.namespace if res.namespaced else "")
            targets.append((res, ns if res.namespaced else None, t.key.name))
        status, message = await self._wait_healthy(targets, opts.wave_timeout, opts.concurrency)
        if status != "Healthy":
            if final and status in ("Progressing", "Suspended"):
                self._unhealthy = message or status
                return ""
            return message or status
        return ""


async def gather_live(client: Client, discovery: Discovery, app: str,
                      kinds: list[Res] | None = None) -> list[Obj]:
    """Live objects (hooks aside) whose tracking annotation names this app AND the object itself (a controller
    copying annotations onto what it creates, as the deployment controller does onto ReplicaSets,
    does not make those objects part of the app)."""
    if kinds is None:
        await discovery.ensure_loaded()
        kinds = [i.res for i in discovery.known() if i.preferred and "list" in i.verbs
                 and i.res.plural not in ("events",) and i.res.group not in ("events.k8s.io",)]
    prefix = f"{app}:"
    out: list[Obj] = []

    async def scan(res: Res) -> list[Obj]:
        try:
            items, _ = await client.list(res)
        except ApiError:
            return []
        found = []
        for item in items:
            ann = (item.get("metadata") or {}).get("annotations") or {}
            if str(ann.get(TRACKING_ANNOTATION, "")).startswith(prefix) and not is_hook(item):
                item.setdefault("apiVersion", res.api_version)
                item.setdefault("kind", res.kind)
                if ann[TRACKING_ANNOTATION] == tracking_id(app, ResourceKey.of(item)):
                    found.append(item)
        return found

    for batch in await asyncio.gather(*(scan(r) for r in kinds)):
        out.extend(batch)
    return out

