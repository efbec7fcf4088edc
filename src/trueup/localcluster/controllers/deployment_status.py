"""Pure Deployment status (no I/O): the counters and the Available / Progressing conditions,
as kube-controller-manager's deployment-controller computes them.

- counters from the ReplicaSets' own status: replicas (all), updatedReplicas (the new one),
  readyReplicas, availableReplicas, unavailableReplicas (never negative), observedGeneration;
- Available: True MinimumReplicasAvailable when availableReplicas >= replicas - maxUnavailable,
  else False MinimumReplicasUnavailable;
- Progressing (only with a progress deadline): NewReplicaSetCreated / FoundNewReplicaSet when
  the new ReplicaSet appears, ReplicaSetUpdated on every sign of progress (lastUpdateTime
  moves, lastTransitionTime stays), NewReplicaSetAvailable once complete, False
  ProgressDeadlineExceeded when lastUpdateTime + progressDeadlineSeconds has passed;
  Unknown DeploymentPaused / DeploymentResumed around a pause.

A condition with the same status and reason is left untouched; a new status keeps the old
lastTransitionTime. Setting a condition moves it to the end of the list, as upstream does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .deployment_util import has_progress_deadline, max_unavailable
from .replicaset_pods import format_time, meta, parse_time, replicas_of, status_int

Obj = dict[str, Any]

AVAILABLE = "Available"
PROGRESSING = "Progressing"
REPLICA_FAILURE = "ReplicaFailure"

MIN_AVAILABLE = "MinimumReplicasAvailable"
MIN_UNAVAILABLE = "MinimumReplicasUnavailable"
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
FAILED_RS_CREATE = "ReplicaSetCreateError"


def new_condition(ctype: str, status: str, reason: str, message: str, now: float) -> Obj:
    stamp = format_time(now)
    return {"type": ctype, "status": status, "lastUpdateTime": stamp, "lastTransitionTime": stamp,
            "reason": reason, "message": message}


def get_condition(status: Mapping[str, Any] | None, ctype: str) -> Obj | None:
    for c in (status or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return dict(c)
    return None


def set_condition(status: Obj, cond: Obj) -> None:
    current = get_condition(status, cond["type"])
    if current is not None and current.get("status") == cond["status"] and current.get("reason") == cond["reason"]:
        return
    cond = dict(cond)
    if current is not None and current.get("status") == cond["status"]:
        cond["lastTransitionTime"] = current.get("lastTransitionTime", cond["lastTransitionTime"])
    remove_condition(status, cond["type"])
    status.setdefault("conditions", []).append(cond)


def remove_condition(status: Obj, ctype: str) -> None:
    conds = [c for c in status.get("conditions") or [] if c.get("type") != ctype]
    if conds:
        status["conditions"] = conds
    else:
        status.pop("conditions", None)


# ----- counters
def _sum(rss: Iterable[Obj | None], field: str) -> int:
    return sum(status_int(r, field) for r in rss if r is not None)


def calculate_status(all_rss: Sequence[Obj | None], new_rs: Obj | None, d: Mapping[str, Any], now: float) -> Obj:
    available = _sum(all_rss, "availableReplicas")
    total = _sum(all_rss, "replicas")
    old = d.get("status") or {}
    status: Obj = {
        "observedGeneration": int(meta(d).get("generation") or 0),
        "replicas": total,
        "updatedReplicas": _sum([new_rs], "replicas"),
        "readyReplicas": _sum(all_rss, "readyReplicas"),
        "availableReplicas": available,
        "unavailableReplicas": max(total - available, 0),
    }
    # Zero counters are omitted, as the Go types' omitempty does.
    status = {k: v for k, v in status.items() if v}
    if old.get("collisionCount") is not None:
        status["collisionCount"] = old["collisionCount"]
    if old.get("conditions"):
        status["conditions"] = [dict(c) for c in old["conditions"]]
    if available >= replicas_of(d) - max_unavailable(d):
        set_condition(status, new_condition(AVAILABLE, "True", MIN_AVAILABLE, "Deployment has minimum availability.",
                                            now))
    else:
        set_condition(status, new_condition(AVAILABLE, "False", MIN_UNAVAILABLE,
                                            "Deployment does not have minimum availability.", now))
    return status


def complete(d: Mapping[str, Any], status: Mapping[str, Any]) -> bool:
    want = replicas_of(d)
    return (int(status.get("updatedReplicas") or 0) == want and int(status.get("replicas") or 0) == want
            and int(status.get("availableReplicas") or 0) == want
            and int(status.get("observedGeneration") or 0) >= int(meta(d).get("generation") or 0))


def progressing(d: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    old = d.get("status") or {}

    def n(s: Mapping[str, Any], k: str) -> int:
        return int(s.get(k) or 0)

    return (n(new, "updatedReplicas") > n(old, "updatedReplicas")
            or n(new, "replicas") - n(new, "updatedReplicas") < n(old, "replicas") - n(old, "updatedReplicas")
            or n(new, "readyReplicas") > n(old, "readyReplicas")
            or n(new, "availableReplicas") > n(old, "availableReplicas"))


def _deadline(d: Mapping[str, Any], cond: Mapping[str, Any]) -> float | None:
    updated = parse_time(cond.get("lastUpdateTime"))
    if updated is None:
        return None
    return updated + int((d.get("spec") or {}).get("progressDeadlineSeconds") or 0)


def timed_out(d: Mapping[str, Any], status: Mapping[str, Any], now: float) -> bool:
    if not has_progress_deadline(d):
        return False
    cond = get_condition(status, PROGRESSING)
    if cond is None or cond.get("reason") == NEW_RS_AVAILABLE:
        return False
    if cond.get("reason") == TIMED_OUT:
        return True
    deadline = _deadline(d, cond)
    return deadline is not None and deadline < now


def rollout_status(all_rss: Sequence[Obj | None], new_rs: Obj | None, d: Mapping[str, Any], now: float) -> Obj:
    """syncRolloutStatus: the status after a rollout step, with the Progressing estimate."""
    status = calculate_status(all_rss, new_rs, d, now)
    name = str(meta(d).get("name", ""))
    if not has_progress_deadline(d):
        remove_condition(status, PROGRESSING)
    current = get_condition(d.get("status"), PROGRESSING)
    is_complete = (status.get("replicas", 0) == status.get("updatedReplicas", 0) and current is not None
                   and current.get("reason") == NEW_RS_AVAILABLE)
    if has_progress_deadline(d) and not is_complete:
        rs_name = str(meta(new_rs).get("name", "")) if new_rs is not None else ""
        if complete(d, status):
            msg = f'ReplicaSet "{rs_name}" has successfully progressed.' if new_rs is not None else \
                f'Deployment "{name}" has successfully progressed.'
            set_condition(status, new_condition(PROGRESSING, "True", NEW_RS_AVAILABLE, msg, now))
        elif progressing(d, status):
            msg = f'ReplicaSet "{rs_name}" is progressing.' if new_rs is not None else \
                f'Deployment "{name}" is progressing.'
            cond = new_condition(PROGRESSING, "True", RS_UPDATED, msg, now)
            if current is not None:
                if current.get("status") == "True":
                    cond["lastTransitionTime"] = current.get("lastTransitionTime", cond["lastTransitionTime"])
                remove_condition(status, PROGRESSING)
            set_condition(status, cond)
        elif timed_out(d, status, now):
            msg = f'ReplicaSet "{rs_name}" has timed out progressing.' if new_rs is not None else \
                f'Deployment "{name}" has timed out progressing.'
            set_condition(status, new_condition(PROGRESSING, "False", TIMED_OUT, msg, now))
    failure = next((get_condition(r.get("status"), REPLICA_FAILURE) for r in all_rss
                    if r is not None and get_condition(r.get("status"), REPLICA_FAILURE)), None)
    if failure is not None and failure.get("status") == "True":
        set_condition(status, new_condition(REPLICA_FAILURE, "True", str(failure.get("reason", "")),
                                            str(failure.get("message", "")), now))
    else:
        remove_condition(status, REPLICA_FAILURE)
    return status


def stuck_requeue(d: Mapping[str, Any], status: Mapping[str, Any], now: float) -> float | None:
    """requeueStuckDeployment: when to look again for the progress deadline."""
    current = get_condition(d.get("status"), PROGRESSING)
    if not has_progress_deadline(d) or current is None:
        return None
    if complete(d, status) or current.get("reason") == TIMED_OUT:
        return None
    deadline = _deadline(d, current)
    if deadline is None:
        return None
    after = deadline - now
    # Second-granular timestamps: look just after the deadline has strictly passed.
    return max(after, 0.0) + 1.05 if after >= 1 else 0.25


def paused_condition(d: Mapping[str, Any], now: float) -> Obj | None:
    """checkPausedConditions: the status to write when a pause starts or ends, else None."""
    if not has_progress_deadline(d):
        return None
    cond = get_condition(d.get("status"), PROGRESSING)
    if cond is not None and cond.get("reason") == TIMED_OUT:
        return None
    paused_exists = cond is not None and cond.get("reason") == PAUSED
    paused = bool((d.get("spec") or {}).get("paused"))
    status: Obj = dict(d.get("status") or {})
    status["conditions"] = [dict(c) for c in status.get("conditions") or []]
    if paused and not paused_exists:
        set_condition(status, new_condition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", now))
        return status
    if not paused and paused_exists:
        set_condition(status, new_condition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", now))
        return status
    return None
