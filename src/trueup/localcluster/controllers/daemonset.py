"""The DaemonSet controller: keeps ControllerRevisions, executes the plan of `daemonset_plan`
(one pod per eligible Node, rolling updates) through the API with creation expectations, records
SuccessfulCreate/SuccessfulDelete events, and writes status via /status. Node changes re-sync
every DaemonSet.
"""

from __future__ import annotations

import copy

from ..client import CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS, ApiError
from .daemonset_plan import build_pod, compute_status, plan_daemonset
from .informer import Key, Obj, key_of
from .revisions import (
    HASH_LABEL,
    REVISION_HASH_LABEL,
    Expectations,
    deleting,
    meta,
    next_availability,
    owned_by_uid,
    prune_revisions,
    sync_revisions,
)
from .runtime import Controller, owner_reference


class DaemonSetController(Controller):
    name = "daemonset-controller"
    resource = DAEMONSETS
    owns = (PODS, CONTROLLERREVISIONS)
    watches = (NODES,)

    def setup(self) -> None:
        super().setup()
        self.expectations = Expectations()
        self.informer(NODES).add_handler(self._node_changed)

    def _node_changed(self, etype: str, obj: Obj, old: Obj | None) -> None:
        if etype != "MODIFIED" or old is None or obj.get("spec") != old.get("spec") or \
                meta(obj).get("labels") != meta(old).get("labels"):
            for ds in self.primary.list():
                self.enqueue(key_of(ds))

    async def reconcile(self, key: Key) -> float | None:
        ns, name = key
        cached = self.primary.get(ns, name)
        if cached is None or deleting(cached):
            self.expectations.forget(key)
            return None
        ds = copy.deepcopy(cached)
        uid = str(meta(ds).get("uid", ""))
        pods = [p for p in self.informer(PODS).owned_by(uid) if owned_by_uid(p, uid)]
        if not self.expectations.satisfied(key, (str(meta(p)["name"]) for p in pods)):
            return 0.5
        ref = owner_reference(ds)
        status = ds.get("status") or {}
        revisions = [r for r in self.informer(CONTROLLERREVISIONS).owned_by(uid) if owned_by_uid(r, uid)]
        collision = int(status.get("collisionCount") or 0)
        update, collision, revisions = await sync_revisions(
            self.client, CONTROLLERREVISIONS, self.name, ds, ref, revisions, collision)
        hash_ = str((meta(update).get("labels") or {}).get(REVISION_HASH_LABEL) or "")
        nodes = self.informer(NODES).list()
        now = self.ctx.now()
        plan = plan_daemonset(ds, nodes, pods, hash_, now)
        for pod_name, pod_uid in plan.delete:
            try:
                await self.client.delete(PODS, ns, pod_name, preconditions={"uid": pod_uid})
            except ApiError as exc:
                if exc.code != 409:
                    raise
                continue
            self.expectations.expect_delete(key, pod_name)
            self.events.record(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod_name}", component=self.name)
        for node in plan.create:
            body = build_pod(ds, node, hash_, ref)
            try:
                created = await self.client.create(PODS, ns, body, field_manager=self.name)
            except ApiError as exc:
                self.events.record(ds, "Warning", "FailedCreate", f"Error creating: {exc.message}",
                                   component=self.name)
                raise
            self.expectations.expect_add(key, str(meta(created)["name"]))
            self.events.record(ds, "Normal", "SuccessfulCreate", f"Created pod: {meta(created)['name']}",
                               component=self.name)

        new_status = compute_status(ds, nodes, pods, hash_, now)
        if collision:
            new_status["collisionCount"] = collision
        if any(status.get(k) != v for k, v in new_status.items()):
            await self.client.patch(DAEMONSETS, ns, name, {"status": new_status}, subresource="status",
                                    field_manager=self.name)

        live = {str(meta(update)["name"])}
        hashes = {str((meta(p).get("labels") or {}).get(HASH_LABEL, "")) for p in pods}
        live |= {str(meta(r)["name"]) for r in revisions
                 if (meta(r).get("labels") or {}).get(REVISION_HASH_LABEL) in hashes}
        await prune_revisions(self.client, CONTROLLERREVISIONS, ds, revisions, live)
        return next_availability(ds, pods, now)
