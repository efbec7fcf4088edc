"""Shared vocabulary of the GitOps engine: resource identity and manifests as plain data."""

from .resource import Manifest, ResourceKey, group_of, is_namespaced_guess

__all__ = ["Manifest", "ResourceKey", "group_of", "is_namespaced_guess"]
