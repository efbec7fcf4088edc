"""Defaults of the remaining built-in groups: storage, networking, autoscaling, policy, rbac,
scheduling, discovery and admissionregistration. Pure.
"""

from __future__ import annotations

from typing import Any

from ._util import Obj, child, default, default_empty, dicts

RBAC_GROUP = "rbac.authorization.k8s.io"


def storage_class(obj: Obj) -> None:
    default_empty(obj, "reclaimPolicy", "Delete")
    default_empty(obj, "volumeBindingMode", "Immediate")


def ingress(obj: Obj) -> None:
    child(child(obj, "status"), "loadBalancer")


def ingress_class(obj: Obj) -> None:
    params = (obj.get("spec") or {}).get("parameters")
    if isinstance(params, dict):
        default_empty(params, "scope", "Cluster")


def network_policy(obj: Obj) -> None:
    spec = child(obj, "spec")
    if not spec.get("policyTypes"):
        types = ["Ingress"]
        if spec.get("egress"):
            types.append("Egress")
        spec["policyTypes"] = types
    for direction in ("ingress", "egress"):
        for rule in dicts(spec.get(direction)):
            for port in dicts(rule.get("ports")):
                default_empty(port, "protocol", "TCP")


_SCALE_UP: dict[str, Any] = {
    "stabilizationWindowSeconds": 0,
    "selectPolicy": "Max",
    "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                 {"type": "Percent", "value": 100, "periodSeconds": 15}],
}
_SCALE_DOWN: dict[str, Any] = {
    "selectPolicy": "Max",
    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
}
_DEFAULT_METRICS = [{"type": "Resource", "resource": {
    "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]


def horizontal_pod_autoscaler(obj: Obj) -> None:
    spec = child(obj, "spec")
    default(spec, "minReplicas", 1)
    default_empty(spec, "metrics", _DEFAULT_METRICS)
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        for side, defaults in (("scaleUp", _SCALE_UP), ("scaleDown", _SCALE_DOWN)):
            rules = child(behavior, side)
            for key, value in defaults.items():
                default(rules, key, value)
    status = child(obj, "status")
    default(status, "desiredReplicas", 0)
    status.setdefault("currentMetrics", None)


def role_binding(obj: Obj) -> None:
    default_empty(child(obj, "roleRef"), "apiGroup", RBAC_GROUP)
    for subject in dicts(obj.get("subjects")):
        if subject.get("kind") in ("User", "Group"):
            default_empty(subject, "apiGroup", RBAC_GROUP)


def priority_class(obj: Obj) -> None:
    default(obj, "preemptionPolicy", "PreemptLowerPriority")


def endpoint_slice(obj: Obj) -> None:
    for port in dicts(obj.get("ports")):
        default(port, "name", "")
        default(port, "protocol", "TCP")


def pod_disruption_budget(obj: Obj) -> None:
    status = child(obj, "status")
    for counter in ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"):
        default(status, counter, 0)


def _webhooks(obj: Obj, mutating: bool) -> None:
    for hook in dicts(obj.get("webhooks")):
        default(hook, "failurePolicy", "Fail")
        default(hook, "matchPolicy", "Equivalent")
        default(hook, "namespaceSelector", {})
        default(hook, "objectSelector", {})
        default(hook, "timeoutSeconds", 10)
        if mutating:
            default(hook, "reinvocationPolicy", "Never")
        for rule in dicts(hook.get("rules")):
            default(rule, "scope", "*")
        svc = (hook.get("clientConfig") or {}).get("service")
        if isinstance(svc, dict):
            default(svc, "port", 443)


def mutating_webhook_configuration(obj: Obj) -> None:
    _webhooks(obj, True)


def validating_webhook_configuration(obj: Obj) -> None:
    _webhooks(obj, False)
