"""Job planning, pure: pod tracking, how many pods to run, back-off, conditions and status.

As kube-controller-manager's Job controller (1.37), for the documented subset:
- Pods (generateName `<job>-`; Indexed: `<job>-<index>-` with the
  `batch.kubernetes.io/job-completion-index` annotation and label, hostname `<job>-<index>` and
  env JOB_COMPLETION_INDEX) carry the `batch.kubernetes.io/job-tracking` finalizer. Finished pods
  are counted through `status.uncountedTerminatedPods` and then their finalizer is removed, so a
  finished pod that is deleted is never lost from `succeeded`/`failed`. A pod deleted before it
  finished counts as failed (the pre-PodReplacementPolicy rule: this API server has no graceful
  termination, so `terminating` is 0 in practice).
- Active pods up to `min(parallelism, completions - succeeded)` (no completions: `parallelism`
  until one pod succeeds). Pods recreated after failures wait an exponential back-off from the
  last failure (real: 10 s doubling, capped at 6 min; here fast: 10 ms doubling capped at
  0.2 s, realistic: 2 s doubling capped at 60 s).
- `failed > backoffLimit` (or, with restartPolicy OnFailure, container restarts of active pods
  reaching backoffLimit) → FailureTarget then Failed, reason BackoffLimitExceeded, "Job has
  reached the specified backoff limit"; activeDeadlineSeconds → reason DeadlineExceeded, "Job
  was active longer than specified deadline". Active pods are deleted. No completionTime.
- Enough successes → SuccessCriteriaMet then Complete (reason CompletionsReached, "Reached
  expected number of succeeded pods"), completionTime.
- suspend → active pods deleted (not counted as failures), Suspended (JobSuspended, "Job
  suspended"); resume → Suspended False (JobResumed, "Job resumed") and startTime reset.
Not done: podFailurePolicy, successPolicy, backoffLimitPerIndex, podReplacementPolicy Failed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .revisions import condition, deleting, fmt_time, meta, parse_time, ready, terminal

Obj = dict[str, Any]

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
INDEX_KEY = "batch.kubernetes.io/job-completion-index"
FINISHED = ("Complete", "Failed")


@dataclass
class JobPlan:
    create: list[int | None] = field(default_factory=list)  # completion index per new pod (None: NonIndexed)
    delete: list[Obj] = field(default_factory=list)         # active pods to delete
    status: Obj = field(default_factory=dict)
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (type, reason, message)
    requeue: float | None = None


# ----- small helpers

def finished(job: Obj) -> str:
    for ctype in FINISHED:
        c = condition(job, ctype)
        if c is not None and c.get("status") == "True":
            return ctype
    return ""


def set_condition(conditions: list[Obj], ctype: str, status: str, reason: str, message: str, now: float) -> None:
    ts = fmt_time(now)
    for c in conditions:
        if c.get("type") == ctype:
            if c.get("status") != status:
                c["lastTransitionTime"] = ts
            c.update({"status": status, "reason": reason, "message": message, "lastProbeTime": ts})
            return
    conditions.append({"type": ctype, "status": status, "reason": reason, "message": message,
                       "lastProbeTime": ts, "lastTransitionTime": ts})


def backoff_delay(failures: int, timing: str) -> float:
    if failures <= 0:
        return 0.0
    base, cap = (0.01, 0.2) if timing == "fast" else (2.0, 60.0)
    return float(min(base * 2 ** (failures - 1), cap))


def parse_indexes(text: str) -> set[int]:
    out: set[int] = set()
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            out.update(range(int(a), int(b) + 1))
        else:
            out.add(int(part))
    return out


def format_indexes(indexes: set[int]) -> str:
    parts: list[str] = []
    run: list[int] = []
    for i in sorted(indexes):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [i]
    if run:
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ",".join(parts)


def pod_index(pod: Obj) -> int | None:
    raw = (meta(pod).get("annotations") or {}).get(INDEX_KEY) or (meta(pod).get("labels") or {}).get(INDEX_KEY)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def has_tracking_finalizer(pod: Obj) -> bool:
    return TRACKING_FINALIZER in (meta(pod).get("finalizers") or [])


def pods_to_track(pods: list[Obj]) -> tuple[list[Obj], list[Obj]]:
    """Finished pods still carrying our finalizer: (succeeded, failed)."""
    succeeded, failed = [], []
    for p in pods:
        if not has_tracking_finalizer(p) or not (terminal(p) or deleting(p)):
            continue
        if (p.get("status") or {}).get("phase") == "Succeeded":
            succeeded.append(p)
        else:
            failed.append(p)
    return succeeded, failed


def finish_time(pod: Obj) -> float | None:
    times = []
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        t = parse_time(((cs.get("state") or {}).get("terminated") or {}).get("finishedAt"))
        if t is not None:
            times.append(t)
    if times:
        return max(times)
    c = condition(pod, "Ready")
    return parse_time(c.get("lastTransitionTime")) if c else None


def build_pod(job: Obj, index: int | None, owner_ref: Obj) -> Obj:
    m = meta(job)
    name = str(m.get("name", ""))
    tpl = ((job.get("spec") or {}).get("template")) or {}
    tm = tpl.get("metadata") or {}
    labels = dict(tm.get("labels") or {})
    annotations = dict(tm.get("annotations") or {})
    spec = copy.deepcopy(tpl.get("spec") or {})
    generate = f"{name}-"
    if index is not None:
        labels[INDEX_KEY] = str(index)
        annotations[INDEX_KEY] = str(index)
        generate = f"{name}-{index}-"
        spec.setdefault("hostname", f"{name}-{index}")
        env = {"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
            "fieldPath": f"metadata.annotations['{INDEX_KEY}']"}}}
        for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
            c["env"] = [e for e in c.get("env") or [] if e.get("name") != "JOB_COMPLETION_INDEX"] + [dict(env)]
    pm: Obj = {"generateName": generate, "namespace": m.get("namespace", ""), "labels": labels,
               "ownerReferences": [dict(owner_ref)], "finalizers": [TRACKING_FINALIZER]}
    if annotations:
        pm["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pm, "spec": spec}


def _restarts(pod: Obj) -> int:
    st = pod.get("status") or {}
    return sum(int(c.get("restartCount") or 0)
               for c in [*(st.get("initContainerStatuses") or []), *(st.get("containerStatuses") or [])])


# ----- the plan

def plan_job(job: Obj, pods: list[Obj], now: float, timing: str = "fast") -> JobPlan:
    """`job.status` must already count every finished pod (see `pods_to_track`)."""
    spec = job.get("spec") or {}
    st = copy.deepcopy(job.get("status") or {})
    conds: list[Obj] = st.setdefault("conditions", [])
    plan = JobPlan(status=st)
    active = [p for p in pods if not terminal(p) and not deleting(p)]
    terminating = [p for p in pods if deleting(p) and not terminal(p)]
    succeeded, failed = int(st.get("succeeded") or 0), int(st.get("failed") or 0)
    parallelism = int(spec["parallelism"]) if spec.get("parallelism") is not None else 1
    completions: int | None = int(spec["completions"]) if spec.get("completions") is not None else None
    indexed = spec.get("completionMode") == "Indexed" and completions is not None
    completed = parse_indexes(str(st.get("completedIndexes") or ""))
    backoff_limit = int(spec["backoffLimit"]) if spec.get("backoffLimit") is not None else 6
    ev = plan.events

    def finish_status(active_left: int) -> None:
        st.update({"active": active_left, "ready": sum(1 for p in active if ready(p) and p not in plan.delete),
                   "terminating": len(terminating), "succeeded": succeeded, "failed": failed})
        st.setdefault("uncountedTerminatedPods", {})
        if indexed:
            st["completedIndexes"] = format_indexes(completed)
        if not conds:
            st.pop("conditions")

    if finished(job):
        finish_status(len(active))
        return plan

    failure = condition(job, "FailureTarget")
    success = condition(job, "SuccessCriteriaMet")
    reached = (len(completed) >= completions if completions is not None and indexed else
               succeeded >= completions if completions is not None else succeeded > 0 and not active)
    if (failure is None or failure.get("status") != "True") and (success is None or success.get("status") != "True"):
        if spec.get("suspend"):
            plan.delete = list(active)
            suspended = condition(job, "Suspended")
            if suspended is None or suspended.get("status") != "True":
                set_condition(conds, "Suspended", "True", "JobSuspended", "Job suspended", now)
                ev.append(("Normal", "Suspended", "Job suspended"))
            finish_status(0)
            return plan
        suspended = condition(job, "Suspended")
        if suspended is not None and suspended.get("status") == "True":
            set_condition(conds, "Suspended", "False", "JobResumed", "Job resumed", now)
            ev.append(("Normal", "Resumed", "Job resumed"))
            st["startTime"] = fmt_time(now)
        st.setdefault("startTime", fmt_time(now))
        started = parse_time(st["startTime"]) or now
        deadline = spec.get("activeDeadlineSeconds")
        on_failure = ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") == "OnFailure"
        restarts = sum(_restarts(p) for p in active) if on_failure else 0
        if deadline is not None and now - started >= int(deadline):
            failure = {"reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline"}
        elif failed > backoff_limit or (on_failure and (restarts > 0 if backoff_limit == 0
                                                        else restarts >= backoff_limit)):
            failure = {"reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}
        elif reached:
            success = {"reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"}
        else:
            failure = success = None
        if failure is not None:
            set_condition(conds, "FailureTarget", "True", failure["reason"], failure["message"], now)
            ev.append(("Warning", str(failure["reason"]), str(failure["message"])))
        elif success is not None:
            set_condition(conds, "SuccessCriteriaMet", "True", success["reason"], success["message"], now)
        if deadline is not None and failure is None and success is None:
            plan.requeue = max(started + int(deadline) - now, 0.001)

    if failure is not None or success is not None:
        plan.delete = list(active)
        if not terminating:
            done = failure if failure is not None else success
            assert done is not None
            set_condition(conds, "Failed" if failure is not None else "Complete", "True", str(done.get("reason")),
                          str(done.get("message")), now)
            if failure is None:
                st["completionTime"] = fmt_time(now)
                ev.append(("Normal", "Completed", "Job completed"))
        finish_status(0)
        plan.requeue = None
        return plan

    # Running: create or delete pods to reach the wanted number of active pods.
    pending: list[int] = []
    if indexed and completions is not None:
        running_idx = {pod_index(p) for p in active}
        pending = [i for i in range(completions) if i not in completed and i not in running_idx]
        want = min(parallelism, len(pending) + len(active))
    elif completions is not None:
        want = min(parallelism, completions - succeeded)
    else:
        want = parallelism if succeeded == 0 else len(active)
    want = max(want, 0)
    if len(active) < want:
        last_failure = max((t for t in (finish_time(p) for p in pods if (p.get("status") or {}).get("phase")
                                        == "Failed") if t is not None), default=None)
        wait = 0.0
        if failed > 0 and last_failure is not None:
            wait = last_failure + backoff_delay(failed, timing) - now
        if wait > 0:
            plan.requeue = min(plan.requeue or wait, wait)
        else:
            n = want - len(active)
            plan.create = list(pending[:n]) if indexed else [None] * n
    elif len(active) > want:
        newest_first = sorted(active, key=lambda p: str(meta(p).get("creationTimestamp") or ""), reverse=True)
        ordered = sorted(newest_first, key=ready)
        plan.delete = ordered[:len(active) - want]
    finish_status(len(active) - len(plan.delete) + len(plan.create))
    return plan
