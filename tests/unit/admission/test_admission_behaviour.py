"""Defaulting behaviour beyond the golden files: updates, cluster-state helpers, registry."""

from __future__ import annotations

import copy
import time
from typing import Any

from trueup.localcluster.admission import (
    DEFAULTERS,
    apply_defaults,
    default_ingress_class_name,
    default_storage_class_name,
    defaulted_kinds,
    prepare_for_update,
)


def _sc(name: str, created: str, default: bool) -> dict[str, Any]:
    ann = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    return {"metadata": {"name": name, "creationTimestamp": created, "annotations": ann}}


def test_default_storage_class_newest_then_lowest_name() -> None:
    classes = [_sc("old", "2024-01-01T00:00:00Z", True), _sc("b", "2025-01-01T00:00:00Z", True),
               _sc("a", "2025-01-01T00:00:00Z", True), _sc("plain", "2026-01-01T00:00:00Z", False)]
    assert default_storage_class_name({"spec": {}}, classes) == "a"
    assert default_storage_class_name({"spec": {"storageClassName": ""}}, classes) is None
    assert default_storage_class_name({"spec": {}}, [_sc("plain", "2026-01-01T00:00:00Z", False)]) is None


def test_default_ingress_class_respects_annotation() -> None:
    nginx = {"metadata": {"name": "nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}}}
    assert default_ingress_class_name({"spec": {}}, [nginx]) == "nginx"
    annotated = {"metadata": {"annotations": {"kubernetes.io/ingress.class": "traefik"}}, "spec": {}}
    assert default_ingress_class_name(annotated, [nginx]) is None


def test_registry_is_keyed_by_group_and_kind() -> None:
    assert ("apps", "Deployment") in DEFAULTERS
    assert ("", "Pod") in defaulted_kinds()
    assert all(isinstance(k, tuple) and len(k) == 2 for k in DEFAULTERS)


def test_service_update_keeps_allocated_ip_and_node_port() -> None:
    old: dict[str, Any] = {"metadata": {"name": "s"}, "spec": {
        "type": "NodePort", "clusterIP": "10.96.0.7", "clusterIPs": ["10.96.0.7"],
        "ports": [{"name": "http", "port": 80, "nodePort": 30080}]}}
    new: dict[str, Any] = {"metadata": {"name": "s"}, "spec": {
        "type": "NodePort", "ports": [{"name": "http", "port": 8080}]}}
    prepare_for_update("v1", "Service", old, new)
    apply_defaults("v1", "Service", new)
    assert new["spec"]["clusterIP"] == "10.96.0.7"
    assert new["spec"]["ports"] == [{"name": "http", "port": 8080, "nodePort": 30080, "protocol": "TCP",
                                     "targetPort": 8080}]


def test_daemonset_template_generation_bumps_on_template_change() -> None:
    ds: dict[str, Any] = {"metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [
        {"name": "c", "image": "a:1"}]}}}}
    apply_defaults("apps/v1", "DaemonSet", ds)
    assert ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "1"
    same = copy.deepcopy(ds)
    prepare_for_update("apps/v1", "DaemonSet", ds, same)
    assert same["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "1"
    changed = copy.deepcopy(ds)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "a:2"
    prepare_for_update("apps/v1", "DaemonSet", ds, changed)
    assert changed["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "2"


def test_namespace_update_keeps_finalizers_and_relabels() -> None:
    old: dict[str, Any] = {"metadata": {"name": "ns"}}
    apply_defaults("v1", "Namespace", old)
    new: dict[str, Any] = {"metadata": {"name": "ns", "labels": {"kubernetes.io/metadata.name": "tampered"}},
                           "spec": {"finalizers": []}}
    prepare_for_update("v1", "Namespace", old, new)
    apply_defaults("v1", "Namespace", new)
    assert new["spec"]["finalizers"] == ["kubernetes"]
    assert new["metadata"]["labels"] == {"kubernetes.io/metadata.name": "ns"}
    assert new["status"] == {"phase": "Active"}


def test_crd_stored_versions_accumulate() -> None:
    def crd(storage: str) -> dict[str, Any]:
        return {"metadata": {"name": "ws.example.com"}, "spec": {"group": "example.com", "names": {
            "kind": "W", "plural": "ws"}, "versions": [{"name": v, "served": True, "storage": v == storage}
                                                       for v in ("v1", "v2")]}}
    old = crd("v1")
    apply_defaults("apiextensions.k8s.io/v1", "CustomResourceDefinition", old)
    assert old["status"]["storedVersions"] == ["v1"]
    new = crd("v2")
    prepare_for_update("apiextensions.k8s.io/v1", "CustomResourceDefinition", old, new)
    apply_defaults("apiextensions.k8s.io/v1", "CustomResourceDefinition", new)
    assert new["status"]["storedVersions"] == ["v1", "v2"]


def test_job_manual_selector_is_left_alone() -> None:
    job: dict[str, Any] = {"metadata": {"name": "j", "uid": "u-1"}, "spec": {
        "manualSelector": True, "selector": {"matchLabels": {"app": "j"}},
        "template": {"metadata": {"labels": {"app": "j"}}, "spec": {"restartPolicy": "Never", "containers": []}}}}
    apply_defaults("batch/v1", "Job", job)
    assert job["spec"]["selector"] == {"matchLabels": {"app": "j"}}
    assert job["spec"]["template"]["metadata"]["labels"] == {"app": "j"}
    assert job["metadata"]["labels"] == {"app": "j"}


def test_secret_string_data_never_stored() -> None:
    secret: dict[str, Any] = {"metadata": {"name": "s"}, "stringData": {"k": "välue"}}
    apply_defaults("v1", "Secret", secret)
    assert secret == {"metadata": {"name": "s"}, "type": "Opaque", "data": {"k": "dsOkbHVl"}}


def test_statefulset_explicit_rolling_update_gets_no_rolling_block() -> None:
    sts: dict[str, Any] = {"spec": {"updateStrategy": {"type": "RollingUpdate"}, "template": {"spec": {}}}}
    apply_defaults("apps/v1", "StatefulSet", sts)
    assert sts["spec"]["updateStrategy"] == {"type": "RollingUpdate"}


def test_pod_token_volume_name_is_stable_per_uid() -> None:
    def pod() -> dict[str, Any]:
        return {"metadata": {"name": "p", "uid": "abc"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    a, b = pod(), pod()
    apply_defaults("v1", "Pod", a)
    apply_defaults("v1", "Pod", b)
    assert a == b
    name = a["spec"]["volumes"][0]["name"]
    assert name.startswith("kube-api-access-") and len(name) == len("kube-api-access-") + 5


def test_unknown_kind_is_untouched() -> None:
    obj: dict[str, Any] = {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"size": "1024Mi"}}
    apply_defaults("example.com/v1", "Widget", obj)
    assert obj == {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"size": "1024Mi"}}


def test_defaulting_is_fast() -> None:
    dep: dict[str, Any] = {"metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [
        {"name": f"c{i}", "image": "nginx:1.27", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}
        for i in range(5)]}}}}
    apply_defaults("apps/v1", "Deployment", copy.deepcopy(dep))
    start = time.perf_counter()
    for _ in range(200):
        apply_defaults("apps/v1", "Deployment", copy.deepcopy(dep))
    assert (time.perf_counter() - start) / 200 < 0.005
