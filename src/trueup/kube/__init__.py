"""trueup's Kubernetes client: kubeconfig/in-cluster config, async REST verbs, resource addresses.

Shared by the GitOps engine and the embedded cluster's controllers; it imports neither.
"""

from .config import ClusterConfig, ConfigError, load_config, load_kubeconfig
from .discovery import Discovery, ResourceInfo, UnknownKind
from .resources import Res
from .rest import PATCH_TYPES, ApiError, Client

__all__ = [
    "PATCH_TYPES",
    "ApiError",
    "Client",
    "ClusterConfig",
    "ConfigError",
    "Discovery",
    "Res",
    "ResourceInfo",
    "UnknownKind",
    "load_config",
    "load_kubeconfig",
]
