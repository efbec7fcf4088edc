"""The Job controller: counts finished pods (uncountedTerminatedPods, then the tracking
finalizer comes off), executes the plan of `job_plan` (create/delete pods, conditions) through the
API with creation expectations, records SuccessfulCreate/SuccessfulDelete/Completed/
BackoffLimitExceeded/DeadlineExceeded/Suspended/Resumed events, and writes status via /status
with the Job's resourceVersion (so counts are never written from a stale view).

A Job being deleted (or finished) has the tracking finalizer removed from its pods, so the
garbage collector can delete them.
"""

from __future__ import annotations

import copy

from ..client import JOBS, PODS, ApiError
from .informer import Key, Obj
from .job_plan import (
    TRACKING_FINALIZER,
    build_pod,
    finished,
    format_indexes,
    has_tracking_finalizer,
    parse_indexes,
    plan_job,
    pod_index,
    pods_to_track,
)
from .revisions import Expectations, deleting, meta, owned_by_uid
from .runtime import Controller, owner_reference


class JobController(Controller):
    name = "job-controller"
    resource = JOBS
    owns = (PODS,)
    workers = 4

    def setup(self) -> None:
        super().setup()
        self.expectations = Expectations()

    async def reconcile(self, key: Key) -> float | None:
        ns, name = key
        cached = self.primary.get(ns, name)
        if cached is None:
            self.expectations.forget(key)
            return None
        job = copy.deepcopy(cached)
        uid = str(meta(job).get("uid", ""))
        pods = [p for p in self.informer(PODS).owned_by(uid) if owned_by_uid(p, uid)]
        if deleting(job):
            for p in pods:
                await self._release(p)
            return None
        if not self.expectations.satisfied(key, (str(meta(p)["name"]) for p in pods)):
            return 0.5

        done_ok, done_failed = pods_to_track(pods)
        uncounted = (job.get("status") or {}).get("uncountedTerminatedPods") or {}
        if done_ok or done_failed or uncounted.get("succeeded") or uncounted.get("failed"):
            job = await self._track(job, done_ok, done_failed)
            gone = {id(p) for p in done_ok + done_failed if deleting(p)}
            pods = [p for p in pods if id(p) not in gone]

        plan = plan_job(job, pods, self.ctx.now(), self.settings.timing)
        for pod in plan.delete:
            await self._release(pod)
            await self.client.delete(PODS, ns, str(meta(pod)["name"]), preconditions={"uid": meta(pod).get("uid")})
            self.expectations.expect_delete(key, str(meta(pod)["name"]))
            self.events.record(job, "Normal", "SuccessfulDelete", f"Deleted pod: {meta(pod)['name']}",
                               component=self.name)
        ref = owner_reference(job)
        for index in plan.create:
            try:
                created = await self.client.create(PODS, ns, build_pod(job, index, ref), field_manager=self.name)
            except ApiError as exc:
                self.events.record(job, "Warning", "FailedCreate", f"Error creating: {exc.message}",
                                   component=self.name)
                raise
            self.expectations.expect_add(key, str(meta(created)["name"]))
            self.events.record(job, "Normal", "SuccessfulCreate", f"Created pod: {meta(created)['name']}",
                               component=self.name)
        for etype, reason, message in plan.events:
            self.events.record(job, etype, reason, message, component=self.name)

        status = job.get("status") or {}
        if any(status.get(k) != v for k, v in plan.status.items()):
            await self.client.patch(JOBS, ns, name, {
                "metadata": {"resourceVersion": meta(job).get("resourceVersion")}, "status": plan.status},
                subresource="status", field_manager=self.name)
        if finished({"status": plan.status}):
            for p in pods:
                await self._release(p)
        return plan.requeue

    async def _release(self, pod: Obj) -> None:
        """Remove our tracking finalizer from a pod (if it still has it)."""
        if not has_tracking_finalizer(pod):
            return
        rest = [f for f in meta(pod).get("finalizers") or [] if f != TRACKING_FINALIZER]
        try:
            await self.client.patch(PODS, str(meta(pod).get("namespace", "")), str(meta(pod)["name"]), {
                "metadata": {"finalizers": rest or None, "resourceVersion": meta(pod).get("resourceVersion")}},
                field_manager=self.name)
        except ApiError as exc:
            if not exc.not_found:
                raise

    async def _track(self, job: Obj, done_ok: list[Obj], done_failed: list[Obj]) -> Obj:
        """Count finished pods: record their UIDs, drop their finalizers, then fold into counts."""
        ns, name = str(meta(job).get("namespace", "")), str(meta(job)["name"])
        status = job.get("status") or {}
        uncounted = status.get("uncountedTerminatedPods") or {}
        ok = list(dict.fromkeys([*(uncounted.get("succeeded") or []), *(str(meta(p)["uid"]) for p in done_ok)]))
        bad = list(dict.fromkeys([*(uncounted.get("failed") or []), *(str(meta(p)["uid"]) for p in done_failed)]))
        job = await self.client.patch(JOBS, ns, name, {
            "metadata": {"resourceVersion": meta(job).get("resourceVersion")},
            "status": {"uncountedTerminatedPods": {"succeeded": ok or None, "failed": bad or None}}},
            subresource="status", field_manager=self.name)
        for p in done_ok + done_failed:
            await self._release(p)
        status = job.get("status") or {}
        new: Obj = {"uncountedTerminatedPods": {"succeeded": None, "failed": None},
                    "succeeded": int(status.get("succeeded") or 0) + len(ok),
                    "failed": int(status.get("failed") or 0) + len(bad)}
        if (job.get("spec") or {}).get("completionMode") == "Indexed":
            completed = parse_indexes(str(status.get("completedIndexes") or ""))
            completed |= {i for i in (pod_index(p) for p in done_ok) if i is not None}
            new["completedIndexes"] = format_indexes(completed)
            new["succeeded"] = len(completed)
        out: Obj = await self.client.patch(JOBS, ns, name, {
            "metadata": {"resourceVersion": meta(job).get("resourceVersion")}, "status": new},
            subresource="status", field_manager=self.name)
        return out
