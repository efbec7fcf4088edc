"""`apply_defaults`: the registry of per-kind defaulters, keyed by (group, kind).

A defaulter mutates the object in place and is idempotent. After it runs, quantities are
canonicalised (schema-driven, see `quantities`). Kinds without an entry (ConfigMap,
ServiceAccount, Lease, Role...) get only quantity canonicalisation. Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from trueup.localcluster.schema import builtin_schemas

from . import defaults_apps, defaults_batch, defaults_core, defaults_crd, defaults_other
from ._util import Obj, child, default, split_api_version
from .defaults_pod import default_pod_spec
from .defaults_pod_only import default_pod_only
from .quantities import canonicalize

Defaulter = Callable[[Obj], None]


@dataclass(frozen=True)
class Entry:
    fn: Defaulter
    versions: frozenset[str] | None = None  # None: every version of the group


def _pod(obj: Obj) -> None:
    spec = child(obj, "spec")
    default_pod_spec(spec)
    default_pod_only(obj, spec)


def _hpa_v1(obj: Obj) -> None:
    default(child(obj, "spec"), "minReplicas", 1)
    status = child(obj, "status")
    default(status, "currentReplicas", 0)
    default(status, "desiredReplicas", 0)


def _register() -> dict[tuple[str, str], list[Entry]]:
    table: list[tuple[str, str, Defaulter, frozenset[str] | None]] = [
        ("", "Pod", _pod, None),
        ("", "PodTemplate", defaults_apps.pod_template, None),
        ("", "ReplicationController", defaults_apps.replication_controller, None),
        ("", "Service", defaults_core.service, None),
        ("", "Secret", defaults_core.secret, None),
        ("", "Namespace", defaults_core.namespace, None),
        ("", "PersistentVolumeClaim", defaults_core.persistent_volume_claim, None),
        ("", "PersistentVolume", defaults_core.persistent_volume, None),
        ("", "Endpoints", defaults_core.endpoints, None),
        ("apps", "Deployment", defaults_apps.deployment, None),
        ("apps", "ReplicaSet", defaults_apps.replica_set, None),
        ("apps", "StatefulSet", defaults_apps.stateful_set, None),
        ("apps", "DaemonSet", defaults_apps.daemon_set, None),
        ("batch", "Job", defaults_batch.job, None),
        ("batch", "CronJob", defaults_batch.cron_job, None),
        ("storage.k8s.io", "StorageClass", defaults_other.storage_class, None),
        ("networking.k8s.io", "Ingress", defaults_other.ingress, None),
        ("networking.k8s.io", "IngressClass", defaults_other.ingress_class, None),
        ("networking.k8s.io", "NetworkPolicy", defaults_other.network_policy, None),
        ("autoscaling", "HorizontalPodAutoscaler", defaults_other.horizontal_pod_autoscaler,
         frozenset({"v2"})),
        ("autoscaling", "HorizontalPodAutoscaler", _hpa_v1, frozenset({"v1"})),
        ("policy", "PodDisruptionBudget", defaults_other.pod_disruption_budget, None),
        ("rbac.authorization.k8s.io", "RoleBinding", defaults_other.role_binding, None),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding", defaults_other.role_binding, None),
        ("scheduling.k8s.io", "PriorityClass", defaults_other.priority_class, None),
        ("discovery.k8s.io", "EndpointSlice", defaults_other.endpoint_slice, None),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration",
         defaults_other.mutating_webhook_configuration, None),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration",
         defaults_other.validating_webhook_configuration, None),
        ("apiextensions.k8s.io", "CustomResourceDefinition", defaults_crd.custom_resource_definition, None),
    ]
    out: dict[tuple[str, str], list[Entry]] = {}
    for group, kind, fn, versions in table:
        out.setdefault((group, kind), []).append(Entry(fn, versions))
    return out


DEFAULTERS: dict[tuple[str, str], list[Entry]] = _register()


def defaulted_kinds() -> list[tuple[str, str]]:
    """(group, kind) pairs that have a defaulter."""
    return sorted(DEFAULTERS)


def apply_defaults(api_version: str, kind: str, obj: Obj) -> None:
    """Apply every server-side default of a built-in kind to `obj`, in place (idempotent).

    Unknown kinds (custom resources) are left alone: use `apply_schema_defaults` for them.
    """
    group, version = split_api_version(api_version)
    for entry in DEFAULTERS.get((group, kind), ()):
        if entry.versions is None or version in entry.versions:
            entry.fn(obj)
    node = builtin_schemas().for_kind(api_version, kind)
    if node is not None:
        canonicalize(obj, node)
