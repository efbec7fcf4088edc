"""Table printers for core/v1 kinds other than Pod (ports of kube-apiserver's printers).

Service, Namespace, Node, PersistentVolume(Claim), ConfigMap, Secret, Endpoints, ServiceAccount,
Event (core/v1 and events.k8s.io/v1), LimitRange, ResourceQuota, PodTemplate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .printers_base import (
    AGE,
    NAME,
    NONE,
    UNKNOWN,
    Column,
    Printer,
    access_modes,
    age,
    as_int,
    as_list,
    as_map,
    as_str,
    containers_and_images,
    dig,
    format_labels,
    name_of,
    or_none,
    since,
)

CREATED_AT = Column("Created At", "date", "", "CreationTimestamp is a timestamp representing the server "
                    "time when this object was created.")


def created_at(obj: Mapping[str, Any]) -> str:
    return as_str(dig(obj, "metadata", "creationTimestamp"))


# --- Service --------------------------------------------------------------------------------

def _ports(ports: Any) -> str:
    pieces = []
    for p in as_list(ports):
        proto = as_str(dig(p, "protocol")) or "TCP"
        node_port = as_int(dig(p, "nodePort"))
        port = as_int(dig(p, "port"))
        pieces.append(f"{port}:{node_port}/{proto}" if node_port > 0 else f"{port}/{proto}")
    return ",".join(pieces) or NONE


def _lb_ingress(status: Any) -> list[str]:
    out = []
    for ing in as_list(dig(status, "loadBalancer", "ingress")):
        value = as_str(dig(ing, "ip")) or as_str(dig(ing, "hostname"))
        if value:
            out.append(value)
    return out


def _external_ip(svc: Mapping[str, Any]) -> str:
    spec = as_map(svc.get("spec"))
    svc_type = as_str(spec.get("type")) or "ClusterIP"
    external = [as_str(x) for x in as_list(spec.get("externalIPs"))]
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external) or NONE
    if svc_type == "LoadBalancer":
        ips = _lb_ingress(svc.get("status")) + external
        return ",".join(ips) or "<pending>"
    if svc_type == "ExternalName":
        return as_str(spec.get("externalName"))
    return UNKNOWN


def _service_row(svc: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = as_map(svc.get("spec"))
    return [
        name_of(svc),
        as_str(spec.get("type")) or "ClusterIP",
        or_none(as_str(spec.get("clusterIP"))),
        _external_ip(svc),
        _ports(spec.get("ports")),
        age(svc, now),
        format_labels(spec.get("selector")),
    ]


SERVICE = Printer(
    (
        NAME,
        Column("Type", description="The type of service."),
        Column("Cluster-IP", description="The IP address of the service."),
        Column("External-IP", description="External IP addresses of the service."),
        Column("Port(s)", description="The ports exposed by the service."),
        AGE,
        Column("Selector", priority=1, description="Route service traffic to pods with these labels."),
    ),
    _service_row,
)

NAMESPACE = Printer(
    (NAME, Column("Status", description="The status of the namespace"), AGE),
    lambda o, now: [name_of(o), as_str(dig(o, "status", "phase")), age(o, now)],
)


# --- Node -----------------------------------------------------------------------------------

def _node_roles(labels: Any) -> str:
    roles: set[str] = set()
    for key, value in as_map(labels).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/"):]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and as_str(value):
            roles.add(as_str(value))
    return ",".join(sorted(roles)) or NONE


def _node_address(node: Mapping[str, Any], kind: str) -> str:
    for a in as_list(dig(node, "status", "addresses")):
        if dig(a, "type") == kind:
            return as_str(dig(a, "address")) or NONE
    return NONE


def _node_row(node: Mapping[str, Any], now: datetime) -> list[Any]:
    status: list[str] = []
    for c in as_list(dig(node, "status", "conditions")):
        if dig(c, "type") == "Ready":
            status.append("Ready" if dig(c, "status") == "True" else "NotReady")
            break
    if not status:
        status.append("Unknown")
    if dig(node, "spec", "unschedulable") is True:
        status.append("SchedulingDisabled")
    info = as_map(dig(node, "status", "nodeInfo"))
    return [
        name_of(node),
        ",".join(status),
        _node_roles(dig(node, "metadata", "labels")),
        age(node, now),
        as_str(info.get("kubeletVersion")),
        _node_address(node, "InternalIP"),
        _node_address(node, "ExternalIP"),
        as_str(info.get("osImage")) or UNKNOWN,
        as_str(info.get("kernelVersion")) or UNKNOWN,
        as_str(info.get("containerRuntimeVersion")) or UNKNOWN,
    ]


NODE = Printer(
    (
        NAME,
        Column("Status", description="The status of the node"),
        Column("Roles", description="The roles of the node"),
        AGE,
        Column("Version", description="Kubelet Version reported by the node."),
        Column("Internal-IP", priority=1, description="List of addresses reachable to the node."),
        Column("External-IP", priority=1, description="List of addresses reachable to the node."),
        Column("OS-Image", priority=1, description="OS Image reported by the node from /etc/os-release."),
        Column("Kernel-Version", priority=1, description="Kernel Version reported by the node."),
        Column("Container-Runtime", priority=1, description="Container Runtime Version reported by "
            "the node."),
    ),
    _node_row,
)


# --- Storage ----------------------------------------------------------------------------------

def _deleting(obj: Mapping[str, Any]) -> bool:
    return dig(obj, "metadata", "deletionTimestamp") is not None


def _pvc_row(pvc: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = as_map(pvc.get("spec"))
    phase = "Terminating" if _deleting(pvc) else as_str(dig(pvc, "status", "phase"))
    capacity = modes = ""
    if as_str(spec.get("volumeName")):
        modes = access_modes(dig(pvc, "status", "accessModes"))
        capacity = as_str(dig(pvc, "status", "capacity", "storage"))
    klass = as_str(dig(pvc, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class")) or as_str(
        spec.get("storageClassName")
    )
    return [
        name_of(pvc),
        phase,
        as_str(spec.get("volumeName")),
        capacity,
        modes,
        klass,
        as_str(spec.get("volumeAttributesClassName")) or "<unset>",
        age(pvc, now),
        as_str(spec.get("volumeMode")) or "<unset>",
    ]


PVC = Printer(
    (
        NAME,
        Column("Status", description="The phase of the claim."),
        Column("Volume", description="The binding reference to the PersistentVolume backing this claim."),
        Column("Capacity", description="The actual resources of the underlying volume."),
        Column("Access Modes", description="The actual access modes the volume backing the PVC has."),
        Column("StorageClass", description="The name of the StorageClass required by the claim."),
        Column("VolumeAttributesClass", description="The VolumeAttributesClass used by this claim."),
        AGE,
        Column("VolumeMode", priority=1, description="What type of volume is required by the claim."),
    ),
    _pvc_row,
)


def _pv_row(pv: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = as_map(pv.get("spec"))
    claim = ""
    ref = spec.get("claimRef")
    if isinstance(ref, Mapping):
        claim = f"{as_str(ref.get('namespace'))}/{as_str(ref.get('name'))}"
    klass = as_str(dig(pv, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class")) or as_str(
        spec.get("storageClassName")
    )
    return [
        name_of(pv),
        as_str(dig(spec, "capacity", "storage")) or "0",
        access_modes(spec.get("accessModes")),
        as_str(spec.get("persistentVolumeReclaimPolicy")),
        "Terminating" if _deleting(pv) else as_str(dig(pv, "status", "phase")),
        claim,
        klass,
        as_str(spec.get("volumeAttributesClassName")) or "<unset>",
        as_str(dig(pv, "status", "reason")),
        age(pv, now),
        as_str(spec.get("volumeMode")) or "<unset>",
    ]


PV = Printer(
    (
        NAME,
        Column("Capacity", description="capacity is the description of the persistent volume's resources."),
        Column("Access Modes", description="accessModes contains all ways the volume can be mounted."),
        Column("Reclaim Policy", description="What happens to a persistent volume when released."),
        Column("Status", description="phase indicates if a volume is available, bound to a claim, "
            "or released."),
        Column("Claim", description="claimRef is part of a bi-directional binding."),
        Column("StorageClass", description="storageClassName is the name of StorageClass."),
        Column("VolumeAttributesClass", description="Name of VolumeAttributesClass."),
        Column("Reason", description="reason is a brief CamelCase string that describes any failure."),
        AGE,
        Column("VolumeMode", priority=1, description="volumeMode defines if a volume is intended to "
            "be used."),
    ),
    _pv_row,
)


# --- Config -----------------------------------------------------------------------------------

CONFIGMAP = Printer(
    (NAME, Column("Data", "integer", description="Number of keys in the config map."), AGE),
    lambda o, now: [
        name_of(o),
        len(as_map(o.get("data"))) + len(as_map(o.get("binaryData"))),
        age(o, now),
    ],
)

SECRET = Printer(
    (
        NAME,
        Column("Type", description="Used to facilitate programmatic handling of secret data."),
        Column("Data", "integer", description="Number of keys in the secret."),
        AGE,
    ),
    lambda o, now: [name_of(o), as_str(o.get("type")), len(as_map(o.get("data"))), age(o, now)],
)

SERVICE_ACCOUNT = Printer(
    (NAME, Column("Secrets", "integer", description="Secrets of this service account."), AGE),
    lambda o, now: [name_of(o), len(as_list(o.get("secrets"))), age(o, now)],
)


def format_endpoints(subsets: Any) -> str:
    subsets = as_list(subsets)
    if not subsets:
        return NONE
    shown: list[str] = []
    limit, more, count = 3, False, 0
    for ss in subsets:
        addresses = as_list(dig(ss, "addresses"))
        ports = as_list(dig(ss, "ports"))
        for port in ports or [None]:
            count += len(addresses)
            for a in addresses:
                if len(shown) == limit:
                    more = True
                    break
                ip = as_str(dig(a, "ip"))
                if port is None:
                    shown.append(ip)
                else:
                    host = f"[{ip}]" if ":" in ip else ip
                    shown.append(f"{host}:{as_int(dig(port, 'port'))}")
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


ENDPOINTS = Printer(
    (NAME, Column("Endpoints", description="Endpoints of the service."), AGE),
    lambda o, now: [name_of(o), format_endpoints(o.get("subsets")), age(o, now)],
)


# --- Events -----------------------------------------------------------------------------------

def _event_row(ev: Mapping[str, Any], now: datetime) -> list[Any]:
    if "regarding" in ev or "note" in ev or "deprecatedCount" in ev:
        # events.k8s.io/v1 field names
        involved = as_map(ev.get("regarding"))
        first_ts, last_ts = ev.get("deprecatedFirstTimestamp"), ev.get("deprecatedLastTimestamp")
        count_v = ev.get("deprecatedCount")
        source = as_map(ev.get("deprecatedSource"))
        message = as_str(ev.get("note"))
    else:
        involved = as_map(ev.get("involvedObject"))
        first_ts, last_ts = ev.get("firstTimestamp"), ev.get("lastTimestamp")
        count_v = ev.get("count")
        source = as_map(ev.get("source"))
        message = as_str(ev.get("message"))
    first = since(first_ts, now) if first_ts else since(ev.get("eventTime"), now)
    last = since(last_ts, now) if last_ts else first
    count = as_int(count_v)
    series = ev.get("series")
    if isinstance(series, Mapping):
        last = since(series.get("lastObservedTime"), now)
        count = as_int(series.get("count"))
    elif count == 0:
        count = 1
    kind = as_str(involved.get("kind")).lower()
    target = f"{kind}/{as_str(involved.get('name'))}" if as_str(involved.get("name")) else kind
    component = as_str(source.get("component")) or as_str(ev.get("reportingController"))
    component = component or as_str(ev.get("reportingComponent"))
    instance = as_str(source.get("host")) or as_str(ev.get("reportingInstance"))
    source_cell = f"{component}, {instance}" if instance else component
    return [
        last,
        as_str(ev.get("type")),
        as_str(ev.get("reason")),
        target,
        as_str(involved.get("fieldPath")),
        source_cell,
        message.strip(),
        first,
        count,
        name_of(ev),
    ]


EVENT = Printer(
    (
        Column("Last Seen", description="The time at which the most recent occurrence of this event "
            "was recorded."),
        Column("Type", description="Type of this event (Normal, Warning), new types could be added "
            "in the future."),
        Column("Reason", description="This should be a short, machine understandable string that gives the "
               "reason for the transition into the object's current status."),
        Column("Object", description="The object that this event is about."),
        Column("Subobject", priority=1, description="The field of the object this event is about."),
        Column("Source", priority=1, description="The component reporting this event."),
        Column("Message", description="A human-readable description of the status of this operation."),
        Column("First Seen", priority=1, description="The time at which the event was first recorded."),
        Column("Count", priority=1, description="The number of times this event has occurred."),
        Column("Name", priority=1, format="name", description=NAME.description),
    ),
    _event_row,
)


# --- Policy objects -----------------------------------------------------------------------------

LIMIT_RANGE = Printer((NAME, CREATED_AT), lambda o, now: [name_of(o), created_at(o)])


def _quota_row(q: Mapping[str, Any], now: datetime) -> list[Any]:
    hard = as_map(dig(q, "status", "hard"))
    used = as_map(dig(q, "status", "used"))
    requests: list[str] = []
    limits: list[str] = []
    for res in sorted(hard):
        text = f"{res}: {as_str(used.get(res)) or '0'}/{as_str(hard[res])}"
        (limits if res.split(".")[0] == "limits" and "." in res else requests).append(text)
    return [name_of(q), age(q, now), ", ".join(requests), ", ".join(limits)]


RESOURCE_QUOTA = Printer(
    (
        NAME,
        AGE,
        Column("Request", description="Request represents a minimum amount of cpu/memory that a "
            "container may consume."),
        Column("Limit", description="Limits control the maximum amount of cpu/memory that a "
            "container may use."),
    ),
    _quota_row,
)


def _pod_template_row(o: Mapping[str, Any], now: datetime) -> list[Any]:
    names, images = containers_and_images(dig(o, "template", "spec", "containers"))
    return [name_of(o), names, images, format_labels(dig(o, "template", "metadata", "labels"))]


POD_TEMPLATE = Printer(
    (
        NAME,
        Column("Containers", description="Names of each container in the template."),
        Column("Images", description="Images referenced by each container in the template."),
        Column("Pod Labels", description="The labels for the pod template."),
    ),
    _pod_template_row,
)
