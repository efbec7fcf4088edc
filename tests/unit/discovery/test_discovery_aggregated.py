"""Aggregated discovery (what `kubectl api-resources`, `get deploy`, `get all` resolve names from)."""

from __future__ import annotations

from typing import Any

from trueup.localcluster.discovery import AGGREGATED_CONTENT_TYPE, aggregated_discovery
from trueup.localcluster.resources import BUILTIN_TYPES, Registry

WIDGET_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"],
                  "categories": ["all", "gadgets"]},
        "versions": [
            {"name": "v1", "served": True, "storage": True,
             "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                      "statusReplicasPath": ".status.replicas"}},
             "schema": {"openAPIV3Schema": {"type": "object"}}},
            {"name": "v1beta1", "served": True, "storage": False,
             "schema": {"openAPIV3Schema": {"type": "object"}}},
        ],
    },
}


def resources(doc: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    out = {}
    for item in doc["items"]:
        group = item["metadata"].get("name", "")
        for v in item["versions"]:
            for r in v["resources"]:
                out[(group, v["version"], r["resource"])] = r
    return out


def test_content_type_is_the_one_kubectl_requires() -> None:
    assert AGGREGATED_CONTENT_TYPE == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def test_core_document_has_only_the_core_group() -> None:
    doc = aggregated_discovery(Registry(), core=True)
    assert doc["kind"] == "APIGroupDiscoveryList"
    assert doc["apiVersion"] == "apidiscovery.k8s.io/v2"
    assert len(doc["items"]) == 1
    core = doc["items"][0]
    assert "name" not in core["metadata"]
    assert [v["version"] for v in core["versions"]] == ["v1"]
    assert core["versions"][0]["freshness"] == "Current"
    pods = resources(doc)[("", "v1", "pods")]
    assert pods["responseKind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert pods["scope"] == "Namespaced"
    assert pods["singularResource"] == "pod"
    assert pods["shortNames"] == ["po"]
    assert pods["categories"] == ["all"]
    assert set(pods["verbs"]) == {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
    assert pods["subresources"] == [{"subresource": "status", "responseKind": pods["responseKind"],
                                     "verbs": ["get", "patch", "update"]}]


def test_apis_document_has_named_groups_in_priority_order() -> None:
    doc = aggregated_discovery(Registry(), core=False)
    names = [i["metadata"]["name"] for i in doc["items"]]
    assert "" not in names
    assert names[0] == "apps"
    assert set(names) >= {"apps", "batch", "networking.k8s.io", "rbac.authorization.k8s.io",
                          "apiextensions.k8s.io", "coordination.k8s.io", "autoscaling", "policy"}


def test_every_builtin_type_is_discoverable_with_its_names() -> None:
    registry = Registry()
    found = {**resources(aggregated_discovery(registry, core=True)),
             **resources(aggregated_discovery(registry, core=False))}
    assert len(found) == len(BUILTIN_TYPES)
    for rt in BUILTIN_TYPES:
        entry = found[(rt.group, rt.version, rt.plural)]
        assert entry["responseKind"]["kind"] == rt.kind
        assert entry["scope"] == ("Namespaced" if rt.namespaced else "Cluster")
        assert entry.get("shortNames", []) == list(rt.short_names)
        assert entry.get("categories", []) == list(rt.categories)
        assert sorted(entry["verbs"]) == sorted(rt.verbs)
        assert [s["subresource"] for s in entry.get("subresources", [])] == sorted(rt.subresources)


def test_short_names_kubectl_users_type() -> None:
    registry = Registry()
    found = {**resources(aggregated_discovery(registry, core=True)),
             **resources(aggregated_discovery(registry, core=False))}
    by_short = {s: key for key, r in found.items() for s in r.get("shortNames", [])}
    assert by_short["deploy"] == ("apps", "v1", "deployments")
    assert by_short["po"] == ("", "v1", "pods")
    assert by_short["svc"] == ("", "v1", "services")
    assert by_short["ns"] == ("", "v1", "namespaces")
    assert by_short["crd"] == ("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    assert found[("", "v1", "namespaces")]["scope"] == "Cluster"


def test_get_all_category() -> None:
    registry = Registry()
    found = {**resources(aggregated_discovery(registry, core=True)),
             **resources(aggregated_discovery(registry, core=False))}
    in_all = {key[2] for key, r in found.items() if "all" in r.get("categories", [])}
    assert {"pods", "services", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs",
            "cronjobs"} <= in_all
    assert "configmaps" not in in_all and "secrets" not in in_all


def test_scale_subresource_answers_autoscaling_v1_scale() -> None:
    deploy = resources(aggregated_discovery(Registry(), core=False))[("apps", "v1", "deployments")]
    subs = {s["subresource"]: s for s in deploy["subresources"]}
    assert subs["scale"]["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    assert subs["status"]["responseKind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert subs["scale"]["verbs"] == ["get", "patch", "update"]


def test_crd_appears_in_apis_with_preferred_version_first() -> None:
    registry = Registry()
    before = aggregated_discovery(registry, core=False)
    assert "example.com" not in [i["metadata"]["name"] for i in before["items"]]
    registry.put_crd(WIDGET_CRD)
    doc = aggregated_discovery(registry, core=False)
    (item,) = [i for i in doc["items"] if i["metadata"]["name"] == "example.com"]
    assert [v["version"] for v in item["versions"]] == ["v1", "v1beta1"]
    widgets = resources(doc)[("example.com", "v1", "widgets")]
    assert widgets["responseKind"] == {"group": "example.com", "version": "v1", "kind": "Widget"}
    assert widgets["scope"] == "Namespaced"
    assert widgets["singularResource"] == "widget"
    assert widgets["shortNames"] == ["wd"]
    assert widgets["categories"] == ["all", "gadgets"]
    assert [s["subresource"] for s in widgets["subresources"]] == ["scale", "status"]
    assert "subresources" not in resources(doc)[("example.com", "v1beta1", "widgets")]
    assert aggregated_discovery(registry, core=True) == aggregated_discovery(Registry(), core=True)
    registry.remove_crd("widgets.example.com")
    assert aggregated_discovery(registry, core=False) == before
