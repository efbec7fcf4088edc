"""Table printers for workload controllers (ports of kube-apiserver's printers).

Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job, CronJob,
HorizontalPodAutoscaler, PodDisruptionBudget, ControllerRevision.
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
    condition_true,
    containers_and_images,
    dig,
    format_labels,
    format_selector,
    human_duration,
    name_of,
    parse_time,
    since,
)

CONTAINERS = Column("Containers", priority=1, description="Names of each container in the template.")
IMAGES = Column("Images", priority=1, description="Images referenced by each container in the template.")
SELECTOR = Column("Selector", priority=1, description="Label selector for pods.")


def _wide(obj: Mapping[str, Any], selector_cell: str, *template_path: str) -> list[Any]:
    names, images = containers_and_images(dig(obj, *template_path, "template", "spec", "containers"))
    return [names, images, selector_cell]


def _deployment_row(d: Mapping[str, Any], now: datetime) -> list[Any]:
    status = as_map(d.get("status"))
    desired = as_int(dig(d, "spec", "replicas"))
    return [
        name_of(d),
        f"{as_int(status.get('readyReplicas'))}/{desired}",
        as_int(status.get("updatedReplicas")),
        as_int(status.get("availableReplicas")),
        age(d, now),
        *_wide(d, format_selector(dig(d, "spec", "selector")), "spec"),
    ]


DEPLOYMENT = Printer(
    (
        NAME,
        Column("Ready", description="Number of the pod with ready state"),
        Column("Up-to-date", "integer", description="Total number of non-terminated pods targeted by this "
               "deployment that have the desired template spec."),
        Column("Available", "integer", description="Total number of available pods (ready for at least "
               "minReadySeconds) targeted by this deployment."),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ),
    _deployment_row,
)

_DESIRED = Column("Desired", "integer", description="Number of desired pods.")
_CURRENT = Column("Current", "integer", description="The most recently observed number of replicas.")
_READY = Column("Ready", "integer", description="The number of ready replicas.")


def _replica_set_row(rs: Mapping[str, Any], now: datetime) -> list[Any]:
    status = as_map(rs.get("status"))
    selector = dig(rs, "spec", "selector")
    selector_cell = format_selector(selector) if rs.get("kind") != "ReplicationController" else (
        format_labels(selector)
    )
    return [
        name_of(rs),
        as_int(dig(rs, "spec", "replicas")),
        as_int(status.get("replicas")),
        as_int(status.get("readyReplicas")),
        age(rs, now),
        *_wide(rs, selector_cell, "spec"),
    ]


REPLICA_SET = Printer((NAME, _DESIRED, _CURRENT, _READY, AGE, CONTAINERS, IMAGES, SELECTOR), _replica_set_row)


def _rc_row(rc: Mapping[str, Any], now: datetime) -> list[Any]:
    return _replica_set_row({**rc, "kind": "ReplicationController"}, now)


REPLICATION_CONTROLLER = Printer(REPLICA_SET.columns, _rc_row)


def _statefulset_row(s: Mapping[str, Any], now: datetime) -> list[Any]:
    names, images = containers_and_images(dig(s, "spec", "template", "spec", "containers"))
    ready = as_int(dig(s, "status", "readyReplicas"))
    return [name_of(s), f"{ready}/{as_int(dig(s, 'spec', 'replicas'))}", age(s, now), names, images]


STATEFUL_SET = Printer(
    (NAME, Column("Ready", description="Number of the pod with ready state"), AGE, CONTAINERS, IMAGES),
    _statefulset_row,
)


def _daemonset_row(ds: Mapping[str, Any], now: datetime) -> list[Any]:
    st = as_map(ds.get("status"))
    return [
        name_of(ds),
        as_int(st.get("desiredNumberScheduled")),
        as_int(st.get("currentNumberScheduled")),
        as_int(st.get("numberReady")),
        as_int(st.get("updatedNumberScheduled")),
        as_int(st.get("numberAvailable")),
        format_labels(dig(ds, "spec", "template", "spec", "nodeSelector")),
        age(ds, now),
        *_wide(ds, format_selector(dig(ds, "spec", "selector")), "spec"),
    ]


DAEMON_SET = Printer(
    (
        NAME,
        Column("Desired", "integer", description="The total number of nodes that should be running "
            "the daemon pod."),
        Column("Current", "integer", description="The number of nodes that are running at least 1 "
            "daemon pod."),
        Column("Ready", "integer", description="The number of nodes that should be running the "
            "daemon pod and "
               "have one or more of the daemon pod running and ready."),
        Column("Up-to-date", "integer", description="The total number of nodes that are running "
            "updated daemon pod"),
        Column("Available", "integer", description="The number of nodes that should be running the "
            "daemon pod "
               "and have one or more of the daemon pod running and available."),
        Column("Node Selector", description="NodeSelector is a selector which must be true for the "
            "pod to fit on a node."),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ),
    _daemonset_row,
)


def job_status(job: Mapping[str, Any]) -> str:
    if condition_true(job, "Complete"):
        return "Complete"
    if condition_true(job, "Failed"):
        return "Failed"
    if dig(job, "metadata", "deletionTimestamp") is not None:
        return "Terminating"
    if condition_true(job, "Suspended"):
        return "Suspended"
    if condition_true(job, "FailureTarget"):
        return "FailureTarget"
    if condition_true(job, "SuccessCriteriaMet"):
        return "SuccessCriteriaMet"
    return "Running"


def _job_row(job: Mapping[str, Any], now: datetime) -> list[Any]:
    spec, status = as_map(job.get("spec")), as_map(job.get("status"))
    succeeded = as_int(status.get("succeeded"))
    completions = spec.get("completions")
    parallelism = spec.get("parallelism")
    if isinstance(completions, int):
        completions_cell = f"{succeeded}/{completions}"
    elif isinstance(parallelism, int) and parallelism > 1:
        completions_cell = f"{succeeded}/1 of {parallelism}"
    else:
        completions_cell = f"{succeeded}/1"
    start = parse_time(status.get("startTime"))
    end = parse_time(status.get("completionTime"))
    duration = ""
    if start is not None:
        duration = human_duration(((end or now) - start).total_seconds())
    return [
        name_of(job),
        job_status(job),
        completions_cell,
        duration,
        age(job, now),
        *_wide(job, format_selector(spec.get("selector")), "spec"),
    ]


JOB = Printer(
    (
        NAME,
        Column("Status", description="Status of the job."),
        Column("Completions", description="The completion status of the job."),
        Column("Duration", description="Time required to complete the job."),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ),
    _job_row,
)


def _cronjob_row(cj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = as_map(cj.get("spec"))
    suspend = spec.get("suspend")
    suspend_cell = "<unset>" if not isinstance(suspend, bool) else ("True" if suspend else "False")
    last = dig(cj, "status", "lastScheduleTime")
    return [
        name_of(cj),
        as_str(spec.get("schedule")),
        as_str(spec.get("timeZone")) or NONE,
        suspend_cell,
        len(as_list(dig(cj, "status", "active"))),
        since(last, now) if last else NONE,
        age(cj, now),
        *_wide(cj, format_selector(dig(spec, "jobTemplate", "spec", "selector")),
               "spec", "jobTemplate", "spec"),
    ]


CRON_JOB = Printer(
    (
        NAME,
        Column("Schedule", description="The schedule in Cron format."),
        Column("Timezone", description="The time zone name for the given schedule."),
        Column("Suspend", "boolean", description="This flag tells the controller to suspend "
            "subsequent executions."),
        Column("Active", "integer", description="A list of pointers to currently running jobs."),
        Column("Last Schedule", description="Information when was the last time the job was "
            "successfully scheduled."),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ),
    _cronjob_row,
)


def _hpa_metric(spec: Mapping[str, Any], status: Mapping[str, Any]) -> str:
    mtype = as_str(spec.get("type"))
    key = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
           "Object": "object", "External": "external"}.get(mtype, "")
    src, cur = as_map(spec.get(key)), as_map(as_map(status.get(key)).get("current"))
    target = as_map(src.get("target"))
    if mtype in ("Resource", "ContainerResource"):
        name = as_str(src.get("name"))
        if "averageValue" in target:
            current = as_str(cur.get("averageValue")) or "<unknown>"
            return f"{name}: {current}/{as_str(target['averageValue'])}"
        current = f"{as_int(cur['averageUtilization'])}%" if "averageUtilization" in cur else "<unknown>"
        wanted = f"{as_int(target['averageUtilization'])}%" if "averageUtilization" in target else "<auto>"
        return f"{name}: {current}/{wanted}"
    field = "averageValue" if "averageValue" in target or mtype == "Pods" else "value"
    wanted = as_str(target.get(field))
    suffix = " (avg)" if mtype in ("Object", "External") and field == "averageValue" else ""
    return f"{as_str(cur.get(field)) or '<unknown>'}/{wanted}{suffix}"


def _hpa_row(hpa: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = as_map(hpa.get("spec"))
    ref = as_map(spec.get("scaleTargetRef"))
    metrics = [as_map(m) for m in as_list(spec.get("metrics"))]
    current = [as_map(m) for m in as_list(dig(hpa, "status", "currentMetrics"))]
    parts = [_hpa_metric(m, current[i] if i < len(current) else {}) for i, m in enumerate(metrics)]
    targets = ", ".join(parts[:2]) + (f" + {len(parts) - 2} more..." if len(parts) > 2 else "")
    min_replicas = spec.get("minReplicas")
    return [
        name_of(hpa),
        f"{as_str(ref.get('kind'))}/{as_str(ref.get('name'))}",
        targets or NONE,
        str(min_replicas) if isinstance(min_replicas, int) else "<unset>",
        as_int(spec.get("maxReplicas")),
        as_int(dig(hpa, "status", "currentReplicas")),
        age(hpa, now),
    ]


HPA = Printer(
    (
        NAME,
        Column("Reference", description="reference to scaled resource"),
        Column("Targets", description="the current and target metrics"),
        Column("MinPods", description="minReplicas is the lower limit for the number of replicas."),
        Column("MaxPods", "integer", description="maxReplicas is the upper limit for the number of "
            "replicas."),
        Column("Replicas", "integer", description="current number of replicas of pods managed by "
            "this autoscaler."),
        AGE,
    ),
    _hpa_row,
)


def _int_or_string(value: Any) -> str:
    return "N/A" if value is None or value == "" else str(value)


PDB = Printer(
    (
        NAME,
        Column("Min Available", description="The minimum number of pods that must be available "
            "simultaneously."),
        Column("Max Unavailable", description="The maximum number of pods that may be unavailable "
            "simultaneously."),
        Column("Allowed Disruptions", "integer", description="Calculated number of pods that may be "
            "disrupted "
               "at this time."),
        AGE,
    ),
    lambda o, now: [
        name_of(o),
        _int_or_string(dig(o, "spec", "minAvailable")),
        _int_or_string(dig(o, "spec", "maxUnavailable")),
        as_int(dig(o, "status", "disruptionsAllowed")),
        age(o, now),
    ],
)


def _controller_name(obj: Mapping[str, Any]) -> str:
    for ref in as_list(dig(obj, "metadata", "ownerReferences")):
        if dig(ref, "controller") is True:
            api_version = as_str(dig(ref, "apiVersion"))
            group = api_version.rpartition("/")[0]
            kind = as_str(dig(ref, "kind")).lower()
            qualified = f"{kind}.{group}" if group else kind
            return f"{qualified}/{as_str(dig(ref, 'name'))}"
    return NONE


CONTROLLER_REVISION = Printer(
    (
        NAME,
        Column("Controller", description="The controller that owns this revision."),
        Column("Revision", "integer", description="Revision indicates the revision of the state "
            "represented by Data."),
        AGE,
    ),
    lambda o, now: [name_of(o), _controller_name(o), as_int(o.get("revision")), age(o, now)],
)
