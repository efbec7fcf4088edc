"""The built-in resource types the embedded API server serves, as data.

Names, short names, categories and subresources follow kube-apiserver 1.37 discovery.
"""

from __future__ import annotations

from .types import ResourceType

_RO = ("get", "list", "watch")
_ALL = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
_NS_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")


def _rt(
    group: str,
    version: str,
    kind: str,
    plural: str,
    namespaced: bool = True,
    short: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    sub: tuple[str, ...] = (),
    generation: bool = False,
    verbs: tuple[str, ...] = _ALL,
) -> ResourceType:
    return ResourceType(
        group=group,
        version=version,
        kind=kind,
        plural=plural,
        namespaced=namespaced,
        singular=kind.lower(),
        short_names=short,
        categories=categories,
        subresources=sub,
        has_generation=generation,
        verbs=verbs,
    )


_ALLCAT = ("all",)

BUILTIN_TYPES: tuple[ResourceType, ...] = (
    # core/v1
    _rt("", "v1", "Namespace", "namespaces", False, ("ns",), sub=("status",), verbs=_NS_VERBS),
    _rt("", "v1", "Pod", "pods", True, ("po",), _ALLCAT, ("status",), generation=True),
    _rt("", "v1", "Service", "services", True, ("svc",), _ALLCAT, ("status",)),
    _rt("", "v1", "Endpoints", "endpoints", True, ("ep",)),
    _rt("", "v1", "ConfigMap", "configmaps", True, ("cm",)),
    _rt("", "v1", "Secret", "secrets", True),
    _rt("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",)),
    _rt("", "v1", "PersistentVolume", "persistentvolumes", False, ("pv",), sub=("status",)),
    _rt("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ("pvc",), sub=("status",)),
    _rt("", "v1", "Event", "events", True, ("ev",)),
    _rt("", "v1", "Node", "nodes", False, ("no",), sub=("status",)),
    _rt("", "v1", "LimitRange", "limitranges", True, ("limits",)),
    _rt("", "v1", "ResourceQuota", "resourcequotas", True, ("quota",), sub=("status",)),
    _rt("", "v1", "ReplicationController", "replicationcontrollers", True, ("rc",), _ALLCAT,
        ("scale", "status"), generation=True),
    _rt("", "v1", "PodTemplate", "podtemplates", True),
    # apps/v1
    _rt("apps", "v1", "Deployment", "deployments", True, ("deploy",), _ALLCAT, ("scale", "status"), True),
    _rt("apps", "v1", "ReplicaSet", "replicasets", True, ("rs",), _ALLCAT, ("scale", "status"), True),
    _rt("apps", "v1", "StatefulSet", "statefulsets", True, ("sts",), _ALLCAT, ("scale", "status"), True),
    _rt("apps", "v1", "DaemonSet", "daemonsets", True, ("ds",), _ALLCAT, ("status",), True),
    _rt("apps", "v1", "ControllerRevision", "controllerrevisions", True),
    # batch/v1
    _rt("batch", "v1", "Job", "jobs", True, (), _ALLCAT, ("status",), True),
    _rt("batch", "v1", "CronJob", "cronjobs", True, ("cj",), _ALLCAT, ("status",), True),
    # networking.k8s.io/v1
    _rt("networking.k8s.io", "v1", "Ingress", "ingresses", True, ("ing",), sub=("status",), generation=True),
    _rt("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False, generation=True),
    _rt("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True, ("netpol",), generation=True),
    # rbac.authorization.k8s.io/v1
    _rt("rbac.authorization.k8s.io", "v1", "Role", "roles", True),
    _rt("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True),
    _rt("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    _rt("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    # storage.k8s.io/v1
    _rt("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ("sc",)),
    # apiextensions.k8s.io/v1
    _rt("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False,
        ("crd", "crds"), ("api-extensions",), ("status",), True),
    # coordination.k8s.io/v1
    _rt("coordination.k8s.io", "v1", "Lease", "leases", True),
    # autoscaling/v2
    _rt("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, ("hpa",), _ALLCAT,
        ("status",)),
    # policy/v1
    _rt("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ("pdb",), sub=("status",),
        generation=True),
    # discovery.k8s.io/v1
    _rt("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True),
    # events.k8s.io/v1
    _rt("events.k8s.io", "v1", "Event", "events", True, ("ev",)),
)

# Group order in discovery (core first, like kube-apiserver's priority order).
GROUP_ORDER: tuple[str, ...] = (
    "",
    "apiregistration.k8s.io",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "resource.k8s.io",
    "flowcontrol.apiserver.k8s.io",
)
