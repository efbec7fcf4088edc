"""The Pod Table printer: NAME READY STATUS RESTARTS AGE (+ IP NODE NOMINATED NODE READINESS GATES).

A port of kube-apiserver's printPod: the STATUS cell is the phase refined by init-container and
container states (`Init:0/1`, `CrashLoopBackOff`, `Completed`, `Terminating`, ...), RESTARTS
carries "(<age> ago)" of the last restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .printers_base import (
    AGE,
    NAME,
    NONE,
    Column,
    Printer,
    age,
    as_int,
    as_list,
    as_map,
    as_str,
    dig,
    name_of,
    parse_time,
    since,
)

POD_COLUMNS = (
    NAME,
    Column("Ready", description="The aggregate readiness state of this pod for accepting traffic."),
    Column("Status", description="The aggregate status of the containers in this pod."),
    Column(
        "Restarts",
        description="The number of times the containers in this pod have been restarted and when the "
        "last container in this pod has restarted.",
    ),
    AGE,
    Column("IP", priority=1, description="IP address allocated to the pod. Routable at least within "
        "the cluster."),
    Column("Node", priority=1, description="NodeName is a request to schedule this pod onto a "
        "specific node."),
    Column("Nominated Node", priority=1, description="nominatedNodeName is set only when this pod preempts "
           "other pods on the node."),
    Column("Readiness Gates", priority=1, description="If specified, all readiness gates will be evaluated "
           "for pod readiness."),
)

_TERMINAL = ("Succeeded", "Failed")


def _restartable(container: Any) -> bool:
    return as_str(dig(container, "restartPolicy")) == "Always"


def _later(a: datetime | None, b: Any) -> datetime | None:
    ts = parse_time(b)
    if ts is None:
        return a
    return ts if a is None or ts > a else a


def _terminated_reason(term: Mapping[str, Any], prefix: str = "") -> str:
    reason = as_str(term.get("reason"))
    if reason:
        return prefix + reason
    signal = as_int(term.get("signal"))
    if signal:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{as_int(term.get('exitCode'))}"


def pod_row(pod: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = as_map(pod.get("spec")), as_map(pod.get("status"))
    init_specs = {as_str(dig(c, "name")): c for c in as_list(spec.get("initContainers"))}
    total = len(as_list(spec.get("containers"))) + sum(1 for c in init_specs.values() if _restartable(c))
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last_restart: datetime | None = None
    last_sidecar_restart: datetime | None = None
    phase = as_str(status.get("phase"))
    reason = as_str(status.get("reason")) or phase
    conditions = [as_map(c) for c in as_list(status.get("conditions"))]
    for c in conditions:
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    initializing = False
    init_statuses = as_list(status.get("initContainerStatuses"))
    for i, cs in enumerate(init_statuses):
        cs = as_map(cs)
        restarts += as_int(cs.get("restartCount"))
        last_finished = dig(cs, "lastState", "terminated", "finishedAt")
        last_restart = _later(last_restart, last_finished)
        sidecar = _restartable(init_specs.get(as_str(cs.get("name"))))
        if sidecar:
            sidecar_restarts += as_int(cs.get("restartCount"))
            last_sidecar_restart = _later(last_sidecar_restart, last_finished)
        terminated = dig(cs, "state", "terminated")
        waiting_reason = as_str(dig(cs, "state", "waiting", "reason"))
        if isinstance(terminated, Mapping) and as_int(terminated.get("exitCode")) == 0:
            continue
        if sidecar and cs.get("started") is True:
            if cs.get("ready") is True:
                ready += 1
            continue
        if isinstance(terminated, Mapping):
            reason = _terminated_reason(terminated, "Init:")
        elif waiting_reason and waiting_reason != "PodInitializing":
            reason = "Init:" + waiting_reason
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    initialized = any(c.get("type") == "Initialized" and c.get("status") == "True" for c in conditions)
    if not initializing or initialized:
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for cs in reversed(as_list(status.get("containerStatuses"))):
            cs = as_map(cs)
            restarts += as_int(cs.get("restartCount"))
            last_restart = _later(last_restart, dig(cs, "lastState", "terminated", "finishedAt"))
            waiting_reason = as_str(dig(cs, "state", "waiting", "reason"))
            terminated = dig(cs, "state", "terminated")
            if waiting_reason:
                reason = waiting_reason
            elif isinstance(terminated, Mapping):
                reason = _terminated_reason(terminated)
            elif cs.get("ready") is True and isinstance(dig(cs, "state", "running"), Mapping):
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            pod_ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
            reason = "Running" if pod_ready else "NotReady"

    deleting = dig(pod, "metadata", "deletionTimestamp") is not None
    if deleting and as_str(status.get("reason")) == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in _TERMINAL:
        reason = "Terminating"

    restarts_cell = str(restarts)
    if restarts and last_restart is not None:
        restarts_cell = f"{restarts} ({since(last_restart.isoformat(), now)} ago)"

    ips = as_list(status.get("podIPs"))
    pod_ip = as_str(dig(ips, 0, "ip")) if ips else as_str(status.get("podIP"))
    gates = as_list(spec.get("readinessGates"))
    gates_cell = NONE
    if gates:
        by_type = {as_str(c.get("type")): c for c in conditions}
        true_count = sum(
            1 for g in gates if as_str(dig(by_type.get(as_str(dig(g, "conditionType"))), "status")) == "True"
        )
        gates_cell = f"{true_count}/{len(gates)}"
    return [
        name_of(pod),
        f"{ready}/{total}",
        reason,
        restarts_cell,
        age(pod, now),
        pod_ip or NONE,
        as_str(spec.get("nodeName")) or NONE,
        as_str(status.get("nominatedNodeName")) or NONE,
        gates_cell,
    ]


def pod_conditions(pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Row conditions: terminal pods carry `Completed` (kubectl dims them)."""
    phase = as_str(dig(pod, "status", "phase"))
    if phase == "Succeeded":
        return [{"type": "Completed", "status": "True", "reason": "Succeeded",
                 "message": "The pod has completed successfully."}]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return []


POD_PRINTER = Printer(POD_COLUMNS, pod_row, pod_conditions)
