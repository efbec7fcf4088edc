"""Dry runs started while a one-shot sync is still rendering: the API server would otherwise wait
for the whole render (every file read and parsed) before its first dry run.

    ahead = DryRunAhead(engine, app, validate=True)
    desired = await engine.render(app, on_manifests=ahead.feed)   # feed: from the renderer's thread
    result = await engine.sync(app, desired, ahead=ahead)         # the Syncer reuses what matches
    await ahead.close()

As each file's manifests arrive, each kind's objects in each namespace are listed once, and every
object that does not exist yet gets a server-side dry run (`dryRun=All`, nothing is written), with
the body the sync will send. An object that exists is left alone: whether its apply would change
anything is the sync's own no-op check, which reuses these lists. The sync takes a result only
for the very object it would dry-run itself (same body, same field validation) and dry-runs
anything else, so its rule stands: every object passes a dry run before the first write, and a
render that fails writes nothing. Failures here are not reported: the sync's own dry run of that
object reports them. Hooks and kinds the cluster does not serve yet are not tried.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ..kube import Res
from ..model import Manifest, ResourceKey
from ..sync import hook_of, sync_view
from ..sync.execute import FIELD_MANAGER

if TYPE_CHECKING:
    from ..app import Application
    from .pipeline import Engine

Obj = dict[str, Any]
Outcome = tuple[Obj, bool, str]  # (object sent, created?, live resourceVersion when not created)


class DryRunAhead:
    def __init__(self, engine: Engine, app: Application, *, validate: bool = True, concurrency: int = 16) -> None:
        self._engine = engine
        self._app = app
        self._validation = "Strict" if validate else "Ignore"
        self._loop = asyncio.get_running_loop()
        self._sem = asyncio.Semaphore(concurrency)
        self._discovery: asyncio.Task[None] | None = None
        self._lists: dict[tuple[Res, str | None], asyncio.Task[list[Obj] | None]] = {}
        self._runs: dict[tuple[str, str, str], list[asyncio.Task[Outcome | None]]] = {}
        self._closed = False

    def feed(self, manifests: list[Manifest]) -> None:
        """Called by the renderer (any thread) with the manifests it has just read."""
        self._loop.call_soon_threadsafe(self._start, manifests)

    def _start(self, manifests: list[Manifest]) -> None:
        if self._closed:
            return
        for m in manifests:
            try:
                if hook_of(sync_view(m))[0]:
                    continue
            except Exception:  # a bad hook annotation: the plan reports it
                continue
            key = m.key
            self._runs.setdefault((key.group, key.kind, key.name), []).append(asyncio.ensure_future(self._one(m)))

    async def _one(self, m: Manifest) -> Outcome | None:
        engine = self._engine
        try:
            if self._discovery is None:
                self._discovery = asyncio.ensure_future(engine.discovery.ensure_loaded())
            await asyncio.shield(self._discovery)
            info = engine.discovery.cached(str(m.obj.get("apiVersion", "")), m.key.kind)
            if info is None:
                return None
            res = info.res
            obj = engine._stamp(self._app, m, res)
            meta = obj["metadata"]
            name = meta.get("name")
            ns = meta.get("namespace") if res.namespaced else None
            if not name:
                return None
            live = await self._list(res, ns)
            if live is None or any((o.get("metadata") or {}).get("name") == name for o in live):
                return None
            async with self._sem:
                predicted, created = await engine.client.apply(
                    res, ns, name, obj, field_manager=FIELD_MANAGER, dry_run=True,
                    field_validation=self._validation, created_body=False)
            return obj, created, str((predicted.get("metadata") or {}).get("resourceVersion", ""))
        except asyncio.CancelledError:
            raise
        except Exception:  # left to the sync's own dry run, which reports it
            return None

    def _list(self, res: Res, ns: str | None) -> asyncio.Task[list[Obj] | None]:
        task = self._lists.get((res, ns))
        if task is None:
            task = self._lists[(res, ns)] = asyncio.ensure_future(self._read(res, ns))
        return task

    async def _read(self, res: Res, ns: str | None) -> list[Obj] | None:
        try:
            async with self._sem:
                return (await self._engine.client.list(res, ns))[0]
        except asyncio.CancelledError:
            raise
        except Exception:
            return None

    # ----- what the Syncer asks (sync.execute.Ahead)
    async def listed(self, res: Res, namespace: str | None) -> list[Obj] | None:
        task = self._lists.get((res, namespace))
        return None if task is None else await asyncio.shield(task)

    async def dry_run(self, key: ResourceKey, obj: Obj, field_validation: str) -> tuple[bool, str] | None:
        if field_validation != self._validation:
            return None
        for task in self._runs.get((key.group, key.kind, key.name), ()):
            outcome = await asyncio.shield(task)
            if outcome is not None and outcome[0] == obj:
                return outcome[1], outcome[2]
        return None

    async def close(self) -> None:
        """Cancel what is still running (nothing here writes)."""
        self._closed = True
        pending = [t for runs in self._runs.values() for t in runs] + list(self._lists.values())
        if self._discovery is not None:
            pending.append(self._discovery)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
