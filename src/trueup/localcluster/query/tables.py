"""meta.k8s.io/v1 Table responses (what `kubectl get` asks for with `Accept: ...;as=Table`).

`PRINTERS` maps (group, kind) to the kube-apiserver printer port; custom resources use their
CRD printer columns; everything else gets NAME AGE. Rows carry the object as
PartialObjectMetadata (includeObject=Metadata, the default), the full object (Object) or
nothing (None). All printer columns are always present (the server prints "wide");
kubectl hides priority>0 columns unless `-o wide`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .. import errors
from ..resources import ResourceType
from . import printers_core as core
from . import printers_misc as misc
from . import printers_workloads as work
from .printers_base import AGE, NAME, Printer, age, name_of
from .printers_custom import custom_printer
from .printers_pod import POD_PRINTER

DEFAULT_PRINTER = Printer((NAME, AGE), lambda o, now: [name_of(o), age(o, now)])

PRINTERS: dict[tuple[str, str], Printer] = {
    ("", "Pod"): POD_PRINTER,
    ("", "Service"): core.SERVICE,
    ("", "Namespace"): core.NAMESPACE,
    ("", "Node"): core.NODE,
    ("", "PersistentVolumeClaim"): core.PVC,
    ("", "PersistentVolume"): core.PV,
    ("", "ConfigMap"): core.CONFIGMAP,
    ("", "Secret"): core.SECRET,
    ("", "ServiceAccount"): core.SERVICE_ACCOUNT,
    ("", "Endpoints"): core.ENDPOINTS,
    ("", "Event"): core.EVENT,
    ("events.k8s.io", "Event"): core.EVENT,
    ("", "LimitRange"): core.LIMIT_RANGE,
    ("", "ResourceQuota"): core.RESOURCE_QUOTA,
    ("", "PodTemplate"): core.POD_TEMPLATE,
    ("", "ReplicationController"): work.REPLICATION_CONTROLLER,
    ("apps", "Deployment"): work.DEPLOYMENT,
    ("apps", "ReplicaSet"): work.REPLICA_SET,
    ("apps", "StatefulSet"): work.STATEFUL_SET,
    ("apps", "DaemonSet"): work.DAEMON_SET,
    ("apps", "ControllerRevision"): work.CONTROLLER_REVISION,
    ("batch", "Job"): work.JOB,
    ("batch", "CronJob"): work.CRON_JOB,
    ("autoscaling", "HorizontalPodAutoscaler"): work.HPA,
    ("policy", "PodDisruptionBudget"): work.PDB,
    ("networking.k8s.io", "Ingress"): misc.INGRESS,
    ("networking.k8s.io", "IngressClass"): misc.INGRESS_CLASS,
    ("networking.k8s.io", "NetworkPolicy"): misc.NETWORK_POLICY,
    ("discovery.k8s.io", "EndpointSlice"): misc.ENDPOINT_SLICE,
    ("storage.k8s.io", "StorageClass"): misc.STORAGE_CLASS,
    ("coordination.k8s.io", "Lease"): misc.LEASE,
    ("rbac.authorization.k8s.io", "Role"): misc.ROLE,
    ("rbac.authorization.k8s.io", "ClusterRole"): misc.ROLE,
    ("rbac.authorization.k8s.io", "RoleBinding"): misc.ROLE_BINDING,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): misc.ROLE_BINDING,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): misc.CRD,
}

INCLUDE_OBJECT_VALUES = ("None", "Metadata", "Object")


def printer_for(rt: ResourceType) -> Printer:
    if rt.custom:
        return custom_printer(rt)
    return PRINTERS.get((rt.group, rt.kind), DEFAULT_PRINTER)


def _row_object(rt: ResourceType, obj: Mapping[str, Any], include_object: str) -> dict[str, Any] | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return dict(obj)
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": dict(obj.get("metadata") or {}),
    }


def _row(printer: Printer, rt: ResourceType, obj: Mapping[str, Any], include_object: str,
         now: datetime) -> dict[str, Any]:
    try:
        cells = printer.row(obj, now)
    except Exception:
        cells = [name_of(obj)] + [None] * (len(printer.columns) - 1)
    row: dict[str, Any] = {"cells": cells}
    if printer.conditions is not None:
        conditions = printer.conditions(obj)
        if conditions:
            row["conditions"] = conditions
    row_object = _row_object(rt, obj, include_object)
    if row_object is not None:
        row["object"] = row_object
    return row


def _check_include(include_object: str) -> str:
    value = include_object or "Metadata"
    if value not in INCLUDE_OBJECT_VALUES:
        raise errors.bad_request(
            f'includeObject: Unsupported value: "{value}": supported values: "Metadata", "None", "Object"'
        )
    return value


def to_table(
    rt: ResourceType,
    objects: list[dict[str, Any]],
    *,
    include_object: str = "Metadata",
    list_rv: str = "",
    continue_token: str = "",
    now: datetime | None = None,
    headers: bool = True,
) -> dict[str, Any]:
    """A meta.k8s.io/v1 Table of `objects` (all of type `rt`).

    `now` defaults to the current UTC time (ages are relative to it); `headers=False` omits
    columnDefinitions (kube-apiserver sends them only in the first event of a Table watch).
    """
    include = _check_include(include_object)
    when = now or datetime.now(UTC)
    printer = printer_for(rt)
    metadata: dict[str, Any] = {}
    if list_rv:
        metadata["resourceVersion"] = list_rv
    if continue_token:
        metadata["continue"] = continue_token
    table: dict[str, Any] = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata}
    table["columnDefinitions"] = [c.definition() for c in printer.columns] if headers else []
    table["rows"] = [_row(printer, rt, obj, include, when) for obj in objects]
    return table


def table_row_event(
    rt: ResourceType,
    obj: dict[str, Any],
    *,
    include_object: str = "Metadata",
    now: datetime | None = None,
    headers: bool = True,
) -> dict[str, Any]:
    """The one-row Table that replaces `obj` in a watch event when the client asked for Tables.

    The Table's resourceVersion is the object's, so watchers can resume from it.
    """
    rv = str(((obj.get("metadata") or {}).get("resourceVersion")) or "")
    return to_table(rt, [obj], include_object=include_object, list_rv=rv, now=now, headers=headers)
