"""The Controller: installs the Application CRD, watches Applications, and runs the workers.

    async with Controller(client, repos, namespace="trueup", poll_interval=60) as c:
        c.refresh("guestbook")          # reconcile now, fetching Git
        await c.stopped()               # or leave the block to stop

Enqueueing: an Application event whose spec, `operation`, annotations or deletionTimestamp
changed (status-only writes, the controller's own included, enqueue nothing; the refresh
annotation only when set or changed: the reconcile removes it once processed); a managed object's
change (no Git fetch: the last render is re-diffed); `refresh(name)`; and the poll timer
(`poll_interval` plus up to 25 % jitter) after each reconcile, or sooner when a retry or backoff
asks for it. A terminating app with a resources finalizer is looked at again until it is gone.

Names: the controller and its followers (`follow`, `add_follower`) form one group whose apps'
names must be unique (tracking ids name only the app; see `names`): an app whose name another
app of the group holds is reconciled as blocked, and an app appearing or going re-queues the
apps of that name in the group's other controllers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from ..app import application_crd
from ..cache import ClusterCache
from ..engine import Engine, SecretCredentials
from ..health import assess
from ..kube import ApiError, Client, Informer, Res
from ..metrics import Metrics
from ..source import RepoCache
from .comparisons import Comparisons
from .depends import depends_on, why_not_ready
from .leader import LeaderElector
from .names import holder
from .operate import APPLICATIONS, FIELD_MANAGER, REFRESH_ANNOTATION
from .queue import WorkQueue
from .reconcile import Reconciler
from .watches import ManagedWatches, drop_managed_fields

log = logging.getLogger("trueup.controller")

Obj = dict[str, Any]

CRDS = Res("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False)
NAMESPACES = Res("", "v1", "namespaces", "Namespace", False)


def _refresh_annotation(obj: Obj) -> str:
    return str(((obj.get("metadata") or {}).get("annotations") or {}).get(REFRESH_ANNOTATION, ""))


def _trigger_view(obj: Obj) -> tuple[Any, Any, Any, Any]:
    """What a reconcile is owed for; the spec itself, not generation (Argo CD's CRD has no status
    subresource, so a status write bumps its generation). The refresh annotation apart: setting
    it is a request (see `_app_event`), the controller's removal of it is not."""
    meta = obj.get("metadata") or {}
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k != REFRESH_ANNOTATION}
    return obj.get("spec"), obj.get("operation"), annotations, meta.get("deletionTimestamp")


class Controller:
    def __init__(self, client: Client, repos: RepoCache, namespace: str = "trueup", poll_interval: float = 60.0, *,
                 workers: int = 4, checks_dir: str | Path | None = None, wave_timeout: float = 300.0,
                 metrics: Metrics | None = None, elector: LeaderElector | None = None,
                 apps: Res = APPLICATIONS, install_crds: bool = True) -> None:
        self.client = client
        self.repos = repos
        self.metrics = metrics if metrics is not None else Metrics()
        self.namespace = namespace
        self.poll_interval = poll_interval
        self.workers = workers
        self.engine = Engine(client, repos, checks_dir, credentials=SecretCredentials(client, namespace))
        self.queue = WorkQueue(on_timer=self.refresh)
        # live state and drift events from one watch cache of the managed kinds (trueup-tracked objects only)
        self.cache = ClusterCache(client, self.engine.discovery, namespace=namespace)
        self.engine.live = self.cache
        self.comparisons = Comparisons(self.engine, self.cache)
        self.watches = ManagedWatches(self.cache, self._drifted, self.comparisons, self._health_of)
        self.apps_res = apps
        self.install_crds = install_crds
        self.reconciler = Reconciler(client, self.engine, namespace, watch_kinds=self._watch_kinds,
                                     wave_timeout=wave_timeout, metrics=self.metrics, apps=apps, lookup=self._lookup,
                                     compare=self.comparisons.diff, clash=self._clash)
        self.apps = Informer(client, apps, namespace=namespace)
        self.apps.add_handler(drop_managed_fields)  # memory: never read
        self.apps.add_handler(self._app_event)
        self.reconciles = 0  # completed reconciles (tests, metrics)
        self._refresh: set[str] = set()
        self._hard: set[str] = set()  # refreshes that fetch Git whatever the fetch interval (webhooks)
        self._drift_at: dict[str, float] = {}  # loop time of the first managed-object event since the last reconcile
        self.started = False
        self._tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()
        self.elector = elector  # None: always act; else workers run only while it holds the Lease
        self._electing: asyncio.Task[None] | None = None
        self.followers: list[Controller] = []  # e.g. Argo CD's Applications per namespace (see argocd.py)
        self.group: Controller = self  # the controller this one follows, or itself: its apps' names are unique
        # (group's own) name -> the controller and uid of the app of that name this process works on
        self.claims: dict[str, tuple[Controller, str]] = {}

    # ----- lifecycle
    async def install(self) -> None:
        """Create the namespace and server-side apply the CRD (unless `install_crds` is off: Argo CD's
        CRD is never installed by trueup); wait until Applications are served."""
        if self.install_crds:
            ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace}}
            await self.client.apply(NAMESPACES, None, self.namespace, ns, field_manager=FIELD_MANAGER)
            crd = application_crd()
            await self.client.apply(CRDS, None, crd["metadata"]["name"], crd, field_manager=FIELD_MANAGER)
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            try:
                await self.client.list(self.apps_res, self.namespace)
                return
            except ApiError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)

    def follow(self, other: Controller) -> None:
        """Run `other` (another Application resource or namespace) beside this controller: it starts
        and stops with it and reconciles only while this one leads. Call before `start` (or see
        `add_follower`)."""
        other.group = self
        self.followers.append(other)

    async def add_follower(self, other: Controller) -> None:
        """`follow`, also once started: `other` starts now, reconciling at once if this one leads."""
        self.follow(other)
        if not self.started or self.queue.closed:
            return
        await other._watch_apps()
        if self._tasks:  # leading: its apps were queued by their informer's initial events
            await other._lead()

    async def remove_follower(self, other: Controller, grace_s: float = 10.0) -> None:
        """Stop `other` (its running reconciles get `grace_s`); its Applications are left as they are."""
        if other in self.followers:
            self.followers.remove(other)
        names = [str((doc.get("metadata") or {}).get("name", "")) for doc in other.apps.list(other.namespace)]
        await other.stop(grace_s)
        for name in names:  # an app of the group that one of these blocked may proceed now
            self.metrics.remove_app(name, other.namespace)
            self._peer_changed(other, name)

    async def _watch_apps(self) -> None:
        await self.install()
        await self.watches.start()
        self.apps.start()
        await self.apps.synced.wait()
        self.started = True

    async def start(self) -> None:
        await self._watch_apps()
        for follower in list(self.followers):
            await follower._watch_apps()
        if self.elector is None:
            await self._lead()
        else:
            self._electing = asyncio.create_task(self.elector.run(self._lead, self._follow), name="trueup-leader")

    def leading(self) -> bool:
        """Reconciling and writing: no leader election, or this controller holds the Lease."""
        return self.elector is None or self.elector.is_leader.is_set()

    async def _lead(self) -> None:
        """Start the workers and look at every cached app (events seen while standing by are queued too)."""
        if self.queue.closed:
            return
        self._tasks = [asyncio.create_task(self._worker(), name=f"trueup-worker-{i}") for i in range(self.workers)]
        if self.elector is not None:
            for doc in self.apps.list(self.namespace):
                self.refresh(str((doc.get("metadata") or {}).get("name", "")))
        for follower in list(self.followers):
            await follower._lead()
            for doc in follower.apps.list(follower.namespace):
                follower.refresh(str((doc.get("metadata") or {}).get("name", "")))

    async def _follow(self) -> None:
        """Leadership ended: cancel the workers at once (an interrupted operation is marked Failed by the
        next leader); the caches stay warm."""
        for follower in list(self.followers):
            await follower._stop_workers(0.0)
        await self._stop_workers(0.0)

    async def _stop_workers(self, grace_s: float) -> None:
        tasks, self._tasks = self._tasks, []
        if tasks:
            pending = set(tasks)
            if grace_s > 0:
                _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    def ready(self) -> bool:
        """Started, the Application cache synced, and not stopping (the server's /readyz)."""
        return self.started and self.apps.synced.is_set() and not self.queue.closed

    async def stop(self, grace_s: float = 10.0) -> None:
        """Stop taking work, let running reconciles finish (up to `grace_s`), then cancel the rest."""
        for follower in list(self.followers):
            await follower.stop(grace_s)
        self.started = False
        self.queue.shutdown()
        await self.apps.stop()
        await self._stop_workers(grace_s)
        await self.watches.stop()  # after the workers: a reconcile finishing in the grace may add a watch
        await self.reconciler.events.flush()  # Events still being written land before we go
        if self.elector is not None and self._electing is not None:
            self.elector.stop()  # steps down, then releases the Lease for a standby
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._electing
            self._electing = None
        self._stop.set()

    async def stopped(self) -> None:
        await self._stop.wait()

    async def __aenter__(self) -> Controller:
        await self.start()
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # ----- enqueueing
    def refresh(self, name: str) -> None:
        """Reconcile `name` now, resolving its target revision again (Git)."""
        if self.queue.closed:
            return
        self._refresh.add(name)
        self.queue.add(name)

    def hard_refresh(self, name: str) -> None:
        """Reconcile `name` now after fetching its repositories (a push webhook arrived)."""
        if self.queue.closed:
            return
        self._hard.add(name)
        self.refresh(name)

    def _app_event(self, etype: str, obj: Obj, old: Obj | None) -> None:
        name = str((obj.get("metadata") or {}).get("name", ""))
        if etype == "DELETED":
            self.queue.forget(name)
            self.reconciler.forget(name)
            self.comparisons.forget(name)
            self.metrics.remove_app(name, self.namespace)
            self._dependents_of(name)
            self._peer_changed(self, name)
            return
        if old is None:
            self._peer_changed(self, name)
        requested = _refresh_annotation(obj) and (old is None or _refresh_annotation(old) != _refresh_annotation(obj))
        if old is None or _trigger_view(old) != _trigger_view(obj) or requested:
            if requested and _refresh_annotation(obj) == "hard":
                self.hard_refresh(name)  # `trueup app refresh --hard`: fetch Git whatever the fetch interval
            else:
                self.refresh(name)
        if old is None or why_not_ready(old) != why_not_ready(obj):
            self._dependents_of(name)

    def _peers(self) -> list[Controller]:
        return [self.group, *self.group.followers]

    async def _clash(self, doc: Obj) -> Obj | None:
        """The app of this group holding `doc`'s name when it is not `doc` (see `names`). The caches say
        whether another app has the name (nearly never: no request); if one does, each is read from the
        API (who works on an app is in its managedFields, which the caches drop).

        An app found to hold its name claims it in the group (`claims`) before any await, and a live
        claim by another app of the group wins: two apps of one name created within milliseconds (the
        second not yet in the caches when the first was checked, the first's status not yet written
        when the second was) cannot both proceed. The written rules decide again after a restart."""
        meta = doc.get("metadata") or {}
        name, uid = str(meta.get("name", "")), str(meta.get("uid") or "")
        peers = [c for c in self._peers() if c.started or c is self]
        others = [c for c in peers if (d := c.apps.get(c.namespace, name)) is not None
                  and not (c is self and (d.get("metadata") or {}).get("uid") == meta.get("uid"))]
        held: Obj | None = None
        if others:
            live = [d for c in others if (d := await self.client.get(c.apps_res, c.namespace, name)) is not None]
            held = holder(doc, live)
        claims = self.group.claims
        claim = claims.get(name)
        if held is not None:  # another holds it by the written rules
            if claim is not None and claim == (self, uid):
                del claims[name]
            return held
        if claim is not None and claim != (self, uid) and claim[0] in peers:
            c = claim[0]
            claimant = c.apps.get(c.namespace, name)
            if claimant is not None and (claimant.get("metadata") or {}).get("uid") == claim[1]:
                return claimant  # the one this process already works on
        claims[name] = (self, uid)
        return None

    def _peer_changed(self, source: Controller, name: str) -> None:
        """An app named `name` appeared or went in `source`: the group's other apps of that name look again."""
        for c in self._peers():
            if c is not source and not c.queue.closed and c.apps.get(c.namespace, name) is not None:
                c.refresh(name)

    def _dependents_of(self, name: str) -> None:
        """The app became (not) ready or appeared or went: look again at the apps depending on it (no
        Git fetch: they were just compared; only whether they may sync changed)."""
        if self.queue.closed:
            return
        for doc in self.apps.list(self.namespace, where=lambda d: depends_on(d, self.namespace, name)):
            self.queue.add(str((doc.get("metadata") or {}).get("name", "")))

    async def _lookup(self, namespace: str, name: str) -> Obj | None:
        """An Application for dependency checks: from the cache in this namespace, else a GET."""
        if namespace == self.namespace:
            return self.apps.get(namespace, name)
        try:
            return await self.client.get(self.apps_res, namespace, name)
        except ApiError:
            return None

    def _drifted(self, name: str) -> None:
        if self.apps.get(self.namespace, name) is not None:
            self._drift_at.setdefault(name, asyncio.get_running_loop().time())
            self.queue.add(name)

    def _health_of(self, obj: Obj) -> str:
        result = assess(obj, self.engine.health_registry)
        return "" if result is None else str(result.status)

    def _watch_kinds(self, app: str, kinds: set[Res]) -> None:
        self.watches.ensure(kinds)

    # ----- workers
    async def _worker(self) -> None:
        while True:
            name = await self.queue.get()
            if name is None:
                return
            refresh = name in self._refresh
            self._refresh.discard(name)
            hard = name in self._hard
            self._hard.discard(name)
            drift_at = self._drift_at.pop(name, None)
            cached = self.apps.get(self.namespace, name)
            requested = _refresh_annotation(cached) if cached is not None else ""  # before the fetch
            delay: float | None = None
            started = time.perf_counter()
            try:
                if refresh:
                    await self._fetch(name, hard)
                delay = await self.reconciler.reconcile(name, refresh=refresh, drift_at=drift_at,
                                                       refresh_request=requested)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reconcile of %s/%s failed", self.namespace, name)
                delay = 5.0
            finally:
                self.metrics.observe_reconcile(time.perf_counter() - started)
                self.reconciles += 1
                self.queue.done(name)
            poll = self.poll_interval * (1 + random.uniform(0, 0.25))
            if self.apps.get(self.namespace, name) is not None:
                self.queue.add_after(name, poll)
                if delay is not None:
                    self.queue.add_after(name, delay)

    async def _fetch(self, name: str, hard: bool) -> None:
        """Fetch the app's repositories when `hard` or when the cache would fetch anyway (then the
        reconcile's resolve does not fetch again), timing each fetch. Errors are left to the reconcile."""
        doc = self.apps.get(self.namespace, name)
        if doc is None:
            return
        for url in repo_urls(doc):
            try:
                last = self.repos.last_fetch(url)
                if not hard and last is not None and time.monotonic() - last < self.repos.min_fetch_interval:
                    continue
                started = time.perf_counter()
                await self.repos.fetch(url, credentials=await self.engine.credentials.lookup(url))
                self.metrics.observe_git_fetch(url, time.perf_counter() - started)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the reconcile resolves again and reports the error as a condition
                log.debug("fetch for %s/%s failed: %s", self.namespace, name, type(exc).__name__)


def repo_urls(doc: Obj) -> list[str]:
    """The Git repository URLs of an Application document (`spec.source` and `spec.sources[]`;
    not Helm chart repositories, which the engine's ChartCache fetches)."""
    spec = doc.get("spec") or {}
    sources = [spec.get("source"), *(spec.get("sources") or [])]
    urls: list[str] = []
    for src in sources:
        if isinstance(src, dict) and isinstance(src.get("repoURL"), str) and src["repoURL"] not in urls \
                and not src.get("chart"):
            urls.append(src["repoURL"])
    return urls
