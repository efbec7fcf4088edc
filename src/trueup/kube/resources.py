"""Resource addresses: group, version, plural, kind, scope → URL paths, and well-known constants."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Res:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str = "", subresource: str = "") -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name:
            base += f"/{name}"
            if subresource:
                base += f"/{subresource}"
        return base

    def __str__(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural


NAMESPACES = Res("", "v1", "namespaces", "Namespace", False)
NODES = Res("", "v1", "nodes", "Node", False)
PODS = Res("", "v1", "pods", "Pod")
SERVICES = Res("", "v1", "services", "Service")
ENDPOINTS = Res("", "v1", "endpoints", "Endpoints")
CONFIGMAPS = Res("", "v1", "configmaps", "ConfigMap")
SECRETS = Res("", "v1", "secrets", "Secret")
SERVICEACCOUNTS = Res("", "v1", "serviceaccounts", "ServiceAccount")
EVENTS = Res("", "v1", "events", "Event")
PVCS = Res("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim")
PVS = Res("", "v1", "persistentvolumes", "PersistentVolume", False)
DEPLOYMENTS = Res("apps", "v1", "deployments", "Deployment")
REPLICASETS = Res("apps", "v1", "replicasets", "ReplicaSet")
STATEFULSETS = Res("apps", "v1", "statefulsets", "StatefulSet")
DAEMONSETS = Res("apps", "v1", "daemonsets", "DaemonSet")
CONTROLLERREVISIONS = Res("apps", "v1", "controllerrevisions", "ControllerRevision")
JOBS = Res("batch", "v1", "jobs", "Job")
CRONJOBS = Res("batch", "v1", "cronjobs", "CronJob")
INGRESSES = Res("networking.k8s.io", "v1", "ingresses", "Ingress")
ENDPOINTSLICES = Res("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice")
STORAGECLASSES = Res("storage.k8s.io", "v1", "storageclasses", "StorageClass", False)
LEASES = Res("coordination.k8s.io", "v1", "leases", "Lease")

__all__ = [
    "CONFIGMAPS",
    "CONTROLLERREVISIONS",
    "CRONJOBS",
    "DAEMONSETS",
    "DEPLOYMENTS",
    "ENDPOINTS",
    "ENDPOINTSLICES",
    "EVENTS",
    "INGRESSES",
    "JOBS",
    "LEASES",
    "NAMESPACES",
    "NODES",
    "PODS",
    "PVCS",
    "PVS",
    "REPLICASETS",
    "SECRETS",
    "SERVICEACCOUNTS",
    "SERVICES",
    "STATEFULSETS",
    "STORAGECLASSES",
    "Res",
]
