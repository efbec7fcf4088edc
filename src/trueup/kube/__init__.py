"""trueup's Kubernetes client: kubeconfig/in-cluster config, async REST verbs, resource addresses,
informers (watch-fed caches).

Shared by the GitOps engine and the embedded cluster's controllers; it imports neither.
"""

from .config import ClusterConfig, ConfigError, load_config, load_kubeconfig
from .discovery import Discovery, ResourceInfo, UnknownKind
from .informer import Cache, Informer, InformerStats, key_of
from .resources import Res
from .rest import PATCH_TYPES, ApiError, Client

__all__ = [
    "PATCH_TYPES",
    "ApiError",
    "Cache",
    "Client",
    "ClusterConfig",
    "ConfigError",
    "Discovery",
    "Informer",
    "InformerStats",
    "Res",
    "ResourceInfo",
    "UnknownKind",
    "key_of",
    "load_config",
    "load_kubeconfig",
]
