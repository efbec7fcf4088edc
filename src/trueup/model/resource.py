"""How the engine names Kubernetes objects.

A `ResourceKey` identifies an object across desired (rendered from Git) and live (read from a
cluster) state: group, kind, namespace, name — the same identity Argo CD uses. Objects
themselves stay plain JSON dicts (`Manifest`); where they came from travels beside them
(`source` is the file path inside the repository, for error messages that name the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]

# Kinds that are cluster-scoped in every Kubernetes cluster (used before discovery is available,
# e.g. offline rendering). The authority is the cluster's discovery.
_CLUSTER_SCOPED = frozenset({
    ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("storage.k8s.io", "StorageClass"),
    ("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"), ("networking.k8s.io", "IngressClass"),
    ("scheduling.k8s.io", "PriorityClass"), ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"), ("apiregistration.k8s.io", "APIService"),
})


def group_of(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def is_namespaced_guess(group: str, kind: str) -> bool:
    return (group, kind) not in _CLUSTER_SCOPED


@dataclass(frozen=True, order=True)
class ResourceKey:
    group: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: Obj, default_namespace: str = "") -> ResourceKey:
        meta = obj.get("metadata") or {}
        group = group_of(str(obj.get("apiVersion", "")))
        kind = str(obj.get("kind", ""))
        namespace = str(meta.get("namespace") or "")
        if not namespace and is_namespaced_guess(group, kind):
            namespace = default_namespace
        return cls(group, kind, namespace, str(meta.get("name", "")))

    def __str__(self) -> str:
        gk = f"{self.group}/{self.kind}" if self.group else self.kind
        return f"{gk} {self.namespace}/{self.name}" if self.namespace else f"{gk} {self.name}"


@dataclass
class Manifest:
    """One rendered object and where it came from."""

    obj: Obj
    source: str = ""  # path inside the repository (file), for error messages
    line: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> ResourceKey:
        return ResourceKey.of(self.obj)
