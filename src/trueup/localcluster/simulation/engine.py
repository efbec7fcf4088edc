"""The stage engine, pure: applies one kubelet stage to a Pod and returns the Pod's new status
(as the kubelet computes it: container statuses, phase, conditions, IPs, times) and the Events
to record. The kubelet controller decides *when* (stage delays) and does the writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import podstatus as ps
from .stages import Stage, StageSet, Timing, backoff, exit_code, view

Obj = dict[str, Any]
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class Env:
    now: float
    node: str
    host_ip: str
    timing: Timing
    allocate_ip: Callable[[], str] = lambda: ""


@dataclass
class Outcome:
    status: Obj | None  # the kubelet-owned status to write; None: nothing changes
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (type, reason, message)


def go_duration(seconds: float) -> str:
    """Go's time.Duration formatting: 200ms, 1.6s, 10s, 1m20s, 5m0s."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds < 60:
        text = f"{seconds:.3f}".rstrip("0").rstrip(".")
        return f"{text}s"
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return (f"{h}h" if h else "") + f"{m}m{s}s"


def fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def running_for(pod: Obj, now: float) -> float:
    for s in (pod.get("status") or {}).get("containerStatuses") or []:
        started = ps.parse_time(((s.get("state") or {}).get("running") or {}).get("startedAt"))
        if started is not None:
            return max(now - started, 0.0)
    return 0.0


def _base(c: Obj, reason: str) -> Obj:
    return {"name": c.get("name", ""), "image": c.get("image", ""), "imageID": "", "ready": False,
            "started": False, "restartCount": 0, "state": {"waiting": {"reason": reason}}, "lastState": {}}


def _values(pod: Obj, env: Env, c: Obj | None = None, restarts: int = 0) -> dict[str, str]:
    m = pod.get("metadata") or {}
    image = str((c or {}).get("image", ""))
    return {"pod": str(m.get("name", "")), "namespace": str(m.get("namespace", "")), "uid": str(m.get("uid", "")),
            "node": env.node, "container": str((c or {}).get("name", "")), "image": image,
            "imageRef": ps.normalize_image(image) if image else "", "exitCode": str(exit_code(pod)),
            "backoff": go_duration(backoff(max(restarts, 1), env.timing))}


def _container(pod: Obj, c: Obj, prev: Obj | None, want: Obj, env: Env, waiting_default: str) -> Obj:
    now = ps.rfc3339(env.now)
    uid = str((pod.get("metadata") or {}).get("uid", ""))
    s = dict(prev) if prev else _base(c, waiting_default)
    prev_state = s.get("state") or {}
    restarts = int(s.get("restartCount") or 0)
    if (r := want.get("restart")) is not None:
        started_at = (prev_state.get("running") or {}).get("startedAt") or now
        code = int(fill(str(r.get("exitCode", 1)), _values(pod, env, c)))
        s["lastState"] = {"terminated": {"exitCode": code, "reason": r.get("reason", "Error"), "startedAt": started_at,
                                         "finishedAt": now, "containerID": s.get("containerID", "")}}
        restarts += 1
        s["restartCount"] = restarts
    values = _values(pod, env, c, restarts)
    kind = want.get("state")
    if kind == "waiting":
        w: Obj = {"reason": want.get("reason", "ContainerCreating")}
        if w["reason"] == "ContainerCreating" and waiting_default == "PodInitializing":
            w["reason"] = "PodInitializing"
        if want.get("message"):
            w["message"] = fill(str(want["message"]), values)
        s["state"] = {"waiting": w}
        s["started"] = False
    elif kind == "running":
        cid = ps.container_id(uid, str(c.get("name", "")), restarts)
        s.update(containerID=cid, image=ps.normalize_image(str(c.get("image", ""))),
                 imageID=ps.image_id(str(c.get("image", ""))), started=True, state={"running": {"startedAt": now}})
    elif kind == "terminated":
        started_at = (prev_state.get("running") or {}).get("startedAt") or now
        code = int(fill(str(want.get("exitCode", 0)), values))
        s["state"] = {"terminated": {"exitCode": code, "reason": want.get("reason", "Completed"),
                                     "startedAt": started_at, "finishedAt": now,
                                     "containerID": s.get("containerID", "")}}
        s["started"] = False
    if "ready" in want:
        s["ready"] = bool(want["ready"])
    if "running" not in (s.get("state") or {}):
        s["ready"] = False
    return s


def _init_container(pod: Obj, c: Obj, prev: Obj | None, completed: bool, env: Env) -> Obj:
    s = dict(prev) if prev else _base(c, "PodInitializing")
    if not completed or (prev and "waiting" not in (prev.get("state") or {})):
        return s
    now = ps.rfc3339(env.now)
    uid = str((pod.get("metadata") or {}).get("uid", ""))
    cid = ps.container_id(uid, str(c.get("name", "")), 0)
    s.update(containerID=cid, image=ps.normalize_image(str(c.get("image", ""))),
             imageID=ps.image_id(str(c.get("image", ""))), ready=True)
    if c.get("restartPolicy") == "Always":  # a sidecar keeps running
        s.update(started=True, state={"running": {"startedAt": now}})
    else:
        s.update(started=False, state={"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now,
                                                      "finishedAt": now, "containerID": cid}})
    return s


def apply(stage: Stage, pod: Obj, env: Env) -> Outcome:
    """Apply `stage` to `pod` at `env.now`."""
    spec = pod.get("spec") or {}
    old = pod.get("status") or {}
    want = stage.set
    inits = spec.get("initContainers") or []
    containers = spec.get("containers") or []
    events: list[tuple[str, str, str]] = []
    restarts_after = max((int(s.get("restartCount") or 0) for s in old.get("containerStatuses") or []), default=0)
    if want.get("restart") is not None:
        restarts_after += 1
    per_container = [e for e in stage.events if e.each]
    if per_container:
        # every event of the stage for one container, then the next container (init ones first)
        for c, is_init in [(c, True) for c in inits] + [(c, False) for c in containers]:
            for e in per_container:
                if not is_init or e.each == "all":
                    events.append((e.type, e.reason, fill(e.message, _values(pod, env, c, restarts_after))))
    for e in stage.events:
        if not e.each:
            events.append((e.type, e.reason, fill(e.message, _values(pod, env, None, restarts_after))))
    if not want:
        return Outcome(None, events)

    old_app = {s.get("name"): s for s in old.get("containerStatuses") or []}
    old_init = {s.get("name"): s for s in old.get("initContainerStatuses") or []}
    waiting_default = "PodInitializing" if inits else "ContainerCreating"
    status: Obj = {
        "hostIP": env.host_ip,
        "hostIPs": [{"ip": env.host_ip}],
        "startTime": old.get("startTime") or ps.rfc3339(env.now),
        "qosClass": old.get("qosClass") or ps.qos_class(pod),
    }
    if inits:
        status["initContainerStatuses"] = [
            _init_container(pod, c, old_init.get(c.get("name")), bool(want.get("init")), env) for c in inits]
    status["containerStatuses"] = [
        _container(pod, c, old_app.get(c.get("name")), want, env, waiting_default) for c in containers]
    ip = old.get("podIP") or (env.allocate_ip() if want.get("network") else "")
    if ip:
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    status["phase"] = ps.phase(str(spec.get("restartPolicy") or "Always"),
                               status.get("initContainerStatuses") or [], status["containerStatuses"])
    status["conditions"] = ps.conditions(pod, status, ps.rfc3339(env.now))
    return Outcome(status, events)


def next_stage(stages: StageSet, pod: Obj) -> Stage | None:
    return stages.select(view(pod))
