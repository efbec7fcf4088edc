"""OpenAPI v3 as kubectl apply/edit/explain consume it: index, per-group-version documents, hashes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from trueup.localcluster.discovery import (
    group_version_path,
    openapi_v3_document,
    openapi_v3_hash,
    openapi_v3_index,
)
from trueup.localcluster.resources import BUILTIN_TYPES, Registry

WIDGET_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {"type": "object", "properties": {"size": {"type": "integer"}, "color": {"type": "string"}}},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
}


def widget_crd(group: str = "example.com", kind: str = "Widget", plural: str = "widgets") -> dict[str, Any]:
    return {
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind},
            "versions": [{"name": "v1", "served": True, "storage": True,
                          "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size",
                                                                   "statusReplicasPath": ".status.size"}},
                          "schema": {"openAPIV3Schema": copy.deepcopy(WIDGET_SCHEMA)}}],
        },
    }


def patch_operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [item["patch"] for item in doc["paths"].values() if "patch" in item]


def patch_op_for(doc: dict[str, Any], group: str, version: str, kind: str) -> dict[str, Any]:
    """What kubectl's query-param verifier does: the first PATCH whose GVK extension matches."""
    for op in patch_operations(doc):
        if op["x-kubernetes-group-version-kind"] == {"group": group, "version": version, "kind": kind}:
            return op
    raise AssertionError(f"no PATCH operation for {group}/{version} {kind}")


def all_refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                found.add(v)
            else:
                found |= all_refs(v)
    elif isinstance(node, list):
        for v in node:
            found |= all_refs(v)
    return found


def schema_nodes(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            out.extend(schema_nodes(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(schema_nodes(v))
    return out


def test_index_lists_every_group_version_with_hashed_url() -> None:
    registry = Registry()
    index = openapi_v3_index(registry)
    expected = {group_version_path(rt.group, rt.version) for rt in BUILTIN_TYPES}
    assert set(index["paths"]) == expected
    assert "api/v1" in index["paths"] and "apis/apps/v1" in index["paths"]
    url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url == f"/openapi/v3/apis/apps/v1?hash={openapi_v3_hash(registry, 'apps', 'v1')}"


@pytest.mark.parametrize("rt", BUILTIN_TYPES, ids=lambda rt: f"{rt.group or 'core'}.{rt.kind}")
def test_every_builtin_kind_supports_field_validation_on_patch(rt: Any) -> None:
    doc = openapi_v3_document(Registry(), rt.group, rt.version)
    assert doc is not None
    op = patch_op_for(doc, rt.group, rt.version, rt.kind)
    assert "fieldValidation" in [p["name"] for p in op["parameters"]]
    assert "application/strategic-merge-patch+json" not in op["requestBody"]["content"]
    assert "application/apply-patch+yaml" in op["requestBody"]["content"]
    assert "application/merge-patch+json" in op["requestBody"]["content"]
    # kubectl explain finds the kind's schema by its GVK extension
    kinds = [s for s in doc["components"]["schemas"].values()
             if {"group": rt.group, "version": rt.version, "kind": rt.kind}
             in s.get("x-kubernetes-group-version-kind", [])]
    assert kinds, f"no schema for {rt.kind}"


def test_deployment_paths_like_kube_apiserver() -> None:
    doc = openapi_v3_document(Registry(), "apps", "v1")
    assert doc is not None
    assert doc["openapi"].startswith("3.")
    item = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]
    assert {"get", "put", "patch", "delete"} <= set(item)
    assert {p["name"] for p in item["parameters"]} >= {"name", "namespace"}
    assert "/apis/apps/v1/deployments" in doc["paths"]
    coll = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]
    assert "fieldValidation" in [p["name"] for p in coll["post"]["parameters"]]
    scale = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["patch"]
    assert scale["x-kubernetes-group-version-kind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    assert "io.k8s.api.autoscaling.v1.Scale" in doc["components"]["schemas"]
    ns_doc = openapi_v3_document(Registry(), "", "v1")
    assert ns_doc is not None
    assert "/api/v1/namespaces/{name}" in ns_doc["paths"]
    assert "post" in ns_doc["paths"]["/api/v1/namespaces"]


def test_builtin_schemas_are_openapi3_and_self_contained() -> None:
    doc = openapi_v3_document(Registry(), "apps", "v1")
    assert doc is not None
    schemas = doc["components"]["schemas"]
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]
    spec_ref = "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"
    assert deployment["properties"]["spec"]["allOf"] == [{"$ref": spec_ref}]
    assert "enum" not in deployment["properties"]["apiVersion"]
    replicas = schemas["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["replicas"]
    assert replicas["type"] == "integer" and replicas["nullable"] is True
    assert schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] == {"type": "string", "format": "int-or-string"}
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    for ref in all_refs(doc):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    for node in schema_nodes(schemas):
        assert not isinstance(node.get("type"), list)
    # only what apps/v1 reaches: no unrelated groups
    assert not any(name.startswith("io.k8s.api.rbac") for name in schemas)
    assert not any(name.startswith("io.k8s.api.batch") for name in schemas)


def test_crd_document_and_new_hash() -> None:
    registry = Registry()
    before = openapi_v3_index(registry)
    assert "apis/example.com/v1" not in before["paths"]
    assert openapi_v3_document(registry, "example.com", "v1") is None
    registry.put_crd(widget_crd())
    after = openapi_v3_index(registry)
    assert "apis/example.com/v1" in after["paths"]
    assert after["paths"]["apis/apps/v1"] == before["paths"]["apis/apps/v1"]
    doc = openapi_v3_document(registry, "example.com", "v1")
    assert doc is not None
    op = patch_op_for(doc, "example.com", "v1", "Widget")
    assert "fieldValidation" in [p["name"] for p in op["parameters"]]
    assert "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status" in doc["paths"]
    schema = doc["components"]["schemas"]["com.example.v1.Widget"]
    assert schema["properties"]["spec"]["properties"]["size"] == {"type": "integer"}
    assert schema["properties"]["metadata"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]
    assert schema["x-kubernetes-group-version-kind"] == [{"group": "example.com", "version": "v1", "kind": "Widget"}]
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in doc["components"]["schemas"]
    for ref in all_refs(doc):
        assert ref.removeprefix("#/components/schemas/") in doc["components"]["schemas"], ref
    # a second kind in the same group changes that group-version's hash only
    first_hash = after["paths"]["apis/example.com/v1"]["serverRelativeURL"]
    registry.put_crd(widget_crd(kind="Gizmo", plural="gizmos"))
    third = openapi_v3_index(registry)
    assert third["paths"]["apis/example.com/v1"]["serverRelativeURL"] != first_hash
    assert third["paths"]["api/v1"] == before["paths"]["api/v1"]
    # the registry's CRD schema is not mutated by document generation
    widgets = registry.lookup("example.com", "v1", "widgets")
    assert widgets is not None and widgets.crd_schema is not None
    assert "metadata" not in widgets.crd_schema["properties"]


def test_documents_are_cached_per_revision() -> None:
    registry = Registry()
    first = openapi_v3_document(registry, "apps", "v1")
    assert openapi_v3_document(registry, "apps", "v1") is first
    registry.put_crd(widget_crd())
    again = openapi_v3_document(registry, "apps", "v1")
    assert again == first
    other = Registry()
    assert openapi_v3_document(other, "example.com", "v1") is None


def test_removing_a_crd_removes_it_from_the_index() -> None:
    registry = Registry()
    registry.put_crd(widget_crd())
    assert "apis/example.com/v1" in openapi_v3_index(registry)["paths"]
    registry.remove_crd("widgets.example.com")
    assert "apis/example.com/v1" not in openapi_v3_index(registry)["paths"]
    assert openapi_v3_document(registry, "example.com", "v1") is None
