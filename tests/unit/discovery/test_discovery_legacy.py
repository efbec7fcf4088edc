"""Legacy discovery, which the official Python client's DynamicClient relies on."""

from __future__ import annotations

import copy
from typing import Any

from trueup.localcluster.discovery import legacy_api_versions, legacy_group_list, legacy_resource_list
from trueup.localcluster.resources import Registry

CRD: dict[str, Any] = {
    "metadata": {"name": "gadgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Cluster",
        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
        "versions": [
            {"name": "v1alpha1", "served": True, "storage": False},
            {"name": "v1", "served": True, "storage": True, "subresources": {"status": {}}},
            {"name": "v0", "served": False, "storage": False},
        ],
    },
}


def by_name(resource_list: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    assert resource_list is not None
    return {r["name"]: r for r in resource_list["resources"]}


def test_api_versions() -> None:
    doc = legacy_api_versions("10.0.0.1:6443")
    assert doc == {"kind": "APIVersions", "versions": ["v1"],
                   "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.0.0.1:6443"}]}


def test_group_list_names_preferred_versions() -> None:
    doc = legacy_group_list(Registry())
    assert doc["kind"] == "APIGroupList" and doc["apiVersion"] == "v1"
    groups = {g["name"]: g for g in doc["groups"]}
    assert "" not in groups
    assert groups["apps"]["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    assert groups["autoscaling"]["versions"] == [{"groupVersion": "autoscaling/v2", "version": "v2"}]


def test_core_v1_resource_list() -> None:
    doc = legacy_resource_list(Registry(), "", "v1")
    assert doc is not None
    assert doc["kind"] == "APIResourceList" and doc["groupVersion"] == "v1"
    found = by_name(doc)
    assert found["pods"]["namespaced"] is True
    assert found["pods"]["kind"] == "Pod"
    assert found["pods"]["singularName"] == "pod"
    assert found["pods"]["shortNames"] == ["po"]
    assert found["pods"]["categories"] == ["all"]
    assert found["pods"]["storageVersionHash"]
    assert found["pods/status"]["verbs"] == ["get", "patch", "update"]
    assert found["namespaces"]["namespaced"] is False
    assert found["replicationcontrollers/scale"]["group"] == "autoscaling"


def test_apps_v1_has_scale_and_status_entries() -> None:
    found = by_name(legacy_resource_list(Registry(), "apps", "v1"))
    assert found["deployments"]["verbs"] == sorted(found["deployments"]["verbs"])
    assert found["deployments/scale"] == {"name": "deployments/scale", "singularName": "", "namespaced": True,
                                          "kind": "Scale", "verbs": ["get", "patch", "update"],
                                          "group": "autoscaling", "version": "v1"}
    assert found["deployments/status"]["kind"] == "Deployment"
    names = list(found)
    assert names.index("deployments") < names.index("deployments/scale") < names.index("deployments/status")


def test_unserved_group_versions_are_none() -> None:
    registry = Registry()
    assert legacy_resource_list(registry, "apps", "v1beta1") is None
    assert legacy_resource_list(registry, "example.com", "v1") is None
    assert legacy_resource_list(registry, "", "v2") is None


def test_crd_versions_appear_in_group_list_and_resource_lists() -> None:
    registry = Registry()
    registry.put_crd(copy.deepcopy(CRD))
    groups = {g["name"]: g for g in legacy_group_list(registry)["groups"]}
    assert [v["version"] for v in groups["example.com"]["versions"]] == ["v1", "v1alpha1"]
    assert groups["example.com"]["preferredVersion"]["version"] == "v1"
    found = by_name(legacy_resource_list(registry, "example.com", "v1"))
    assert found["gadgets"]["namespaced"] is False
    assert found["gadgets"]["kind"] == "Gadget"
    assert "gadgets/status" in found
    assert "gadgets/status" not in by_name(legacy_resource_list(registry, "example.com", "v1alpha1"))
    assert legacy_resource_list(registry, "example.com", "v0") is None
    # Every version shares the storage version's hash, as kube-apiserver reports it.
    v1alpha1 = by_name(legacy_resource_list(registry, "example.com", "v1alpha1"))
    assert v1alpha1["gadgets"]["storageVersionHash"] == found["gadgets"]["storageVersionHash"]
