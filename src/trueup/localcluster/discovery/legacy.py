"""Legacy (unaggregated) discovery: APIVersions, APIGroupList and APIResourceList.

The official Python client's DynamicClient and older tools read only these: `/api`,
`/apis`, `/api/v1` and `/apis/<group>/<version>`. Subresources appear as `x/status` and
`x/scale` entries (scale answers autoscaling/v1 Scale).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ..resources import Registry, ResourceType
from .aggregated import SUBRESOURCE_VERBS


def legacy_api_versions(server_address: str) -> dict[str, Any]:
    """`GET /api`: the core group's versions."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _gv(group: str, version: str) -> dict[str, str]:
    return {"groupVersion": f"{group}/{version}", "version": version}


def legacy_group_list(registry: Registry) -> dict[str, Any]:
    """`GET /apis`: every named group with its versions (preferred first)."""
    groups = [
        {
            "name": group,
            "versions": [_gv(group, v) for v in versions],
            "preferredVersion": _gv(group, versions[0]),
        }
        for group, versions in registry.groups()
        if group and versions
    ]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def storage_version_hash(rt: ResourceType) -> str:
    """Like kube-apiserver: base64 of the first 8 bytes of sha256("group/version/kind")."""
    digest = hashlib.sha256(f"{rt.group}/{rt.effective_storage_version}/{rt.kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def _entries(rt: ResourceType) -> list[dict[str, Any]]:
    main: dict[str, Any] = {
        "name": rt.plural,
        "singularName": rt.singular_name,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": sorted(rt.verbs),
    }
    if rt.short_names:
        main["shortNames"] = list(rt.short_names)
    if rt.categories:
        main["categories"] = list(rt.categories)
    main["storageVersionHash"] = storage_version_hash(rt)
    out = [main]
    for sub in sorted(rt.subresources):
        entry: dict[str, Any] = {
            "name": f"{rt.plural}/{sub}",
            "singularName": "",
            "namespaced": rt.namespaced,
            "kind": "Scale" if sub == "scale" else rt.kind,
            "verbs": list(SUBRESOURCE_VERBS),
        }
        if sub == "scale":
            entry["group"] = "autoscaling"
            entry["version"] = "v1"
        out.append(entry)
    return out


def legacy_resource_list(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """`GET /api/v1` or `/apis/<group>/<version>`; None when that group-version is not served."""
    types = registry.in_group_version(group, version)
    if not types:
        return None
    resources = [e for rt in sorted(types, key=lambda r: r.plural) for e in _entries(rt)]
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": resources,
    }
