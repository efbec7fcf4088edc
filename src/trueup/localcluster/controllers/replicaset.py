"""The ReplicaSet controller: keeps spec.replicas active Pods for every ReplicaSet, as
kube-controller-manager's replicaset-controller does.

One reconcile of a ReplicaSet:
1. claims Pods: owned Pods that no longer match the selector are released; orphan Pods that
   match are adopted (strategic-merge patch of ownerReferences with a UID precondition);
2. unless creations/deletions it asked for are still unobserved by the Pod cache
   ("expectations", which stop it from creating twice), creates the missing Pods in slow-start
   batches (1, 2, 4, …, each batch concurrent; a failed batch stops the rest) or deletes the
   surplus ones, most deletable first; Events SuccessfulCreate / SuccessfulDelete / FailedCreate;
3. writes the status through /status with the resourceVersion it read (on 409, re-reads and
   retries once), and requeues itself when a ready Pod becomes available after minReadySeconds.

A ReplicaSet being deleted (deletionTimestamp) is left alone: the garbage collector owns it.
"""

from __future__ import annotations

import asyncio
import copy
import time
from dataclasses import dataclass, field
from typing import Any

from ..client import PODS, REPLICASETS, ApiError
from .informer import Key, Obj, key_of
from .replicaset_pods import (
    BURST_REPLICAS,
    deletion_order,
    is_active,
    meta,
    pod_from_template,
    replicas_of,
    replicaset_status,
    seconds_until_available,
    selector_of,
    slow_start_batches,
    status_equal,
)
from .runtime import Controller, controller_owner, owner_reference

# Unobserved creations/deletions stop further ones for at most this long (kcm: 5 minutes).
_EXPECTATIONS_TTL = 60.0


@dataclass
class _Expectations:
    creates: set[str] = field(default_factory=set)
    deletes: set[str] = field(default_factory=set)
    deadline: float = 0.0


class ReplicaSetController(Controller):
    name = "replicaset-controller"
    resource = REPLICASETS
    owns = (PODS,)
    workers = 5
    order = 40

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._expect: dict[Key, _Expectations] = {}
        self._orphans: dict[str, set[str]] = {}

    def setup(self) -> None:
        super().setup()
        self.informer(PODS).add_handler(self._on_pod)

    # ----- pod events: orphans to adopt, expectations
    def _on_pod(self, etype: str, pod: Obj, old: Obj | None) -> None:
        ns, name = key_of(pod)
        orphans = self._orphans.setdefault(ns, set())
        owner = controller_owner(pod)
        if etype == "DELETED" or owner is not None:
            orphans.discard(name)
        else:
            orphans.add(name)
            if is_active(pod):
                labels = meta(pod).get("labels") or {}
                for rs in self.primary.list(ns):
                    if selector_of(rs).matches(labels):
                        self.enqueue(key_of(rs))
        if etype == "DELETED" and owner is not None and owner.get("kind") == "ReplicaSet":
            exp = self._expect.get((ns, str(owner.get("name", ""))))
            if exp is not None:
                exp.creates.discard(name)

    def _satisfied(self, key: Key) -> bool:
        exp = self._expect.get(key)
        if exp is None:
            return True
        pods = self.informer(PODS)
        exp.creates = {n for n in exp.creates if pods.get(key[0], n) is None}
        exp.deletes = {n for n in exp.deletes if pods.get(key[0], n) is not None}
        if (not exp.creates and not exp.deletes) or time.time() > exp.deadline:
            del self._expect[key]
            return True
        return False

    # ----- reconcile
    async def reconcile(self, key: Key) -> float | None:
        ns, name = key
        rs = self.primary.get(ns, name)
        if rs is None:
            self._expect.pop(key, None)
            return None
        if meta(rs).get("deletionTimestamp"):
            return None
        pods = await self._claim(rs)
        manage_error: str | None = None
        if self._satisfied(key):
            manage_error = await self._manage(rs, pods)
        now = time.time()
        status = replicaset_status(rs, pods, now, manage_error)
        await self._write_status(rs, status)
        if manage_error is not None:
            raise RuntimeError(manage_error)
        return _availability_requeue(rs, pods, now)

    async def _claim(self, rs: Obj) -> list[Obj]:
        ns, _ = key_of(rs)
        uid = str(meta(rs).get("uid", ""))
        selector = selector_of(rs)
        pods_inf = self.informer(PODS)
        claimed: list[Obj] = []
        for pod in pods_inf.owned_by(uid):
            ref = controller_owner(pod)
            if ref is None or ref.get("uid") != uid or not is_active(pod):
                continue
            if selector.matches(meta(pod).get("labels") or {}):
                claimed.append(pod)
            else:
                await self._patch_owner(pod, {"$patch": "delete", "uid": uid})
        for pod_name in sorted(self._orphans.get(ns, ())):
            orphan = pods_inf.get(ns, pod_name)
            if orphan is None or controller_owner(orphan) is not None or not is_active(orphan):
                continue
            if not selector.matches(meta(orphan).get("labels") or {}):
                continue
            adopted = await self._patch_owner(orphan, owner_reference(rs))
            if adopted is not None:
                claimed.append(adopted)
        return claimed

    async def _patch_owner(self, pod: Obj, ref: Obj) -> Obj | None:
        ns, name = key_of(pod)
        body = {"metadata": {"ownerReferences": [ref], "uid": meta(pod).get("uid")}}
        try:
            return await self.client.patch(PODS, ns, name, body, field_manager=self.name, patch_type="strategic")
        except ApiError as exc:
            if exc.not_found or exc.code == 422 or exc.conflict:
                return None
            raise

    async def _manage(self, rs: Obj, pods: list[Obj]) -> str | None:
        diff = len(pods) - replicas_of(rs)
        key = key_of(rs)
        if diff < 0:
            return await self._create(rs, key, min(-diff, BURST_REPLICAS))
        if diff > 0:
            await self._delete(rs, key, pods, min(diff, BURST_REPLICAS))
        return None

    async def _create(self, rs: Obj, key: Key, count: int) -> str | None:
        ns, _ = key
        body = pod_from_template(rs, owner_reference(rs))
        exp = self._expect.setdefault(key, _Expectations())
        exp.deadline = time.time() + _EXPECTATIONS_TTL
        for batch in slow_start_batches(count):
            results = await asyncio.gather(
                *(self.client.create(PODS, ns, copy.deepcopy(body), field_manager=self.name) for _ in range(batch)),
                return_exceptions=True)
            error: BaseException | None = None
            for res in results:
                if isinstance(res, BaseException):
                    error = error or res
                    continue
                pod_name = str(meta(res).get("name", ""))
                if self.informer(PODS).get(ns, pod_name) is None:
                    exp.creates.add(pod_name)
                self.events.record(rs, "Normal", "SuccessfulCreate", f"Created pod: {pod_name}", self.name)
            if error is not None:
                message = error.message if isinstance(error, ApiError) else str(error)
                if not (isinstance(error, ApiError) and error.code == 403 and "being terminated" in message):
                    self.events.record(rs, "Warning", "FailedCreate", f"Error creating: {message}", self.name)
                return message
        return None

    async def _delete(self, rs: Obj, key: Key, pods: list[Obj], count: int) -> None:
        ns, _ = key
        victims = deletion_order(pods)[:count]
        exp = self._expect.setdefault(key, _Expectations())
        exp.deadline = time.time() + _EXPECTATIONS_TTL
        exp.deletes.update(str(meta(p).get("name", "")) for p in victims)

        async def delete(pod: Obj) -> None:
            pod_name = str(meta(pod).get("name", ""))
            out = await self.client.delete(PODS, ns, pod_name, preconditions={"uid": meta(pod).get("uid")})
            if out is not None:
                self.events.record(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {pod_name}", self.name)

        results = await asyncio.gather(*(delete(p) for p in victims), return_exceptions=True)
        for res in results:
            if isinstance(res, ApiError) and res.conflict:
                continue  # the Pod was replaced meanwhile (uid precondition)
            if isinstance(res, BaseException):
                self.events.record(rs, "Warning", "FailedDelete", f"Error deleting: {res}", self.name)
                raise res

    async def _write_status(self, rs: Obj, status: Obj) -> None:
        if status_equal(rs.get("status"), status):
            return
        ns, name = key_of(rs)
        body = copy.deepcopy(rs)
        for attempt in range(2):
            body["status"] = status
            try:
                await self.client.update(REPLICASETS, ns, name, body, field_manager=self.name, subresource="status")
                return
            except ApiError as exc:
                if not exc.conflict or attempt:
                    raise
            fresh = await self.client.get(REPLICASETS, ns, name)
            if fresh is None or meta(fresh).get("deletionTimestamp"):
                return
            body = fresh


def _availability_requeue(rs: Obj, pods: list[Obj], now: float) -> float | None:
    min_ready = int((rs.get("spec") or {}).get("minReadySeconds") or 0)
    if min_ready <= 0:
        return None
    waits = [w for p in pods if (w := seconds_until_available(p, min_ready, now)) is not None]
    return min(waits) + 0.05 if waits else None
