"""Update rules: fields that may not change once set, per kind. Causes say "field is
immutable" (FieldValueInvalid) like kube-apiserver's ValidateImmutableField, or are the
Forbidden messages kube-apiserver uses for StatefulSet, PVC and immutable ConfigMap/Secret.

Callers compare the objects as they will be stored (after defaulting on both sides). A Service
clusterIP that is empty in the new object is taken as kept (the server copies it over). Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trueup.localcluster.errors import Cause

from ._util import Obj
from .messages import forbidden, immutable, invalid
from .quantity import QuantityError, value_of

UpdateRule = Callable[[Obj, Obj], list[Cause]]

STATEFULSET_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                       "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
STATEFULSET_FORBIDDEN = ("updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                         "'template', 'updateStrategy', 'revisionHistoryLimit', "
                         "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")
PVC_FORBIDDEN = ("spec is immutable after creation except resources.requests and "
                 "volumeAttributesClassName for bound claims")
IMMUTABLE_DATA = "field is immutable when `immutable` is set"


def _spec(obj: Obj) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _same(old: Obj, new: Obj, path: str) -> list[Cause]:
    """Compares the value at a dotted path (missing == missing)."""
    o: Any = old
    n: Any = new
    for part in path.split("."):
        o = o.get(part) if isinstance(o, dict) else None
        n = n.get(part) if isinstance(n, dict) else None
    return [] if o == n else [immutable(path, n)]


def metadata(old: Obj, new: Obj) -> list[Cause]:
    causes: list[Cause] = []
    om, nm = old.get("metadata") or {}, new.get("metadata") or {}
    for key in ("name", "namespace", "uid"):
        if (om.get(key) or "") != (nm.get(key) or "") and (key != "uid" or nm.get(key)):
            causes.append(immutable(f"metadata.{key}", nm.get(key) or ""))
    return causes


def selector(old: Obj, new: Obj) -> list[Cause]:
    return _same(old, new, "spec.selector")


def stateful_set(old: Obj, new: Obj) -> list[Cause]:
    causes = selector(old, new)
    if causes:
        return causes
    o = {k: v for k, v in _spec(old).items() if k not in STATEFULSET_MUTABLE}
    n = {k: v for k, v in _spec(new).items() if k not in STATEFULSET_MUTABLE}
    return [] if o == n else [forbidden("spec", STATEFULSET_FORBIDDEN)]


_SUSPENDED_TEMPLATE_MUTABLE = ("nodeSelector", "tolerations", "affinity", "schedulingGates")


def _job_template_view(template: Any, suspended: bool) -> Any:
    if not suspended or not isinstance(template, dict):
        return template
    meta = {k: v for k, v in (template.get("metadata") or {}).items() if k not in ("labels", "annotations")}
    spec = {k: v for k, v in (template.get("spec") or {}).items() if k not in _SUSPENDED_TEMPLATE_MUTABLE}
    return {"metadata": meta, "spec": spec}


def job(old: Obj, new: Obj) -> list[Cause]:
    os_, ns = _spec(old), _spec(new)
    causes = selector(old, new)
    suspended = bool(os_.get("suspend")) and not (old.get("status") or {}).get("startTime")
    old_tpl = _job_template_view(os_.get("template"), suspended)
    if old_tpl != _job_template_view(ns.get("template"), suspended):
        causes.append(immutable("spec.template", ns.get("template")))
    if os_.get("completions") != ns.get("completions"):
        elastic = ns.get("completionMode") == "Indexed" and ns.get("completions") == ns.get("parallelism")
        if not elastic:
            causes.append(immutable("spec.completions", ns.get("completions")))
    for key in ("completionMode", "podFailurePolicy", "backoffLimitPerIndex"):
        if key in os_ and os_.get(key) != ns.get(key):
            causes.append(immutable(f"spec.{key}", ns.get(key)))
    return causes


def service(old: Obj, new: Obj) -> list[Cause]:
    os_, ns = _spec(old), _spec(new)
    if ns.get("type") == "ExternalName" or os_.get("type") == "ExternalName":
        return []
    old_ip, new_ip = os_.get("clusterIP") or "", ns.get("clusterIP") or ""
    if old_ip and new_ip and old_ip != new_ip:
        return [immutable("spec.clusterIP", new_ip)]
    old_ips, new_ips = os_.get("clusterIPs") or [], ns.get("clusterIPs") or []
    if old_ips and new_ips and old_ips[:1] != new_ips[:1]:
        return [invalid("spec.clusterIPs[0]", new_ips, "may not change once set")]
    return []


def _storage(spec: dict[str, Any]) -> Any:
    return ((spec.get("resources") or {}).get("requests") or {}).get("storage")


def persistent_volume_claim(old: Obj, new: Obj) -> list[Cause]:
    os_, ns = dict(_spec(old)), dict(_spec(new))
    causes: list[Cause] = []
    old_storage, new_storage = _storage(os_), _storage(ns)
    try:
        shrunk = old_storage is not None and new_storage is not None and (
            value_of(new_storage) < value_of(old_storage))
        if shrunk:
            causes.append(forbidden("spec.resources.requests.storage",
                                    "field can not be less than previous value"))
    except QuantityError:
        pass
    for spec in (os_, ns):
        spec.pop("resources", None)
        spec.pop("volumeAttributesClassName", None)
    if not os_.get("volumeName"):
        ns.pop("volumeName", None)
        os_.pop("volumeName", None)
    if os_.get("storageClassName") is None:
        ns.pop("storageClassName", None)
        os_.pop("storageClassName", None)
    if os_ != ns:
        causes.append(forbidden("spec", PVC_FORBIDDEN))
    return causes


def _immutable_data(old: Obj, new: Obj, fields: tuple[str, ...]) -> list[Cause]:
    if old.get("immutable") is not True:
        return []
    causes: list[Cause] = []
    if new.get("immutable") is not True:
        causes.append(forbidden("immutable", IMMUTABLE_DATA))
    for field in fields:
        if (old.get(field) or {}) != (new.get(field) or {}):
            causes.append(forbidden(field, IMMUTABLE_DATA))
    return causes


def config_map(old: Obj, new: Obj) -> list[Cause]:
    return _immutable_data(old, new, ("data", "binaryData"))


def secret(old: Obj, new: Obj) -> list[Cause]:
    causes = _immutable_data(old, new, ("data",))
    if (old.get("type") or "Opaque") != (new.get("type") or "Opaque"):
        causes.append(immutable("type", new.get("type")))
    return causes


def custom_resource_definition(old: Obj, new: Obj) -> list[Cause]:
    return [c for path in ("spec.group", "spec.scope", "spec.names.plural") for c in _same(old, new, path)]


UPDATE_RULES: dict[tuple[str, str], UpdateRule] = {
    ("apps", "Deployment"): selector,
    ("apps", "ReplicaSet"): selector,
    ("apps", "DaemonSet"): selector,
    ("apps", "StatefulSet"): stateful_set,
    ("batch", "Job"): job,
    ("", "Service"): service,
    ("", "PersistentVolumeClaim"): persistent_volume_claim,
    ("", "ConfigMap"): config_map,
    ("", "Secret"): secret,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): custom_resource_definition,
}
