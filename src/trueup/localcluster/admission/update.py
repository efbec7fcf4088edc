"""`prepare_for_update`: what kube-apiserver's registry strategies carry over from the stored
object when an object is replaced (PrepareForUpdate), before defaulting and validation.

- Namespace: spec.finalizers and status come from the stored object (updates cannot change them).
- DaemonSet: annotation `deprecated.daemonset.template.generation` = old + 1 if the template changed.
- CustomResourceDefinition: status.storedVersions kept (the new storage version is added by defaulting).
- Service: an empty clusterIP/clusterIPs, healthCheckNodePort, or a nodePort of a port matched by
  name keep the stored value.
Pure: mutates `new` only.
"""

from __future__ import annotations

import copy
from typing import Any

from ._util import Obj, child, dicts, split_api_version
from .defaults_apps import bump_daemon_set_generation


def _namespace(old: Obj, new: Obj) -> None:
    finalizers = (old.get("spec") or {}).get("finalizers")
    if finalizers is not None:
        child(new, "spec")["finalizers"] = copy.deepcopy(finalizers)
    if "status" in old:
        new["status"] = copy.deepcopy(old["status"])


def _crd(old: Obj, new: Obj) -> None:
    stored = (old.get("status") or {}).get("storedVersions")
    if stored:
        status = child(new, "status")
        merged = list(stored) + [v for v in status.get("storedVersions") or [] if v not in stored]
        status["storedVersions"] = merged


def _service(old: Obj, new: Obj) -> None:
    os_, ns = old.get("spec") or {}, child(new, "spec")
    if ns.get("type") == "ExternalName":
        return
    for key in ("clusterIP", "clusterIPs", "healthCheckNodePort"):
        if not ns.get(key) and os_.get(key):
            ns[key] = copy.deepcopy(os_[key])
    old_ports = {p.get("name", ""): p for p in dicts(os_.get("ports"))}
    for port in dicts(ns.get("ports")):
        prev = old_ports.get(port.get("name", ""))
        if prev and not port.get("nodePort") and prev.get("nodePort"):
            port["nodePort"] = prev["nodePort"]


_RULES: dict[tuple[str, str], Any] = {
    ("", "Namespace"): _namespace,
    ("", "Service"): _service,
    ("apps", "DaemonSet"): bump_daemon_set_generation,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd,
}


def prepare_for_update(api_version: str, kind: str, old: Obj, new: Obj) -> None:
    """Carry stored values over into `new` (in place); call before `apply_defaults(new)`."""
    group, _ = split_api_version(api_version)
    rule = _RULES.get((group, kind))
    if rule is not None:
        rule(old, new)
