"""Pod status the way a kubelet computes it, pure: image references as containerd reports them,
container IDs, the Pod phase from container states (kubelet's getPhase), and the conditions
PodReadyToStartContainers, Initialized, ContainersReady and Ready (PodScheduled belongs to the
scheduler) with transition times kept while a condition does not change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

Obj = dict[str, Any]


def rfc3339(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> float | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None


def normalize_image(image: str) -> str:
    """`nginx` → `docker.io/library/nginx:latest`, as containerd names an image."""
    name, sep, digest = image.partition("@")
    first, slash, _ = name.partition("/")
    if not slash or ("." not in first and ":" not in first and first != "localhost"):
        name = f"docker.io/{name}" if slash else f"docker.io/library/{name}"
    if not digest and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return f"{name}{sep}{digest}"


def image_id(image: str) -> str:
    ref = normalize_image(image)
    if "@" in ref:
        return ref
    repo = ref.rsplit(":", 1)[0]
    return f"{repo}@sha256:{hashlib.sha256(ref.encode()).hexdigest()}"


def container_id(pod_uid: str, name: str, restarts: int) -> str:
    return "containerd://" + hashlib.sha256(f"{pod_uid}/{name}/{restarts}".encode()).hexdigest()


def phase(restart_policy: str, init: list[Obj], containers: list[Obj]) -> str:
    """kubelet's getPhase over the simulated container statuses."""
    for s in init:
        st = s.get("state") or {}
        if "running" in st and s.get("started"):
            continue  # a sidecar (restartPolicy Always init container), running
        t = st.get("terminated")
        if t is None or t.get("exitCode", 0) != 0:
            if t is not None and restart_policy == "Never":
                return "Failed"
            return "Pending"
    waiting = running = stopped = succeeded = failed = 0
    for s in containers:
        st = s.get("state") or {}
        if "running" in st:
            running += 1
        elif "terminated" in st:
            stopped += 1
            if (st["terminated"] or {}).get("exitCode", 0) == 0:
                succeeded += 1
            else:
                failed += 1
        elif ((s.get("lastState") or {}).get("terminated")) is not None:
            stopped += 1  # restarting after a termination
            failed += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if restart_policy == "Always":
            return "Running"
        if restart_policy == "OnFailure":
            return "Succeeded" if failed == 0 and stopped == succeeded else "Running"
        return "Failed" if failed else "Succeeded"
    return "Pending"


def _condition(ctype: str, status: str, reason: str | None, message: str | None, old: dict[str, Obj],
               now: str) -> Obj:
    prev = old.get(ctype) or {}
    c: Obj = {"type": ctype, "status": status, "lastProbeTime": None,
              "lastTransitionTime": prev.get("lastTransitionTime") if prev.get("status") == status and
              prev.get("lastTransitionTime") else now}
    # None (not absent): in the strategic-merge patch the kubelet sends, null removes a stale
    # reason/message left by the previous state of the condition.
    c["reason"] = reason or None
    c["message"] = message or None
    return c


def conditions(pod: Obj, status: Obj, now: str) -> list[Obj]:
    """The kubelet-owned conditions for a computed `status` (phase and container statuses set)."""
    old = {c.get("type"): c for c in (pod.get("status") or {}).get("conditions") or []}
    init = status.get("initContainerStatuses") or []
    app = status.get("containerStatuses") or []
    ph = status.get("phase")
    sandbox = bool(status.get("podIP")) and ph not in ("Succeeded", "Failed")
    out = [_condition("PodReadyToStartContainers", "True" if sandbox else "False", None, None, old, now)]
    pending_init = [s["name"] for s in init if not s.get("ready")]
    if pending_init and ph != "Succeeded":
        out.append(_condition("Initialized", "False", "ContainersNotInitialized",
                              f"containers with incomplete status: [{' '.join(pending_init)}]", old, now))
    else:
        out.append(_condition("Initialized", "True", None, None, old, now))
    unready = [s["name"] for s in app if not s.get("ready")]
    if ph == "Succeeded":
        ready: tuple[str, str | None, str | None] = ("False", "PodCompleted", None)
    elif pending_init and not app:
        ready = ("False", "ContainersNotReady", "containers with unready status: []")
    elif unready or not app:
        ready = ("False", "ContainersNotReady", f"containers with unready status: [{' '.join(unready)}]")
    else:
        ready = ("True", None, None)
    out.append(_condition("ContainersReady", *ready, old, now))
    pod_ready = ready
    if ready[0] == "True":
        for gate in (pod.get("spec") or {}).get("readinessGates") or []:
            ctype = gate.get("conditionType")
            cond = old.get(ctype)
            if cond is None:
                pod_ready = ("False", "ReadinessGatesNotReady",
                             f'corresponding condition of pod readiness gate "{ctype}" does not exist.')
                break
            if cond.get("status") != "True":
                pod_ready = ("False", "ReadinessGatesNotReady",
                             f'the status of pod readiness gate "{ctype}" is not "True", but {cond.get("status")}')
                break
    out.append(_condition("Ready", *pod_ready, old, now))
    return out


def qos_class(pod: Obj) -> str:
    containers = [*((pod.get("spec") or {}).get("containers") or []),
                  *((pod.get("spec") or {}).get("initContainers") or [])]
    requests_any = limits_all = False
    guaranteed = True
    for c in containers:
        r = c.get("resources") or {}
        req, lim = r.get("requests") or {}, r.get("limits") or {}
        if req or lim:
            requests_any = True
        for name in ("cpu", "memory"):
            if name not in lim or (name in req and str(req[name]) != str(lim[name])):
                guaranteed = False
        limits_all = True
    if not requests_any:
        return "BestEffort"
    return "Guaranteed" if guaranteed and limits_all else "Burstable"
