"""Discovery and OpenAPI documents, generated purely from a resources `Registry`.

aggregated  apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api and /apis (kubectl)
legacy      APIVersions, APIGroupList, APIResourceList (official Python client, older tools)
openapi     /openapi/v3 index and per-group-version documents (kubectl apply/edit/explain)
"""

from .aggregated import CONTENT_TYPE as AGGREGATED_CONTENT_TYPE
from .aggregated import aggregated_discovery
from .legacy import legacy_api_versions, legacy_group_list, legacy_resource_list
from .openapi import group_version_path, openapi_v3_document, openapi_v3_hash, openapi_v3_index

__all__ = [
    "AGGREGATED_CONTENT_TYPE",
    "aggregated_discovery",
    "group_version_path",
    "legacy_api_versions",
    "legacy_group_list",
    "legacy_resource_list",
    "openapi_v3_document",
    "openapi_v3_hash",
    "openapi_v3_index",
]
