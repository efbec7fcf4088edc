"""Table printers for networking, storage, RBAC, coordination and apiextensions kinds.

Ingress, IngressClass, NetworkPolicy, EndpointSlice, StorageClass, Lease, Role, ClusterRole,
RoleBinding, ClusterRoleBinding, CustomResourceDefinition (NAME CREATED AT).
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
    format_selector,
    name_of,
)
from .printers_core import CREATED_AT, created_at


def _ingress_hosts(rules: Any) -> str:
    rules = as_list(rules)
    shown: list[str] = []
    limit, more = 3, False
    for rule in rules:
        if len(shown) == limit:
            more = True
        host = as_str(dig(rule, "host"))
        if not more and host:
            shown.append(host)
    if not shown:
        return "*"
    text = ",".join(shown)
    return f"{text} + {len(rules) - limit} more..." if more else text


def _lb_addresses(obj: Mapping[str, Any]) -> str:
    out = []
    for ing in as_list(dig(obj, "status", "loadBalancer", "ingress")):
        value = as_str(dig(ing, "ip")) or as_str(dig(ing, "hostname"))
        if value:
            out.append(value)
    return ",".join(out)


INGRESS = Printer(
    (
        NAME,
        Column("Class", description="The name of the IngressClass resource."),
        Column("Hosts", description="Hosts that incoming requests are matched against."),
        Column("Address", description="Address is a list containing ingress points for the load-balancer"),
        Column("Ports", description="Ports of TLS configurations that open"),
        AGE,
    ),
    lambda o, now: [
        name_of(o),
        as_str(dig(o, "spec", "ingressClassName")) or NONE,
        _ingress_hosts(dig(o, "spec", "rules")),
        _lb_addresses(o),
        "80, 443" if as_list(dig(o, "spec", "tls")) else "80",
        age(o, now),
    ],
)


def _ingress_class_params(obj: Mapping[str, Any]) -> str:
    params = dig(obj, "spec", "parameters")
    if not isinstance(params, Mapping):
        return NONE
    group = as_str(params.get("apiGroup"))
    kind = as_str(params.get("kind"))
    qualified = f"{kind}.{group}" if group else kind
    return f"{qualified}/{as_str(params.get('name'))}"


INGRESS_CLASS = Printer(
    (
        NAME,
        Column("Controller", description="Controller refers to the name of the controller that "
            "should handle this class."),
        Column("Parameters", description="Parameters is a link to a custom resource containing "
            "additional configuration."),
        AGE,
    ),
    lambda o, now: [name_of(o), as_str(dig(o, "spec", "controller")), _ingress_class_params(o), age(o, now)],
)

NETWORK_POLICY = Printer(
    (NAME, Column("Pod-Selector", description="Selects the pods to which this NetworkPolicy object "
        "applies."), AGE),
    lambda o, now: [name_of(o), format_selector(dig(o, "spec", "podSelector")), age(o, now)],
)


def _slice_ports(ports: Any) -> str:
    ports = as_list(ports)
    if not ports:
        return "<unset>"
    return ",".join(str(as_int(dig(p, "port"))) if dig(p, "port") is not None else "<unset>" for p in ports)


def _slice_endpoints(endpoints: Any) -> str:
    addresses = [as_str(a) for ep in as_list(endpoints) for a in as_list(dig(ep, "addresses"))]
    if not addresses:
        return "<unset>"
    text = ",".join(addresses[:3])
    return f"{text} + {len(addresses) - 3} more..." if len(addresses) > 3 else text


ENDPOINT_SLICE = Printer(
    (
        NAME,
        Column("AddressType", description="addressType specifies the type of address carried by "
            "this EndpointSlice."),
        Column("Ports", description="ports specifies the list of network ports exposed by each endpoint."),
        Column("Endpoints", description="endpoints is a list of unique endpoints in this slice."),
        AGE,
    ),
    lambda o, now: [
        name_of(o),
        as_str(o.get("addressType")),
        _slice_ports(o.get("ports")),
        _slice_endpoints(o.get("endpoints")),
        age(o, now),
    ],
)


def _is_default_class(obj: Mapping[str, Any]) -> bool:
    annotations = as_map(dig(obj, "metadata", "annotations"))
    return "true" in (
        annotations.get("storageclass.kubernetes.io/is-default-class"),
        annotations.get("storageclass.beta.kubernetes.io/is-default-class"),
    )


STORAGE_CLASS = Printer(
    (
        NAME,
        Column("Provisioner", description="provisioner indicates the type of the provisioner."),
        Column("ReclaimPolicy", description="reclaimPolicy controls the reclaimPolicy for "
            "dynamically provisioned volumes."),
        Column("VolumeBindingMode", description="volumeBindingMode indicates how "
            "PersistentVolumeClaims should be "
               "provisioned and bound."),
        Column("AllowVolumeExpansion", description="allowVolumeExpansion shows whether the storage "
            "class allow "
               "volume expand."),
        AGE,
    ),
    lambda o, now: [
        name_of(o) + (" (default)" if _is_default_class(o) else ""),
        as_str(o.get("provisioner")),
        as_str(o.get("reclaimPolicy")) or "Delete",
        as_str(o.get("volumeBindingMode")) or "Immediate",
        o.get("allowVolumeExpansion") is True,
        age(o, now),
    ],
)

LEASE = Printer(
    (NAME, Column("Holder", description="holderIdentity contains the identity of the holder of a "
        "current lease."), AGE),
    lambda o, now: [name_of(o), as_str(dig(o, "spec", "holderIdentity")), age(o, now)],
)

ROLE = Printer((NAME, CREATED_AT), lambda o, now: [name_of(o), created_at(o)])
CRD = ROLE


def _subjects(obj: Mapping[str, Any], kind: str) -> str:
    out = []
    for s in as_list(obj.get("subjects")):
        if dig(s, "kind") != kind:
            continue
        if kind == "ServiceAccount":
            out.append(f"{as_str(dig(s, 'namespace'))}/{as_str(dig(s, 'name'))}")
        else:
            out.append(as_str(dig(s, "name")))
    return ", ".join(out)


def _binding_row(o: Mapping[str, Any], now: datetime) -> list[Any]:
    ref = as_map(o.get("roleRef"))
    return [
        name_of(o),
        f"{as_str(ref.get('kind'))}/{as_str(ref.get('name'))}",
        age(o, now),
        _subjects(o, "User"),
        _subjects(o, "Group"),
        _subjects(o, "ServiceAccount"),
    ]


ROLE_BINDING = Printer(
    (
        NAME,
        Column("Role", description="RoleRef can reference a Role in the current namespace or a ClusterRole."),
        AGE,
        Column("Users", priority=1, description="Users in the roleBinding"),
        Column("Groups", priority=1, description="Groups in the roleBinding"),
        Column("ServiceAccounts", priority=1, description="ServiceAccounts in the roleBinding"),
    ),
    _binding_row,
)
