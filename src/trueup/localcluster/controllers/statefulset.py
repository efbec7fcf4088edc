"""The StatefulSet controller: keeps ControllerRevisions, executes the plan of
`statefulset_plan` (claims before pods, ordered creation/deletion, rolling updates) through the
API, records the events `kubectl describe sts` shows, and writes status via /status.

Pods are found through their controller owner reference (no adoption of orphans). Old
ControllerRevisions beyond revisionHistoryLimit are pruned (those still used by a pod, the
current and the update revision are kept).
"""

from __future__ import annotations

import copy
import logging

from ..client import CONTROLLERREVISIONS, PODS, PVCS, STATEFULSETS, ApiError
from .informer import Key, Obj
from .revisions import (
    HASH_LABEL,
    deleting,
    meta,
    next_availability,
    owned_by_uid,
    prune_revisions,
    sync_revisions,
    template_of_revision,
)
from .runtime import Controller, owner_reference
from .statefulset_plan import Action, compute_status, plan_statefulset

log = logging.getLogger("trueup.localcluster.controllers")


class StatefulSetController(Controller):
    name = "statefulset-controller"
    resource = STATEFULSETS
    owns = (PODS, CONTROLLERREVISIONS)
    watches = (PVCS,)

    async def reconcile(self, key: Key) -> float | None:
        ns, name = key
        cached = self.primary.get(ns, name)
        if cached is None or deleting(cached):
            return None
        sts = copy.deepcopy(cached)
        uid = str(meta(sts).get("uid", ""))
        ref = owner_reference(sts)
        status = sts.get("status") or {}
        revisions = [r for r in self.informer(CONTROLLERREVISIONS).owned_by(uid) if owned_by_uid(r, uid)]
        collision = int(status.get("collisionCount") or 0)
        update, collision, revisions = await sync_revisions(
            self.client, CONTROLLERREVISIONS, self.name, sts, ref, revisions, collision)
        update_name = str(meta(update)["name"])
        by_name = {str(meta(r)["name"]): r for r in revisions}
        current = by_name.get(str(status.get("currentRevision") or "")) or update
        current_name = str(meta(current)["name"])

        pods = [p for p in self.informer(PODS).owned_by(uid) if owned_by_uid(p, uid)]
        claims = {str(meta(c)["name"]): c for c in self.informer(PVCS).list(namespace=ns)}
        now = self.ctx.now()
        plan = plan_statefulset(sts, pods, claims, current_template=template_of_revision(current),
                                update_template=template_of_revision(update), current_revision=current_name,
                                update_revision=update_name, owner_ref=ref, now=now)
        for action in plan.actions:
            if not await self._execute(sts, action):
                break

        new_status = compute_status(sts, pods, current_revision=current_name, update_revision=update_name,
                                    collision_count=collision, now=now)
        if any(status.get(k) != v for k, v in new_status.items()):
            await self.client.patch(STATEFULSETS, ns, name, {"status": new_status}, subresource="status",
                                    field_manager=self.name)

        live = {current_name, update_name, new_status["currentRevision"]}
        live |= {str((meta(p).get("labels") or {}).get(HASH_LABEL, "")) for p in pods}
        await prune_revisions(self.client, CONTROLLERREVISIONS, sts, revisions, live)
        return next_availability(sts, pods, now)

    async def _execute(self, sts: Obj, action: Action) -> bool:
        """Run one action; False stops the rest of the plan (a failure was recorded)."""
        ns = str(meta(sts).get("namespace", ""))
        set_name = str(meta(sts).get("name", ""))
        try:
            if action.verb == "create_claim":
                assert action.body is not None
                await self.client.create(PVCS, ns, action.body, field_manager=self.name)
                self.events.record(sts, "Normal", "SuccessfulCreate",
                                   f"create Claim {action.name} Pod {action.pod} in StatefulSet {set_name} success",
                                   component=self.name)
            elif action.verb == "create_pod":
                assert action.body is not None
                await self.client.create(PODS, ns, action.body, field_manager=self.name)
                self.events.record(sts, "Normal", "SuccessfulCreate",
                                   f"create Pod {action.name} in StatefulSet {set_name} successful",
                                   component=self.name)
            elif action.verb == "own_claim":
                claim = self.informer(PVCS).get(ns, action.name)
                refs = list(meta(claim).get("ownerReferences") or []) if claim else []
                if claim is not None and not any(r.get("uid") == action.uid for r in refs):
                    refs.append({"apiVersion": "v1", "kind": "Pod", "name": action.pod, "uid": action.uid})
                    await self.client.patch(PVCS, ns, action.name, {"metadata": {
                        "ownerReferences": refs, "resourceVersion": meta(claim).get("resourceVersion")}},
                        field_manager=self.name)
            elif action.verb == "delete_pod":
                await self.client.delete(PODS, ns, action.name, preconditions={"uid": action.uid})
                self.events.record(sts, "Normal", "SuccessfulDelete",
                                   f"delete Pod {action.name} in StatefulSet {set_name} successful",
                                   component=self.name)
        except ApiError as exc:
            if exc.code == 409 and action.verb.startswith("create"):
                return True  # already exists: our cache is behind
            if exc.code == 409 and action.verb == "delete_pod":
                return False  # the pod was replaced meanwhile
            kind = "Claim" if action.verb.endswith("claim") else "Pod"
            verb = action.verb.split("_")[0]
            self.events.record(sts, "Warning", f"Failed{verb.capitalize()}",
                               f"{verb} {kind} {action.name} in StatefulSet {set_name} failed error: {exc.message}",
                               component=self.name)
            raise
        return True
