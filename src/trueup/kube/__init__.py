"""trueup's Kubernetes client: kubeconfig/in-cluster config, async REST verbs, resource addresses,
informers (watch-fed caches).

Shared by the GitOps engine and the embedded cluster's controllers; it imports neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.lazy import lazy_exports

from .config import ClusterConfig, ConfigError, load_config, load_kubeconfig
from .discovery import Discovery, ResourceInfo, UnknownKind
from .resources import Res
from .rest import PATCH_TYPES, ApiError, Client

if TYPE_CHECKING:
    from .informer import Cache, Informer, InformerStats, key_of

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

__getattr__ = lazy_exports(__name__, {
    "Cache": ".informer",
    "Informer": ".informer",
    "InformerStats": ".informer",
    "key_of": ".informer",
})
