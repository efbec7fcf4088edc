"""The garbage collector: ownerReferences with Background, Foreground and Orphan propagation.

As kube-controller-manager's garbage collector: it watches every resource type that can be
listed, watched and deleted (discovered from the API, re-discovered every few seconds and
whenever a CRD changes; Events excepted), keeps the owner → dependents graph (`gc_graph`),
and works per object UID:

- an object whose owners are all gone (a live GET confirms: uid absent or different) is
  deleted; one that still has a live owner only loses the references to the dead ones;
- an owner deleted with propagationPolicy Foreground (deletionTimestamp + `foregroundDeletion`
  finalizer): its dependents are deleted (Foreground themselves when they have dependents);
  once no dependent with `blockOwnerDeletion: true` is left the finalizer is removed and the
  API server deletes the owner;
- an owner deleted with Orphan (`orphan` finalizer): the references to it are removed from
  its dependents, then the finalizer.

Writes are merge patches carrying metadata.resourceVersion (optimistic concurrency) and
deletes carry a UID precondition, so a stale cache can never delete a re-created object.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ..client import EVENTS, NAMESPACES, ApiError, Res
from ..client import resources as known_resources
from . import gc_graph
from ._apidiscovery import by_group_kind, discover, group_of
from .gc_graph import DANGLING, SOLID, WAITING, Graph, Node, node_of
from .informer import Key, Obj
from .runtime import Context, Controller

log = logging.getLogger("trueup.localcluster.controllers")

CRDS = Res("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False)
_IGNORED = {("", "events"), ("events.k8s.io", "events")}


def _seed_types() -> list[Res]:
    out = [v for v in vars(known_resources).values() if isinstance(v, Res)]
    return [r for r in out if (r.group, r.plural) not in _IGNORED and r != EVENTS]


class GarbageCollector(Controller):
    name = "garbage-collector-controller"
    resource = NAMESPACES  # unused as a primary: keys are ("<namespace>", "<uid>")
    workers = 8
    order = 10

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.graph = Graph()
        self._hooked: set[Res] = set()
        self._kinds: dict[tuple[str, str], Res] = {}
        self._rediscover = asyncio.Event()
        self._discovery: asyncio.Task[None] | None = None

    # ----- wiring
    def setup(self) -> None:
        for res in _seed_types():
            self._hook(res)
        self._hook(CRDS)

    def _hook(self, res: Res) -> bool:
        if res in self._hooked or (res.group, res.plural) in _IGNORED:
            return False
        self._hooked.add(res)
        self._kinds[(res.group, res.kind)] = res
        self.informer(res).add_handler(lambda etype, obj, old: self._on_event(res, etype, obj))
        return True

    def start(self) -> None:
        super().start()
        self._discovery = asyncio.create_task(self._discover_loop(), name=f"{self.name}-discovery")

    async def stop(self) -> None:
        if self._discovery is not None:
            self._discovery.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._discovery
            self._discovery = None
        await super().stop()

    def enqueue_all(self) -> None:
        for node in list(self.graph.nodes.values()):
            if node.owners or node.deleting_dependents or node.orphaning:
                self._enqueue(node)

    async def _discover_loop(self) -> None:
        interval = 5.0 if self.settings.timing == "fast" else 30.0
        while True:
            try:
                types = await discover(self.client, ("list", "watch", "delete"))
                self._kinds.update(by_group_kind(types))
                for res in types:
                    if self._hook(res):
                        self.informer(res).start()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server restarting, for instance: try again later
                log.debug("garbage collector discovery failed: %s", exc)
            self._rediscover.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._rediscover.wait(), interval)

    # ----- graph maintenance (informer handlers: synchronous, no I/O)
    def _enqueue(self, node: Node) -> None:
        self.enqueue((node.namespace, node.uid))

    def _on_event(self, res: Res, etype: str, obj: Obj) -> None:
        if res == CRDS:
            self._rediscover.set()
        node = node_of(obj)
        if not node.uid:
            return
        node.api_version, node.kind = res.api_version, res.kind
        if etype == "DELETED":
            old = self.graph.remove(node.uid)
            for dep in self.graph.dependents(node.uid):
                self._enqueue(dep)
            self._enqueue_waiting_owners(old or node)
            return
        prev = self.graph.upsert(node)
        if node.deleting_dependents or node.orphaning:
            self._enqueue(node)
            if prev is None or not prev.deleting_dependents:
                for dep in self.graph.dependents(node.uid):
                    self._enqueue(dep)
        if node.owners and (prev is None or prev.owners != node.owners or prev.deleting != node.deleting):
            self._enqueue(node)
        self._enqueue_waiting_owners(node)
        if prev is not None:
            self._enqueue_waiting_owners(prev)

    def _enqueue_waiting_owners(self, node: Node) -> None:
        for ref in node.owners:
            owner = self.graph.get(str(ref["uid"]))
            if owner is not None and (owner.deleting_dependents or owner.orphaning):
                self._enqueue(owner)

    # ----- reconcile
    def _res(self, node: Node) -> Res | None:
        return self._kinds.get((group_of(node.api_version), node.kind))

    def _cached(self, node: Node) -> Obj | None:
        res = self._res(node)
        return self.informer(res).get(node.namespace, node.name) if res is not None else None

    async def reconcile(self, key: Key) -> float | None:
        node = self.graph.get(key[1])
        if node is None:
            return None
        if node.orphaning:
            await self._orphan_dependents(node)
            return None
        if node.deleting_dependents:
            return await self._delete_dependents(node)
        if node.deleting or not node.owners:
            return None
        state_of = {str(ref["uid"]): await self._owner_state(node, ref) for ref in node.owners}
        decision = gc_graph.decide(node, state_of, bool(self.graph.dependents(node.uid)))
        if decision.action == "delete":
            await self._delete(node, decision.propagation)
        elif decision.action == "remove-refs":
            await self._remove_refs(node, set(decision.remove_uids))
        return None

    async def _owner_state(self, node: Node, ref: Obj) -> str:
        uid = str(ref["uid"])
        res = self._kinds.get((group_of(str(ref.get("apiVersion", ""))), str(ref.get("kind", ""))))
        owner = self.graph.get(uid)
        if owner is not None:
            if owner.namespace and owner.namespace != node.namespace:
                self._invalid_namespace(node, ref)
                return DANGLING
            return WAITING if owner.deleting_dependents else SOLID
        if res is None:
            return SOLID  # a kind we cannot resolve: never delete on a guess
        if res.namespaced and not node.namespace:
            self._invalid_namespace(node, ref)
            return DANGLING
        live = await self.client.get(res, node.namespace if res.namespaced else None, str(ref.get("name", "")))
        if live is None or (live.get("metadata") or {}).get("uid") != uid:
            return DANGLING
        lm = live.get("metadata") or {}
        if lm.get("deletionTimestamp") and gc_graph.FOREGROUND in (lm.get("finalizers") or []):
            return WAITING
        return SOLID

    def _invalid_namespace(self, node: Node, ref: Obj) -> None:
        obj = self._cached(node)
        if obj is not None:
            self.events.record(obj, "Warning", "OwnerRefInvalidNamespace",
                               f"ownerRef [{ref.get('apiVersion')}/{ref.get('kind')}, namespace: {node.namespace}, "
                               f"name: {ref.get('name')}, uid: {ref.get('uid')}] does not exist in namespace "
                               f'"{node.namespace}"', component=self.name)

    async def _delete(self, node: Node, propagation: str) -> None:
        res = self._res(node)
        if res is None:
            return
        try:
            await self.client.delete(res, node.namespace or None, node.name, propagation=propagation,
                                     preconditions={"uid": node.uid})
        except ApiError as exc:
            if not exc.conflict:  # 409: the name now belongs to a new object
                raise

    async def _patch_meta(self, node: Node, obj: Obj, meta: Obj) -> None:
        res = self._res(node)
        if res is None:
            return
        body = {"metadata": {"resourceVersion": (obj.get("metadata") or {}).get("resourceVersion"), **meta}}
        try:
            await self.client.patch(res, node.namespace or None, node.name, body, field_manager=self.name)
        except ApiError as exc:
            if not exc.not_found:
                raise

    async def _remove_refs(self, node: Node, uids: set[str]) -> None:
        obj = self._cached(node)
        if obj is None:
            return
        refs = gc_graph.without_owner_refs(list((obj.get("metadata") or {}).get("ownerReferences") or []), uids)
        await self._patch_meta(node, obj, {"ownerReferences": refs or None})

    async def _remove_finalizer(self, node: Node, finalizer: str) -> None:
        obj = self._cached(node)
        if obj is None:
            return
        rest = [f for f in (obj.get("metadata") or {}).get("finalizers") or [] if f != finalizer]
        await self._patch_meta(node, obj, {"finalizers": rest or None})

    async def _orphan_dependents(self, owner: Node) -> None:
        for dep in self.graph.dependents(owner.uid):
            await self._remove_refs(dep, {owner.uid})
        await self._remove_finalizer(owner, gc_graph.ORPHAN)

    async def _delete_dependents(self, owner: Node) -> float | None:
        for dep in self.graph.dependents(owner.uid):
            if not dep.deleting:
                self._enqueue(dep)
        if self.graph.blocking_dependents(owner.uid):
            return 1.0  # their deletions enqueue us again; this is only a safety net
        await self._remove_finalizer(owner, gc_graph.FOREGROUND)
        return None
