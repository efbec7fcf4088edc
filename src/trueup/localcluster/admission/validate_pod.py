"""Validation of a PodSpec (Pods and every pod template): containers need a unique DNS-label
name and an image, ports are in range with a supported protocol, volumes have unique names,
restartPolicy/dnsPolicy are supported values. Field paths are kube-apiserver's. Pure.
"""

from __future__ import annotations

import re
from typing import Any

from trueup.localcluster.errors import Cause

from ._util import dicts
from .messages import duplicate, invalid, not_supported, required
from .names import dns1123_label

PROTOCOLS = ("SCTP", "TCP", "UDP")
_IANA_SVC = re.compile(r"^[-a-z0-9]+$")


def port_number(value: Any, field: str) -> list[Cause]:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        return [invalid(field, value, "must be between 1 and 65535, inclusive")]
    return []


def iana_svc_name(value: str) -> list[str]:
    errs = []
    if len(value) > 15:
        errs.append("must be no more than 15 characters")
    if not _IANA_SVC.match(value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if not re.search(r"[a-z]", value):
        errs.append("must contain at least one letter (a-z)")
    if value.startswith("-") or value.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def _container(c: dict[str, Any], path: str, names: set[str], ephemeral: bool = False) -> list[Cause]:
    causes: list[Cause] = []
    name = c.get("name")
    if not name:
        causes.append(required(f"{path}.name"))
    else:
        causes += [invalid(f"{path}.name", name, m) for m in dns1123_label(str(name))]
        if name in names:
            causes.append(duplicate(f"{path}.name", name))
        names.add(str(name))
    image = c.get("image")
    if not image or (isinstance(image, str) and not image.strip()):
        causes.append(required(f"{path}.image"))
    port_names: set[str] = set()
    for i, port in enumerate(dicts(c.get("ports"))):
        ppath = f"{path}.ports[{i}]"
        causes += port_number(port.get("containerPort"), f"{ppath}.containerPort")
        if port.get("hostPort"):
            causes += port_number(port.get("hostPort"), f"{ppath}.hostPort")
        proto = port.get("protocol")
        if proto and proto not in PROTOCOLS:
            causes.append(not_supported(f"{ppath}.protocol", proto, PROTOCOLS))
        pname = port.get("name")
        if pname:
            causes += [invalid(f"{ppath}.name", pname, m) for m in iana_svc_name(str(pname))]
            if pname in port_names:
                causes.append(duplicate(f"{ppath}.name", pname))
            port_names.add(str(pname))
    policy = c.get("imagePullPolicy")
    if policy and policy not in ("Always", "IfNotPresent", "Never"):
        causes.append(not_supported(f"{path}.imagePullPolicy", policy, ("Always", "IfNotPresent", "Never")))
    for i, env in enumerate(dicts(c.get("env"))):
        if not env.get("name"):
            causes.append(required(f"{path}.env[{i}].name"))
    return causes


def validate_pod_spec(spec: Any, path: str, *,
                      restart_policies: tuple[str, ...] | None = None) -> list[Cause]:
    if not isinstance(spec, dict):
        return [required(path)]
    causes: list[Cause] = []
    names: set[str] = set()
    containers = spec.get("containers")
    if not containers:
        causes.append(required(f"{path}.containers"))
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for i, c in enumerate(dicts(spec.get(key))):
            causes += _container(c, f"{path}.{key}[{i}]", names, key == "ephemeralContainers")
    vol_names: set[str] = set()
    for i, vol in enumerate(dicts(spec.get("volumes"))):
        vname = vol.get("name")
        if not vname:
            causes.append(required(f"{path}.volumes[{i}].name"))
            continue
        causes += [invalid(f"{path}.volumes[{i}].name", vname, m) for m in dns1123_label(str(vname))]
        if vname in vol_names:
            causes.append(duplicate(f"{path}.volumes[{i}].name", vname))
        vol_names.add(str(vname))
    restart = spec.get("restartPolicy")
    allowed = restart_policies or ("Always", "OnFailure", "Never")
    if restart and restart not in allowed:
        causes.append(not_supported(f"{path}.restartPolicy", restart, allowed))
    dns = spec.get("dnsPolicy")
    dns_allowed = ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")
    if dns and dns not in dns_allowed:
        causes.append(not_supported(f"{path}.dnsPolicy", dns, dns_allowed))
    grace = spec.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and not isinstance(grace, bool) and grace < 0:
        causes.append(invalid(f"{path}.terminationGracePeriodSeconds", grace,
                              "must be greater than or equal to 0"))
    return causes
