"""The Deployment controller: rolls Deployments out through ReplicaSets, as
kube-controller-manager's deployment-controller does.

One reconcile of a Deployment:
1. claims ReplicaSets: its own (controller ownerReference) that still match the selector,
   adopting orphans that match (strategic-merge patch, UID precondition) and releasing its own
   that no longer match;
2. plans one sync with the pure planner (deployment_rollout.plan_sync);
3. executes the plan through the API with optimistic concurrency: creates the new ReplicaSet
   (an AlreadyExists for the same template just means the cache is behind; a different
   template bumps status.collisionCount), PUTs resized ReplicaSets with the resourceVersion it
   read, deletes ReplicaSets beyond revisionHistoryLimit, merge-patches the revision annotation
   (with a resourceVersion precondition), PUTs the status through /status;
4. records ScalingReplicaSet Events for each resize that landed, and requeues itself to time
   the progress deadline.

A 409 anywhere aborts the pass; the runtime retries it against the fresher cache.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from ..client import DEPLOYMENTS, PODS, REPLICASETS, ApiError
from . import deployment_util as du
from .deployment_rollout import Plan, plan_sync
from .informer import Key, Obj, key_of
from .replicaset_pods import meta, selector_of
from .runtime import Controller, controller_owner, owner_reference


class DeploymentController(Controller):
    name = "deployment-controller"
    resource = DEPLOYMENTS
    owns = (REPLICASETS,)
    watches = (PODS,)
    workers = 5
    order = 30

    def setup(self) -> None:
        super().setup()
        self.informer(REPLICASETS).add_handler(self._on_replicaset)
        self.informer(PODS).add_handler(self._on_pod)

    def _on_replicaset(self, etype: str, rs: Obj, old: Obj | None) -> None:
        if controller_owner(rs) is not None:
            return
        ns, _ = key_of(rs)
        labels = meta(rs).get("labels") or {}
        for d in self.primary.list(ns):
            if selector_of(d).matches(labels):
                self.enqueue(key_of(d))

    def _on_pod(self, etype: str, pod: Obj, old: Obj | None) -> None:
        # Recreate waits for the old Pods to be gone.
        if etype != "DELETED":
            return
        ref = controller_owner(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return
        ns, _ = key_of(pod)
        rs = self.informer(REPLICASETS).get(ns, str(ref.get("name", "")))
        owner = controller_owner(rs) if rs is not None else None
        if owner is not None and owner.get("kind") == "Deployment":
            self.enqueue((ns, str(owner.get("name", ""))))

    # ----- reconcile
    async def reconcile(self, key: Key) -> float | None:
        ns, name = key
        d = self.primary.get(ns, name)
        if d is None:
            return None
        rss = await self._claim(d)
        pods: dict[str, list[Obj]] = {}
        if not du.is_rolling(d):
            selector = selector_of(d)
            for rs in rss:
                uid = str(meta(rs).get("uid", ""))
                pods[uid] = [p for p in self.informer(PODS).owned_by(uid)
                             if selector.matches(meta(p).get("labels") or {})]
        plan = plan_sync(d, rss, pods, time.time())
        return await self._execute(d, plan)

    async def _claim(self, d: Obj) -> list[Obj]:
        ns, _ = key_of(d)
        uid = str(meta(d).get("uid", ""))
        selector = selector_of(d)
        deleting = bool(meta(d).get("deletionTimestamp"))
        out: list[Obj] = []
        for rs in self.informer(REPLICASETS).list(ns):
            ref = controller_owner(rs)
            labels = meta(rs).get("labels") or {}
            if ref is not None:
                if ref.get("uid") != uid:
                    continue
                if selector.matches(labels) or deleting:
                    out.append(rs)
                else:
                    await self._patch_owner(rs, {"$patch": "delete", "uid": uid})
            elif not deleting and not meta(rs).get("deletionTimestamp") and selector.matches(labels):
                adopted = await self._patch_owner(rs, owner_reference(d))
                if adopted is not None:
                    out.append(adopted)
        return out

    async def _patch_owner(self, rs: Obj, ref: Obj) -> Obj | None:
        ns, name = key_of(rs)
        body = {"metadata": {"ownerReferences": [ref], "uid": meta(rs).get("uid")}}
        try:
            return await self.client.patch(REPLICASETS, ns, name, body, field_manager=self.name,
                                           patch_type="strategic")
        except ApiError as exc:
            if exc.not_found or exc.code == 422:
                return None
            raise

    async def _execute(self, d: Obj, plan: Plan) -> float | None:
        ns, name = key_of(d)
        done: set[str] = set()
        if plan.create is not None:
            created = await self._create(d, plan.create)
            if not created:
                return 0.05
            done.add(str(meta(plan.create).get("name", "")))
        for rs_name, rs in plan.updates.items():
            await self.client.update(REPLICASETS, ns, rs_name, rs, field_manager=self.name)
            done.add(rs_name)
            self._record(d, plan, rs_name)
        if plan.create is not None:
            self._record(d, plan, str(meta(plan.create).get("name", "")))
        for rs in plan.deletes:
            await self.client.delete(REPLICASETS, ns, str(meta(rs).get("name", "")),
                                     preconditions={"uid": meta(rs).get("uid")})
        live = d
        if plan.revision is not None:
            live = await self.client.patch(
                DEPLOYMENTS, ns, name,
                {"metadata": {"resourceVersion": meta(d).get("resourceVersion"),
                              "annotations": {du.REVISION: plan.revision}}},
                field_manager=self.name)
        self._record(d, plan, "")
        if plan.status is not None:
            body = copy.deepcopy(d)
            body["metadata"]["resourceVersion"] = meta(live).get("resourceVersion")
            body["status"] = plan.status
            await self.client.update(DEPLOYMENTS, ns, name, body, field_manager=self.name, subresource="status")
        return plan.requeue

    def _record(self, d: Obj, plan: Plan, rs_name: str) -> None:
        for etype, reason, message, target in plan.events:
            if target == rs_name:
                self.events.record(d, etype, reason, message, self.name)

    async def _create(self, d: Obj, rs: Obj) -> bool:
        """Create the new ReplicaSet; False when it already exists (the cache is behind)."""
        ns, _ = key_of(d)
        rs_name = str(meta(rs).get("name", ""))
        try:
            await self.client.create(REPLICASETS, ns, rs, field_manager=self.name)
            return True
        except ApiError as exc:
            if exc.code != 409:
                raise
        existing = await self.client.get(REPLICASETS, ns, rs_name)
        if existing is None:
            raise RuntimeError(f"replica set {rs_name} already exists but cannot be read")
        ref = controller_owner(existing)
        template = (d.get("spec") or {}).get("template")
        if ref is not None and ref.get("uid") == meta(d).get("uid") and du.equal_ignore_hash(
                (existing.get("spec") or {}).get("template"), template):
            return False
        # A hash collision: the next hash includes a bumped collision count.
        body = copy.deepcopy(d)
        status: dict[str, Any] = body.setdefault("status", {})
        status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
        await self.client.update(DEPLOYMENTS, ns, str(meta(d).get("name", "")), body, field_manager=self.name,
                                 subresource="status")
        raise RuntimeError(f"hash collision for replica set {rs_name}; collisionCount raised")
