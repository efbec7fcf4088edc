"""The CronJob controller: executes the plan of `cronjob_plan` through the API (create the due
Job, delete replaced and out-of-history Jobs with Background propagation), records
SuccessfulCreate/SuccessfulDelete/SawCompletedJob/... events, writes status via /status, and
requeues itself for the next schedule time (evaluated on the controller clock, `ctx.now()`).
"""

from __future__ import annotations

import copy

from ..client import CRONJOBS, JOBS, ApiError
from .cronjob_plan import job_ref, plan_cronjob
from .informer import Key, Obj
from .revisions import meta, owned_by_uid
from .runtime import Controller, owner_reference


class CronJobController(Controller):
    name = "cronjob-controller"
    resource = CRONJOBS
    owns = (JOBS,)

    async def reconcile(self, key: Key) -> float | None:
        ns, name = key
        cached = self.primary.get(ns, name)
        if cached is None:
            return None
        cj = copy.deepcopy(cached)
        uid = str(meta(cj).get("uid", ""))
        jobs = [j for j in self.informer(JOBS).owned_by(uid) if owned_by_uid(j, uid)]
        plan = plan_cronjob(cj, jobs, self.ctx.now(), owner_reference(cj))
        for etype, reason, message in plan.events:
            self.events.record(cj, etype, reason, message, component=self.name)
        for job_name in plan.delete_active + plan.delete_history:
            if await self.client.delete(JOBS, ns, job_name, propagation="Background") is not None:
                self.events.record(cj, "Normal", "SuccessfulDelete", f"Deleted job {job_name}", component=self.name)
        status = plan.status
        if plan.create is not None:
            job_name = str(plan.create["metadata"]["name"])
            created: Obj | None
            try:
                created = await self.client.create(JOBS, ns, plan.create, field_manager=self.name)
            except ApiError as exc:
                if exc.code != 409:
                    self.events.record(cj, "Warning", "FailedCreate", f"Error creating job: {exc.message}",
                                       component=self.name)
                    raise
                created = await self.client.get(JOBS, ns, job_name)
            else:
                self.events.record(cj, "Normal", "SuccessfulCreate", f"Created job {job_name}", component=self.name)
            if created is not None and owned_by_uid(created, uid):
                status["active"] = [*(status.get("active") or []), job_ref(created)]
        old = cj.get("status") or {}
        if any(old.get(k) != v for k, v in status.items() if not (v is None and k not in old)):
            await self.client.patch(CRONJOBS, ns, name, {
                "metadata": {"resourceVersion": meta(cj).get("resourceVersion")}, "status": status},
                subresource="status", field_manager=self.name)
        return plan.requeue
