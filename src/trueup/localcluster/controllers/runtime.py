"""Controllers: watch-driven reconcile loops over the API, and the manager that runs them.

Each controller reconciles one primary resource by key (namespace, name). Its work queue
dedupes keys, never processes one key on two workers at once (a key changed while being
processed is processed again afterwards), retries failures with per-key exponential backoff
(5 ms doubling to 60 s), and supports delayed requeues (a reconcile returns the seconds after
which it wants to run again, e.g. to time a rollout deadline).

    class ReplicaSetController(Controller):
        name = "replicaset-controller"     # its field manager and event source
        resource = REPLICASETS             # primary: changes enqueue their own key
        owns = (PODS,)                     # changes enqueue the controlling owner's key
        watches = (NODES,)                 # cached too; map with an extra handler in setup()

        async def reconcile(self, key: Key) -> float | None: ...

Controllers read from shared informer caches (`self.cache.informer(PODS)`), write through
`self.client` with their own field manager, and record core/v1 Events through `self.events`.
The manager starts informers, waits until every cache is synced, then starts the workers; on
restart everything is relisted and every object reconciled again, so controllers pick up where
they left off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..client import ApiError, Client, Res
from .informer import Cache, Informer, Key, Obj, key_of

log = logging.getLogger("trueup.localcluster.controllers")

_BASE_DELAY = 0.005
_MAX_DELAY = 60.0


@dataclass(frozen=True)
class Settings:
    """How the embedded cluster's simulation behaves (`trueup cluster up` flags)."""

    # "fast": near-zero delays (tests); "realistic": seconds, with jitter (the demo).
    timing: str = "fast"
    nodes: int = 1
    # Simulated cloud load balancer: LoadBalancer Services and Ingresses get an address.
    load_balancer: bool = True
    # Extra knobs for tests and demos.
    extra: dict[str, Any] = field(default_factory=dict)


class Context:
    """What every controller shares: client, informer cache, event recorder, settings."""

    def __init__(self, client: Client, settings: Settings) -> None:
        from .events import EventRecorder

        self.client = client
        self.cache = Cache(client)
        self.settings = settings
        self.events = EventRecorder(client)

    @staticmethod
    def now() -> float:
        return time.time()


class Controller:
    name: ClassVar[str] = ""
    resource: ClassVar[Res]
    owns: ClassVar[tuple[Res, ...]] = ()
    watches: ClassVar[tuple[Res, ...]] = ()
    workers: ClassVar[int] = 2
    # Start order (lower first); ties by name.
    order: ClassVar[int] = 100

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.cache = ctx.cache
        self.events = ctx.events
        self.settings = ctx.settings
        self._queue: asyncio.Queue[Key] = asyncio.Queue()
        self._queued: set[Key] = set()
        self._active: set[Key] = set()
        self._dirty: set[Key] = set()
        self._failures: dict[Key, int] = {}
        self._timers: dict[Key, asyncio.TimerHandle] = {}
        self._tasks: list[asyncio.Task[None]] = []

    # ----- wiring
    @property
    def primary(self) -> Informer:
        return self.cache.informer(self.resource)

    def informer(self, res: Res) -> Informer:
        return self.cache.informer(res)

    def setup(self) -> None:
        """Register informer handlers. Subclasses extend (call super().setup())."""
        self.primary.add_handler(lambda etype, obj, old: self.enqueue(key_of(obj)))
        for res in self.owns:
            self.informer(res).add_handler(self._enqueue_owner)
        for res in self.watches:
            self.informer(res)

    def _enqueue_owner(self, etype: str, obj: Obj, old: Obj | None) -> None:
        for o in (obj, old):
            if o is None:
                continue
            owner = controller_owner(o)
            if owner and owner.get("kind") == self.resource.kind and owner.get("apiVersion") == \
                    self.resource.api_version:
                ns = (o.get("metadata") or {}).get("namespace", "") if self.resource.namespaced else ""
                self.enqueue((str(ns), str(owner.get("name", ""))))

    # ----- queue
    def enqueue(self, key: Key, after: float = 0.0) -> None:
        if after > 0:
            existing = self._timers.get(key)
            loop = asyncio.get_event_loop()
            when = loop.time() + after
            if existing is not None and existing.when() <= when:
                return
            if existing is not None:
                existing.cancel()
            self._timers[key] = loop.call_at(when, self._fire_timer, key)
            return
        if key in self._active:
            self._dirty.add(key)
            return
        if key not in self._queued:
            self._queued.add(key)
            self._queue.put_nowait(key)

    def _fire_timer(self, key: Key) -> None:
        self._timers.pop(key, None)
        self.enqueue(key)

    def enqueue_all(self) -> None:
        for obj in self.primary.list():
            self.enqueue(key_of(obj))

    async def _worker(self) -> None:
        while True:
            key = await self._queue.get()
            self._queued.discard(key)
            self._active.add(key)
            try:
                requeue = await self.reconcile(key)
                self._failures.pop(key, None)
                if requeue is not None:
                    self.enqueue(key, after=max(requeue, 0.001))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                n = self._failures.get(key, 0) + 1
                self._failures[key] = n
                delay = min(_BASE_DELAY * (2 ** (n - 1)), _MAX_DELAY)
                level = logging.DEBUG if isinstance(exc, ApiError) and exc.conflict else logging.WARNING
                log.log(level, "%s: reconcile %s/%s failed (retry in %.3fs): %s", self.name, key[0], key[1],
                        delay, exc, exc_info=level == logging.WARNING and not isinstance(exc, ApiError))
                self.enqueue(key, after=delay)
            finally:
                self._active.discard(key)
                if key in self._dirty:
                    self._dirty.discard(key)
                    self.enqueue(key)

    def start(self) -> None:
        for i in range(self.workers):
            self._tasks.append(asyncio.create_task(self._worker(), name=f"{self.name}-{i}"))

    async def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._tasks.clear()

    async def reconcile(self, key: Key) -> float | None:
        raise NotImplementedError


def controller_owner(obj: Obj) -> dict[str, Any] | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def owner_reference(owner: Obj, *, controller: bool = True, block: bool = True) -> dict[str, Any]:
    m = owner.get("metadata") or {}
    return {
        "apiVersion": owner.get("apiVersion", ""),
        "kind": owner.get("kind", ""),
        "name": m.get("name", ""),
        "uid": m.get("uid", ""),
        "controller": controller,
        "blockOwnerDeletion": block,
    }


class Manager:
    """Runs a set of controllers against one API server."""

    def __init__(self, client: Client, settings: Settings, controllers: list[type[Controller]]) -> None:
        self.ctx = Context(client, settings)
        self.controllers = [c(self.ctx) for c in controllers]

    async def start(self, sync_timeout: float = 30.0) -> None:
        for c in self.controllers:
            c.setup()
        for inf in self.ctx.cache.all():
            inf.start()
        await self.ctx.cache.wait_synced(sync_timeout)
        for c in self.controllers:
            c.start()
            c.enqueue_all()

    async def stop(self) -> None:
        for c in self.controllers:
            await c.stop()
        for inf in self.ctx.cache.all():
            await inf.stop()
        await self.ctx.events.flush()
