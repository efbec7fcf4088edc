"""Per-kind validation on create (and, for the new object, on update): workloads' selectors
against their templates, Service ports, Ingress paths, Job restart policy, config keys.
Messages and field paths follow kube-apiserver. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from trueup.localcluster.errors import Cause

from ._util import Obj, dicts
from .messages import duplicate, forbidden, invalid, not_supported, required
from .names import dns1123_label, validate_labels
from .selectors import is_empty, matches, validate_selector
from .validate_pod import PROTOCOLS, iana_svc_name, port_number, validate_pod_spec

KindValidator = Callable[[Obj], list[Cause]]
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
                   "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                   "'[-._a-zA-Z0-9]+')")


def _spec(obj: Obj) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _non_negative(spec: dict[str, Any], key: str, path: str) -> list[Cause]:
    value = spec.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [invalid(f"{path}.{key}", value, "must be greater than or equal to 0")]
    return []


def _template_labels(template: Any) -> Any:
    return ((template or {}).get("metadata") or {}).get("labels") if isinstance(template, dict) else None


def _selected_template(spec: dict[str, Any], what: str,
                       restart: tuple[str, ...] = ("Always",)) -> list[Cause]:
    causes: list[Cause] = []
    selector = spec.get("selector")
    if selector is None:
        causes.append(required("spec.selector"))
    elif is_empty(selector):
        causes.append(invalid("spec.selector", selector, f"empty selector is invalid for {what}"))
    else:
        causes += validate_selector(selector, "spec.selector")
    template = spec.get("template")
    if not isinstance(template, dict):
        return [*causes, required("spec.template")]
    labels = _template_labels(template)
    causes += validate_labels(labels, "spec.template.metadata.labels")
    if selector is not None and not is_empty(selector) and not matches(selector, labels):
        causes.append(invalid("spec.template.metadata.labels", labels or {},
                              "`selector` does not match template `labels`"))
    causes += validate_pod_spec(template.get("spec"), "spec.template.spec", restart_policies=restart)
    causes += _non_negative(spec, "replicas", "spec")
    causes += _non_negative(spec, "minReadySeconds", "spec")
    return causes


def deployment(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes = _selected_template(spec, "deployment")
    strategy = spec.get("strategy") or {}
    stype = strategy.get("type")
    if stype and stype not in ("Recreate", "RollingUpdate"):
        causes.append(not_supported("spec.strategy.type", stype, ("Recreate", "RollingUpdate")))
    if stype == "Recreate" and strategy.get("rollingUpdate") is not None:
        causes.append(forbidden("spec.strategy.rollingUpdate",
                                "may not be specified when strategy `type` is 'Recreate'"))
    causes += _non_negative(spec, "revisionHistoryLimit", "spec")
    return causes


def replica_set(obj: Obj) -> list[Cause]:
    return _selected_template(_spec(obj), "replicaset")


def daemon_set(obj: Obj) -> list[Cause]:
    return _selected_template(_spec(obj), "daemonset")


def stateful_set(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes = _selected_template(spec, "statefulset")
    policy = spec.get("podManagementPolicy")
    if policy and policy not in ("OrderedReady", "Parallel"):
        causes.append(not_supported("spec.podManagementPolicy", policy, ("OrderedReady", "Parallel")))
    return causes


def replication_controller(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes: list[Cause] = []
    selector = spec.get("selector") or {}
    if not selector:
        causes.append(required("spec.selector"))
    template = spec.get("template")
    if isinstance(template, dict):
        labels = _template_labels(template) or {}
        if selector and any(labels.get(k) != v for k, v in selector.items()):
            causes.append(invalid("spec.template.metadata.labels", labels,
                                  "`selector` does not match template `labels`"))
        causes += validate_pod_spec(template.get("spec"), "spec.template.spec", restart_policies=("Always",))
    return causes


def job(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes: list[Cause] = []
    template = spec.get("template")
    if not isinstance(template, dict):
        return [required("spec.template")]
    selector = spec.get("selector")
    labels = _template_labels(template)
    if selector is not None:
        causes += validate_selector(selector, "spec.selector")
        if not matches(selector, labels):
            causes.append(invalid("spec.template.metadata.labels", labels or {},
                                  "`selector` does not match template `labels`"))
    elif spec.get("manualSelector") is True:
        causes.append(required("spec.selector"))
    causes += validate_labels(labels, "spec.template.metadata.labels")
    causes += validate_pod_spec(template.get("spec"), "spec.template.spec",
                                restart_policies=("OnFailure", "Never"))
    for key in ("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds"):
        causes += _non_negative(spec, key, "spec")
    return causes


def cron_job(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes: list[Cause] = []
    name = (obj.get("metadata") or {}).get("name") or ""
    if len(name) > 52:
        causes.append(invalid("metadata.name", name, "must be no more than 52 characters"))
    if not spec.get("schedule"):
        causes.append(required("spec.schedule"))
    policy = spec.get("concurrencyPolicy")
    if policy and policy not in ("Allow", "Forbid", "Replace"):
        causes.append(not_supported("spec.concurrencyPolicy", policy, ("Allow", "Forbid", "Replace")))
    template = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
    if not isinstance(template, dict):
        causes.append(required("spec.jobTemplate.spec.template"))
    else:
        causes += validate_pod_spec(template.get("spec"), "spec.jobTemplate.spec.template.spec",
                                    restart_policies=("OnFailure", "Never"))
    return causes


SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def service(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes: list[Cause] = []
    stype = spec.get("type") or "ClusterIP"
    if stype not in SERVICE_TYPES:
        causes.append(not_supported("spec.type", stype, SERVICE_TYPES))
    ports = dicts(spec.get("ports"))
    if stype == "ExternalName":
        if not spec.get("externalName"):
            causes.append(required("spec.externalName"))
    elif not ports and spec.get("clusterIP") != "None":
        causes.append(required("spec.ports"))
    names: set[str] = set()
    seen: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        path = f"spec.ports[{i}]"
        name = port.get("name")
        if len(ports) > 1 and not name:
            causes.append(required(f"{path}.name"))
        elif name:
            causes += [invalid(f"{path}.name", name, m) for m in dns1123_label(str(name))]
            if name in names:
                causes.append(duplicate(f"{path}.name", name))
            names.add(str(name))
        causes += port_number(port.get("port"), f"{path}.port")
        proto = port.get("protocol") or "TCP"
        if proto not in PROTOCOLS:
            causes.append(not_supported(f"{path}.protocol", proto, PROTOCOLS))
        target = port.get("targetPort")
        if isinstance(target, int) and not isinstance(target, bool) and target != 0:
            causes += port_number(target, f"{path}.targetPort")
        elif isinstance(target, str) and target:
            causes += [invalid(f"{path}.targetPort", target, m) for m in iana_svc_name(target)]
        node_port = port.get("nodePort")
        if node_port and stype not in ("NodePort", "LoadBalancer"):
            causes.append(forbidden(f"{path}.nodePort", "may not be used when `type` is 'ClusterIP'"))
        key = (port.get("port"), proto)
        if key in seen:
            causes.append(duplicate(path, {"port": key[0], "protocol": key[1]}))
        seen.add(key)
    affinity = spec.get("sessionAffinity")
    if affinity and affinity not in ("ClientIP", "None"):
        causes.append(not_supported("spec.sessionAffinity", affinity, ("ClientIP", "None")))
    return causes


PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")


def ingress(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes: list[Cause] = []
    rules = dicts(spec.get("rules"))
    if not rules and not spec.get("defaultBackend"):
        causes.append(invalid("spec", spec, "either `defaultBackend` or `rules` must be specified"))
    for i, rule in enumerate(rules):
        for j, path in enumerate(dicts((rule.get("http") or {}).get("paths"))):
            fpath = f"spec.rules[{i}].http.paths[{j}]"
            ptype = path.get("pathType")
            if not ptype:
                causes.append(required(f"{fpath}.pathType", "pathType must be specified"))
            elif ptype not in PATH_TYPES:
                causes.append(not_supported(f"{fpath}.pathType", ptype, PATH_TYPES))
            elif ptype in ("Exact", "Prefix") and not str(path.get("path") or "").startswith("/"):
                causes.append(invalid(f"{fpath}.path", path.get("path", ""), "must be an absolute path"))
            backend = path.get("backend")
            if not isinstance(backend, dict) or not (backend.get("service") or backend.get("resource")):
                causes.append(invalid(f"{fpath}.backend", backend or {},
                                      "one backend must be specified"))
    return causes


def _config_keys(obj: Obj) -> list[Cause]:
    causes: list[Cause] = []
    seen: set[str] = set()
    for field in ("data", "binaryData", "stringData"):
        data = obj.get(field)
        if not isinstance(data, dict):
            continue
        for key in data:
            if not _CONFIG_KEY.match(str(key)) or key in (".", "..") or str(key).startswith(".."):
                causes.append(invalid(f"{field}[{key}]", key, _CONFIG_KEY_MSG))
            if field == "binaryData" and key in seen:
                causes.append(invalid(f"{field}[{key}]", key, "duplicate of key present in data"))
            seen.add(str(key))
    return causes


def config_map(obj: Obj) -> list[Cause]:
    return _config_keys(obj)


def secret(obj: Obj) -> list[Cause]:
    return _config_keys(obj)


def persistent_volume_claim(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes: list[Cause] = []
    if not spec.get("accessModes") and not spec.get("dataSourceRef"):
        causes.append(required("spec.accessModes", "at least 1 access mode is required"))
    requests = (spec.get("resources") or {}).get("requests") or {}
    if "storage" not in requests:
        causes.append(required("spec.resources[storage]"))
    return causes


def pod(obj: Obj) -> list[Cause]:
    return validate_pod_spec(obj.get("spec"), "spec")


def pod_template(obj: Obj) -> list[Cause]:
    template = obj.get("template")
    if not isinstance(template, dict):
        return [required("template")]
    return validate_pod_spec(template.get("spec"), "template.spec")


VALIDATORS: dict[tuple[str, str], KindValidator] = {
    ("", "Pod"): pod,
    ("", "PodTemplate"): pod_template,
    ("", "ReplicationController"): replication_controller,
    ("", "Service"): service,
    ("", "ConfigMap"): config_map,
    ("", "Secret"): secret,
    ("", "PersistentVolumeClaim"): persistent_volume_claim,
    ("apps", "Deployment"): deployment,
    ("apps", "ReplicaSet"): replica_set,
    ("apps", "DaemonSet"): daemon_set,
    ("apps", "StatefulSet"): stateful_set,
    ("batch", "Job"): job,
    ("batch", "CronJob"): cron_job,
    ("networking.k8s.io", "Ingress"): ingress,
}
