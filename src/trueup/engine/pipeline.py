"""The GitOps pipeline for one Application: Git → render → diff → sync → health.

    engine = Engine(client, repo_cache, credentials=SecretCredentials(client, "trueup"))  # one per process
    desired = await engine.render(app)             # Desired(manifests, revision, revisions, ...)
    diffs = await engine.diff(app, desired)        # list[ResourceDiff], server-side dry-run based
    result = await engine.sync(app, desired, prune=..., dry_run=...)
    health = await engine.health(app, desired)     # AppHealth

`render` pins and renders every source (`sources.py`: Git, Helm chart repositories, `ref`
sources) with the credentials its `CredentialSource` gives per repository URL.

Live objects come from the API (a list per kind, a GET per object) unless a `LiveReader` is set
(`engine.live = cluster_cache`, as the controller does): then diff, health and the prune plan read
its watch-fed copies, and `fresh=True` (right after a sync, before the watch has caught up) asks
the API again. An object the reader does not hold is still fetched: it may exist untracked.

Every cluster, the embedded one included, is reached only through `trueup.kube`. A failed render
or fetch raises before anything is compared or written, so it can never lead to pruning.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..app import Application
from ..health.assess import assess
from ..health.registry import HealthRegistry
from ..kube import ApiError, Client, Discovery, Res, UnknownKind
from ..model import Manifest, ResourceKey
from ..sync import (
    TRACKING_ANNOTATION,
    ExecOptions,
    PlanOptions,
    Syncer,
    SyncResult,
    gather_live,
    hook_of,
    plan,
    sync_view,
    tracking_id,
)
from ..sync.execute import FIELD_MANAGER, Progress
from .credentials import CredentialSource, NoCredentials
from .errors import EngineError
from .sources import check_refs, combined_revision, pin, render_sources

if TYPE_CHECKING:  # diff, Helm charts and custom health checks are imported by the verbs that use them
    from ..diff import ResourceDiff
    from ..health import HealthStatus
    from ..render import RenderResult
    from ..source import ChartCache, RepoCache, Resolved

Obj = dict[str, Any]


class LiveReader(Protocol):
    """Watch-fed live state (`trueup.cache.ClusterCache`)."""

    def covers(self, group: str, kind: str) -> bool:
        """The reader holds every tracked object of this kind (its watch has listed)."""
        ...

    def get(self, key: ResourceKey) -> Obj | None: ...

    def tracked_objects(self, app: str) -> list[Obj] | None:
        """Every live object tracked by `app`, or None when the reader cannot vouch for all of them."""
        ...


@dataclass
class Desired:
    app: Application
    manifests: list[Manifest]
    revision: Resolved  # of the one source; with several, their revisions joined by ","
    rendered: RenderResult
    revisions: list[Resolved] = field(default_factory=list)  # one per source, in spec.sources order


@dataclass
class AppHealth:
    status: HealthStatus
    resources: list[tuple[ResourceKey, str, str]] = field(default_factory=list)  # key, status, message


def _default_namespace(app: Application) -> str:
    return app.destination.namespace or "default"


class Engine:
    def __init__(self, client: Client, repos: RepoCache, checks_dir: str | Path | None = None, *,
                 credentials: CredentialSource | None = None, charts: ChartCache | None = None) -> None:
        self.client = client
        self.discovery = Discovery(client)
        self.repos = repos
        self.credentials: CredentialSource = credentials or NoCredentials()
        self._charts = charts
        if checks_dir is None:
            self.health_registry = HealthRegistry()  # the built-in checks
        else:
            from ..health.load import registry_for

            self.health_registry = registry_for(checks_dir)
        self.live: LiveReader | None = None

    @property
    def charts(self) -> ChartCache:
        """Helm chart repositories' cache (made, and its module imported, on the first chart source)."""
        if self._charts is None:
            from ..source.charts import ChartCache

            self._charts = ChartCache(self.repos.root / "charts", min_fetch_interval=self.repos.min_fetch_interval)
        return self._charts

    def _cached(self, obj: Obj, fresh: bool) -> Obj | None:
        """The reader's copy of a desired object (same apiVersion), or None: then ask the API."""
        if fresh or self.live is None:
            return None
        key = ResourceKey.of(obj)
        if not self.live.covers(key.group, key.kind):
            return None
        found = self.live.get(key)
        return found if found is not None and found.get("apiVersion") == obj.get("apiVersion") else None

    async def _tracked(self, app: str) -> tuple[list[Obj], bool]:
        """Every object the app tracks, and whether they come from the reader (maybe behind the API)."""
        found = None if self.live is None else self.live.tracked_objects(app)
        if found is not None:
            return found, True
        return await gather_live(self.client, self.discovery, app), False

    async def warm_up(self, connections: int = 16) -> None:
        """Open up to `connections` API connections and read discovery now (a one-shot command calls
        this while Git is read and rendered, when the API server is otherwise idle). Raises what
        reading discovery raises: the error the command's next request would meet."""
        await asyncio.gather(self.client.warm(connections), self.discovery.ensure_loaded())

    # ----- Git → manifests
    async def render(self, app: Application) -> Desired:
        check_refs(app)
        pinned = list(await asyncio.gather(*(pin(app, i, self.repos, lambda: self.charts, self.credentials)
                                             for i in range(len(app.sources)))))
        rendered = await render_sources(app, pinned, _default_namespace(app))
        return Desired(app, rendered.copy(), combined_revision(pinned), rendered, [p.revision for p in pinned])

    async def _types(self, manifests: list[Manifest]) -> dict[int, Res]:
        out: dict[int, Res] = {}
        for i, m in enumerate(manifests):
            try:
                out[i] = (await self.discovery.resolve(str(m.obj.get("apiVersion", "")), m.key.kind)).res
            except UnknownKind as exc:
                raise EngineError(f"{m.source or 'rendered manifests'}: {m.key}: {exc}") from None
        return out

    def _stamp(self, app: Application, m: Manifest, res: Res) -> Obj:
        # Only metadata and its annotations change: copy those and share the rest (no deep copy).
        obj = dict(m.obj)
        meta = obj["metadata"] = dict(obj.get("metadata") or {})
        if "annotations" in meta:
            meta["annotations"] = dict(meta["annotations"] or {})
        if res.namespaced and not meta.get("namespace"):
            meta["namespace"] = _default_namespace(app)
        if not res.namespaced:
            meta.pop("namespace", None)
        meta.setdefault("annotations", {})[TRACKING_ANNOTATION] = tracking_id(app.name, ResourceKey.of(obj))
        return obj

    async def with_namespaces(self, app: Application, manifests: list[Manifest]) -> list[Manifest]:
        """Namespaced objects without a namespace go to the app's destination namespace (as
        Argo CD does), so desired and live objects have the same identity. A kind the cluster
        does not serve is an `EngineError` naming its file, unless a CRD among the manifests
        defines it (that object is left as it is: the sync resolves it after the CRD)."""
        defined = {(str((m.obj.get("spec") or {}).get("group", "")),
                    str(((m.obj.get("spec") or {}).get("names") or {}).get("kind", "")))
                   for m in manifests if m.key.kind == "CustomResourceDefinition"}
        out = []
        for m in manifests:
            try:
                res = (await self.discovery.resolve(str(m.obj.get("apiVersion", "")), m.key.kind)).res
            except UnknownKind as exc:
                if (m.key.group, m.key.kind) not in defined:
                    raise EngineError(f"{m.source or 'rendered manifests'}: {m.key}: {exc}") from None
                out.append(m)
                continue
            meta = m.obj.get("metadata") or {}
            if res.namespaced and not meta.get("namespace"):
                obj = {**m.obj, "metadata": {**meta, "namespace": _default_namespace(app)}}
                out.append(Manifest(obj, m.source, m.line, m.extra))
            else:
                out.append(m)
        return out

    # ----- drift
    async def diff(self, app: Application, desired: Desired, *, include_extra: bool = True,
                   fresh: bool = False) -> list[ResourceDiff]:
        from ..diff import DiffOptions, compare, parse_ignore_differences

        options = DiffOptions(ignore=parse_ignore_differences(app.ignore_differences, source=app.source_file))
        managed = [m for m in desired.manifests if not hook_of(sync_view(m))[0]]
        types = await self._types(managed)
        sem = asyncio.Semaphore(16)
        # Everything this app tracks, listed once per kind (one request per kind, not a GET per
        # object): the live side of each desired object it holds, and the extras. Started now,
        # it runs while the dry runs do.
        tracked_task = asyncio.ensure_future(self._tracked(app.name)) if include_extra else None
        tracked: dict[ResourceKey, Obj] | None = None

        async def live_of(res: Res, obj: Obj) -> Obj | None:
            nonlocal tracked
            cached = self._cached(obj, fresh)
            if cached is not None:
                return cached
            if tracked_task is not None:
                if tracked is None:
                    objects, from_reader = await tracked_task
                    # right after a sync the reader may lag: then only extras come from it
                    tracked = {} if fresh and from_reader else {ResourceKey.of(o): o for o in objects}
                found = tracked.get(ResourceKey.of(obj))
                if found is not None and found.get("apiVersion") == obj.get("apiVersion"):
                    return found
            meta = obj["metadata"]
            return await self.client.get(res, meta.get("namespace"), meta["name"])

        async def one(i: int, m: Manifest) -> ResourceDiff:
            res = types[i]
            obj = self._stamp(app, m, res)
            meta = obj["metadata"]
            async with sem:
                try:
                    predicted, _ = await self.client.apply(res, meta.get("namespace"), meta["name"], obj,
                                                           field_manager=FIELD_MANAGER, dry_run=True)
                except ApiError as exc:
                    if exc.not_found and "namespaces" in exc.message:
                        predicted = None  # its namespace does not exist yet: Missing
                    else:
                        raise EngineError(f"{m.source or 'manifest'}: {m.key}: the API server rejects it: "
                                          f"{exc.message}") from None
                live = await live_of(res, obj)
                for _ in range(3):
                    # The dry run answers from the object as stored now; a cached live object may
                    # lag it (a status or annotation write seen later). Compared across two versions,
                    # a field Git never set would show as drift: read the live object that matches.
                    if predicted is None or live is None or _rv(predicted) == _rv(live):
                        break
                    live = await self.client.get(res, meta.get("namespace"), meta["name"])
                    if live is not None and _rv(predicted) != _rv(live):  # written in between: predict again
                        predicted, _ = await self.client.apply(res, meta.get("namespace"), meta["name"], obj,
                                                               field_manager=FIELD_MANAGER, dry_run=True)
            return compare(Manifest(obj, m.source, m.line), predicted, live, options)

        try:
            diffs = list(await asyncio.gather(*(one(i, m) for i, m in enumerate(managed))))
        finally:
            if tracked_task is not None and not tracked_task.done():
                tracked_task.cancel()
        if tracked_task is not None:
            wanted = {d.key for d in diffs}
            for live in (await tracked_task)[0]:
                key = ResourceKey.of(live)
                if key not in wanted:
                    diffs.append(compare(None, None, live, options))
        return sorted(diffs, key=lambda d: (d.key.group, d.key.kind, d.key.namespace, d.key.name))

    # ----- sync
    async def sync(self, app: Application, desired: Desired, *, prune: bool = False, dry_run: bool = False,
                   progress: Progress | None = None, wave_timeout: float = 300.0,
                   only: frozenset[ResourceKey] | None = None, wait_final: bool = False) -> SyncResult:
        """`only`: apply just these objects (a self-heal of the drifted ones); hooks and prunes as usual.
        `wait_final`: wait for the last wave's health too (Argo CD, and the default, do not)."""
        policy = app.sync_policy
        if not desired.manifests and not policy.allow_empty and prune:
            return SyncResult("Failed", "the render produced no manifests and allowEmpty is off: refusing to prune "
                                        "everything (set spec.syncPolicy.automated.allowEmpty to allow it)")
        in_sync: frozenset[ResourceKey] = frozenset()
        if policy.has("ApplyOutOfSyncOnly=true"):
            in_sync = frozenset(d.key for d in await self.diff(app, desired, include_extra=False) if d.in_sync)
        live = (await self._tracked(app.name))[0] if prune or policy.prune else []
        manifests = await self.with_namespaces(app, desired.manifests)
        if only is not None:
            in_sync = frozenset(m.key for m in manifests if m.key not in only)
        the_plan = plan(app.name, manifests, live, PlanOptions(
            prune=prune and not policy.has("Prune=false"),
            prune_last=policy.has("PruneLast=true"),
            apply_out_of_sync_only=policy.has("ApplyOutOfSyncOnly=true") or only is not None,
        ), in_sync=in_sync)

        def health(obj: Obj) -> tuple[str, str] | None:
            result = assess(obj, self.health_registry)
            return None if result is None else (str(result.status), result.message)

        syncer = Syncer(self.client, self.discovery, app.name, health=health, progress=progress)
        return await syncer.run(the_plan, ExecOptions(
            dry_run=dry_run,
            namespace=_default_namespace(app),
            create_namespace=policy.has("CreateNamespace=true"),
            namespace_labels=policy.namespace_labels,
            namespace_annotations=policy.namespace_annotations,
            validate=not policy.has("Validate=false"),
            replace=policy.has("Replace=true"),
            wave_timeout=wave_timeout,
            wait_final=wait_final,
        ))

    # ----- health
    async def health(self, app: Application, desired: Desired, *, fresh: bool = False) -> AppHealth:
        from ..health import ResourceHealth, app_health

        managed = [m for m in desired.manifests if not hook_of(sync_view(m))[0]]
        types = await self._types(managed)
        out: list[ResourceHealth] = []
        rows: list[tuple[ResourceKey, str, str]] = []
        for i, m in enumerate(managed):
            res = types[i]
            obj = self._stamp(app, m, res)
            live = self._cached(obj, fresh) or await self.client.get(res, obj["metadata"].get("namespace"),
                                                                     obj["metadata"]["name"])
            key = ResourceKey.of(obj)
            result = assess(live, self.health_registry) if live is not None else None
            has_check = self.health_registry.has_check(key.group, key.kind)
            out.append(ResourceHealth(key, result, exists=live is not None, has_check=has_check))
            status = "Missing" if live is None else (str(result.status) if result else "")
            rows.append((key, status, result.message if result else ""))
        return AppHealth(app_health(out), rows)


def _rv(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")
