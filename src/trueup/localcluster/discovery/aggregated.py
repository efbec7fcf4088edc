"""Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) for `/api` and `/apis`.

kubectl 1.37 discovers everything from these two documents (served with Content-Type
`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`). Resources carry
scope, verbs, shortNames, categories and their subresources (scale answers autoscaling/v1
Scale, status the resource's own kind).
"""

from __future__ import annotations

from typing import Any

from ..resources import Registry, ResourceType

CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
SUBRESOURCE_VERBS = ("get", "patch", "update")
SCALE_KIND = {"group": "autoscaling", "version": "v1", "kind": "Scale"}


def response_kind(rt: ResourceType) -> dict[str, str]:
    return {"group": rt.group, "version": rt.version, "kind": rt.kind}


def subresource_kind(rt: ResourceType, subresource: str) -> dict[str, str]:
    return dict(SCALE_KIND) if subresource == "scale" else response_kind(rt)


def _resource(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": rt.plural,
        "responseKind": response_kind(rt),
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular_name,
        "verbs": sorted(rt.verbs),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    if rt.subresources:
        entry["subresources"] = [
            {
                "subresource": sub,
                "responseKind": subresource_kind(rt, sub),
                "verbs": list(SUBRESOURCE_VERBS),
            }
            for sub in sorted(rt.subresources)
        ]
    return entry


def _group(registry: Registry, group: str, versions: list[str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"creationTimestamp": None}
    if group:
        metadata["name"] = group
    return {
        "metadata": metadata,
        "versions": [
            {
                "version": version,
                "resources": [
                    _resource(rt)
                    for rt in sorted(registry.in_group_version(group, version), key=lambda r: r.plural)
                ],
                "freshness": "Current",
            }
            for version in versions
        ],
    }


def aggregated_discovery(registry: Registry, *, core: bool) -> dict[str, Any]:
    """The APIGroupDiscoveryList for `/api` (core=True) or `/apis` (core=False)."""
    items = [
        _group(registry, group, versions)
        for group, versions in registry.groups()
        if (group == "") == core
    ]
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }
