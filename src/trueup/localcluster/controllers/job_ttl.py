"""The TTL-after-finished controller: deletes a finished Job (Complete or Failed)
`spec.ttlSecondsAfterFinished` seconds after it finished (completionTime, else the finishing
condition's lastTransitionTime), with Foreground propagation and a UID precondition, as
kube-controller-manager's ttl-after-finished controller does."""

from __future__ import annotations

from ..client import JOBS
from .informer import Key
from .job_plan import finished
from .revisions import condition, deleting, meta, parse_time
from .runtime import Controller


class TTLAfterFinishedController(Controller):
    name = "ttl-after-finished-controller"
    resource = JOBS
    workers = 1

    async def reconcile(self, key: Key) -> float | None:
        ns, name = key
        job = self.primary.get(ns, name)
        if job is None or deleting(job):
            return None
        ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
        done = finished(job)
        if ttl is None or not done:
            return None
        at = parse_time((job.get("status") or {}).get("completionTime"))
        if at is None:
            at = parse_time((condition(job, done) or {}).get("lastTransitionTime"))
        left = (at or 0.0) + int(ttl) - self.ctx.now()
        if left > 0:
            return left
        await self.client.delete(JOBS, ns, name, propagation="Foreground",
                                 preconditions={"uid": meta(job).get("uid")})
        return None
