"""CronJob planning, pure: schedule times, missed runs, concurrency, the Jobs to create/delete.

As kube-controller-manager's CronJob controller (1.37):
- The schedule (5 fields or @hourly/@daily/...) is evaluated in `spec.timeZone` (default: UTC,
  the controller manager's zone here) with croniter, against the controller clock.
- The run due is the most recent schedule time in (lastScheduleTime or creationTimestamp, now];
  with startingDeadlineSeconds the window starts no earlier than now - deadline, and a run more
  than the deadline late is skipped (Warning MissSchedule). More than 100 missed times: Warning
  TooManyMissedTimes (the most recent one still runs).
- Jobs are named `<cronjob>-<scheduled time in minutes since the epoch>` with the
  `batch.kubernetes.io/cronjob-scheduled-timestamp` annotation, labels/annotations of the
  jobTemplate, and a controller reference to the CronJob.
- concurrencyPolicy Forbid skips a run while a Job is active (JobAlreadyActive); Replace deletes
  the active Jobs first; Allow runs them side by side. suspend stops new runs only.
- Finished Jobs leave `status.active` (SawCompletedJob); lastSuccessfulTime is the newest
  completionTime of a Complete Job; history limits delete the oldest finished Jobs.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter

from .revisions import condition, fmt_time, meta, parse_time

Obj = dict[str, Any]

SCHEDULED_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
MAX_MISSED = 100


@dataclass
class Due:
    scheduled: dt.datetime | None   # the run to start now (None: nothing due)
    missed: int                     # schedule times in the window (1 = just this one)
    next_time: dt.datetime          # the next schedule time after now
    too_late: bool = False          # past startingDeadlineSeconds


@dataclass
class CronPlan:
    create: Obj | None = None                            # the Job to create
    delete_active: list[str] = field(default_factory=list)   # Replace: active Jobs to delete
    delete_history: list[str] = field(default_factory=list)  # finished Jobs beyond the limits
    status: Obj = field(default_factory=dict)
    events: list[tuple[str, str, str]] = field(default_factory=list)
    requeue: float | None = None


def zone(cj: Obj) -> dt.tzinfo:
    name = (cj.get("spec") or {}).get("timeZone")
    return ZoneInfo(str(name)) if name else dt.UTC


def _floor_minute(t: dt.datetime) -> dt.datetime:
    return t.replace(second=0, microsecond=0)


def next_after(schedule: str, t: dt.datetime) -> dt.datetime:
    out: dt.datetime = croniter(schedule, t).get_next(dt.datetime)
    return out


def most_recent(schedule: str, earliest: dt.datetime, now: dt.datetime) -> tuple[dt.datetime | None, int]:
    """The latest schedule time in (earliest, now] and how many there are (capped at MAX_MISSED+1)."""
    if now <= earliest:
        return None, 0
    latest: dt.datetime = croniter(schedule, _floor_minute(now) + dt.timedelta(seconds=1)).get_prev(dt.datetime)
    if latest <= earliest:
        return None, 0
    count = 0
    it = croniter(schedule, earliest)
    while count <= MAX_MISSED:
        t: dt.datetime = it.get_next(dt.datetime)
        if t > now:
            break
        count += 1
    return latest, count


def due(cj: Obj, now_ts: float) -> Due:
    spec = cj.get("spec") or {}
    tz = zone(cj)
    now = dt.datetime.fromtimestamp(now_ts, tz)
    status = cj.get("status") or {}
    start = parse_time(status.get("lastScheduleTime")) or parse_time(meta(cj).get("creationTimestamp")) or now_ts
    deadline = spec.get("startingDeadlineSeconds")
    if deadline is not None:
        start = max(start, now_ts - int(deadline))
    schedule = str(spec.get("schedule") or "")
    scheduled, missed = most_recent(schedule, dt.datetime.fromtimestamp(start, tz), now)
    nxt = next_after(schedule, now)
    too_late = (scheduled is not None and deadline is not None
                and scheduled.timestamp() + int(deadline) < now_ts)
    return Due(scheduled, missed, nxt, too_late)


def rfc3339(t: dt.datetime) -> str:
    s = t.replace(microsecond=0).isoformat()
    return s[:-6] + "Z" if s.endswith("+00:00") else s


def job_name(cj: Obj, scheduled: dt.datetime) -> str:
    return f"{meta(cj).get('name', '')}-{int(scheduled.timestamp()) // 60}"


def build_job(cj: Obj, scheduled: dt.datetime, owner_ref: Obj) -> Obj:
    tpl = ((cj.get("spec") or {}).get("jobTemplate")) or {}
    tm = tpl.get("metadata") or {}
    annotations = {**(tm.get("annotations") or {}), SCHEDULED_ANNOTATION: rfc3339(scheduled)}
    jm: Obj = {"name": job_name(cj, scheduled), "namespace": meta(cj).get("namespace", ""),
               "annotations": annotations, "ownerReferences": [dict(owner_ref)]}
    if tm.get("labels"):
        jm["labels"] = dict(tm["labels"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": jm, "spec": copy.deepcopy(tpl.get("spec") or {})}


def job_finished(job: Obj) -> str:
    for ctype in ("Complete", "Failed"):
        c = condition(job, ctype)
        if c is not None and c.get("status") == "True":
            return ctype
    return ""


def job_ref(job: Obj) -> Obj:
    m = meta(job)
    return {"apiVersion": "batch/v1", "kind": "Job", "name": m.get("name", ""), "namespace": m.get("namespace", ""),
            "uid": m.get("uid", ""), "resourceVersion": m.get("resourceVersion", "")}


def plan_cronjob(cj: Obj, jobs: list[Obj], now: float, owner_ref: Obj) -> CronPlan:
    """`jobs`: the Jobs this CronJob controls."""
    spec = cj.get("spec") or {}
    st = copy.deepcopy(cj.get("status") or {})
    plan = CronPlan(status=st)
    ev = plan.events
    by_uid = {str(meta(j).get("uid", "")): j for j in jobs}
    names = {str(meta(j).get("name", "")) for j in jobs}

    # Active list: drop finished and vanished Jobs; note unexpected running ones.
    active: list[Obj] = []
    for ref in st.get("active") or []:
        j = by_uid.get(str(ref.get("uid", "")))
        if j is None:
            ev.append(("Normal", "MissingJob", f"Active job went missing: {ref.get('name', '')}"))
        elif job_finished(j):
            ev.append(("Normal", "SawCompletedJob",
                       f"Saw completed job: {meta(j).get('name')}, condition: {job_finished(j)}"))
        else:
            active.append(ref)
    active_uids = {str(r.get("uid")) for r in active}
    for uid, j in by_uid.items():
        if uid not in active_uids and not job_finished(j) and not meta(j).get("deletionTimestamp") and \
                uid not in {str(r.get("uid")) for r in (cj.get("status") or {}).get("active") or []}:
            ev.append(("Warning", "UnexpectedJob",
                       f"Saw a job that the controller did not create or forgot: {meta(j).get('name')}"))
    succeeded_at = [parse_time((j.get("status") or {}).get("completionTime")) for j in jobs
                    if job_finished(j) == "Complete"]
    newest = max((t for t in succeeded_at if t is not None), default=None)
    current = parse_time(st.get("lastSuccessfulTime"))
    if newest is not None and (current is None or newest > current):
        st["lastSuccessfulTime"] = fmt_time(newest)

    # History limits.
    for kind, limit_key, default in (("Complete", "successfulJobsHistoryLimit", 3),
                                     ("Failed", "failedJobsHistoryLimit", 1)):
        limit = spec.get(limit_key)
        limit = default if limit is None else int(limit)
        done = sorted((j for j in jobs if job_finished(j) == kind and not meta(j).get("deletionTimestamp")),
                      key=lambda j: (str((j.get("status") or {}).get("startTime") or meta(j).get("creationTimestamp")),
                                     str(meta(j).get("name"))))
        plan.delete_history += [str(meta(j)["name"]) for j in done[:max(len(done) - limit, 0)]]

    def finish() -> CronPlan:
        st["active"] = active or None
        return plan

    if meta(cj).get("deletionTimestamp") or spec.get("suspend"):
        return finish()
    d = due(cj, now)
    plan.requeue = max(d.next_time.timestamp() - now, 0.0) + 0.1
    if d.scheduled is None:
        return finish()
    if d.missed > MAX_MISSED:
        ev.append(("Warning", "TooManyMissedTimes", "too many missed start times. Set or decrease "
                   ".spec.startingDeadlineSeconds or check clock skew"))
    if d.too_late:
        ev.append(("Warning", "MissSchedule", f"Missed scheduled time to start a job: {rfc3339(d.scheduled)}"))
        return finish()
    name = job_name(cj, d.scheduled)
    if name in names or any(r.get("name") == name for r in active):
        return finish()
    policy = spec.get("concurrencyPolicy") or "Allow"
    if policy == "Forbid" and active:
        ev.append(("Normal", "JobAlreadyActive",
                   "Not starting job because prior execution is running and concurrency policy is Forbid"))
        return finish()
    if policy == "Replace" and active:
        plan.delete_active = [str(r.get("name")) for r in active]
        active = []
    plan.create = build_job(cj, d.scheduled, owner_ref)
    st["lastScheduleTime"] = fmt_time(d.scheduled.timestamp())
    return finish()
