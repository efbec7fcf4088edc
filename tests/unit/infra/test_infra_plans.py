"""Pure parts of the namespace, storage, load balancer and discovery helpers."""

from __future__ import annotations

from typing import Any

from trueup.localcluster.admission import apply_defaults
from trueup.localcluster.client import Res
from trueup.localcluster.controllers import loadbalancer as lb
from trueup.localcluster.controllers import storage_plan as sp
from trueup.localcluster.controllers._apidiscovery import by_group_kind, group_of, resources_of
from trueup.localcluster.controllers.namespace import deletion_conditions, remaining_messages


# ----- namespace
def test_deletion_conditions_keep_transition_times_and_report_failures() -> None:
    first = deletion_conditions([], {"NamespaceContentRemaining": "Some resources are remaining: x"}, "T1")
    assert [c["type"] for c in first] == [
        "NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure",
        "NamespaceDeletionContentFailure", "NamespaceContentRemaining", "NamespaceFinalizersRemaining"]
    remaining = next(c for c in first if c["type"] == "NamespaceContentRemaining")
    assert (remaining["status"], remaining["reason"]) == ("True", "SomeResourcesRemain")
    second = deletion_conditions(first, {}, "T2")
    remaining = next(c for c in second if c["type"] == "NamespaceContentRemaining")
    assert (remaining["status"], remaining["reason"], remaining["lastTransitionTime"]) == \
        ("False", "ContentRemoved", "T2")
    discovery = next(c for c in second if c["type"] == "NamespaceDeletionDiscoveryFailure")
    assert discovery["lastTransitionTime"] == "T1"  # unchanged status keeps its time
    assert discovery["message"] == "All resources successfully discovered"


def test_remaining_messages() -> None:
    assert remaining_messages({"pods": 2, "widgets.example.com": 1}, {"example.com/hold": 1}) == (
        "Some resources are remaining: pods has 2 resource instances, widgets.example.com has 1 resource instances",
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances")
    assert remaining_messages({}, {}) == ("", "")


# ----- discovery
def test_resources_of_keeps_main_resources_with_the_verbs() -> None:
    doc = {"resources": [
        {"name": "pods", "kind": "Pod", "namespaced": True, "verbs": ["list", "watch", "delete", "get"]},
        {"name": "pods/status", "kind": "Pod", "namespaced": True, "verbs": ["get", "patch"]},
        {"name": "bindings", "kind": "Binding", "namespaced": True, "verbs": ["create"]},
        {"name": "nodes", "kind": "Node", "namespaced": False, "verbs": ["list", "watch", "delete"]},
    ]}
    found = resources_of("", "v1", doc, ("list", "watch", "delete"))
    assert found == [Res("", "v1", "pods", "Pod", True), Res("", "v1", "nodes", "Node", False)]
    assert by_group_kind(found)[("", "Node")].plural == "nodes"
    assert group_of("apps/v1") == "apps" and group_of("v1") == ""


# ----- storage
def _pvc(name: str = "data", size: str = "5Gi", cls: str = "gp3", **ann: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": "ns", "uid": "1234", "resourceVersion": "7", "annotations": ann},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
                     "storageClassName": cls}}


def _pod(name: str, claim: str, node: str | None = None, phase: str = "Running") -> dict[str, Any]:
    spec: dict[str, Any] = {"volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": claim}},
                                        {"name": "scratch", "ephemeral": {}}]}
    if node:
        spec["nodeName"] = node
    return {"metadata": {"name": name, "namespace": "ns"}, "spec": spec, "status": {"phase": phase}}


def test_consumers_of_a_claim() -> None:
    pods = [_pod("a", "data"), _pod("b", "data", "trueup-node-2"), _pod("c", "other", "trueup-node-1"),
            _pod("d", "data", "trueup-node-1", phase="Succeeded")]
    assert sp.claim_names(pods[0]) == ["data", "a-scratch"]
    assert [p["metadata"]["name"] for p in sp.pods_using("data", pods)] == ["a", "b"]
    assert sp.consumer_node(_pvc(), pods) == "trueup-node-2"
    assert sp.consumer_node(_pvc(**{sp.SELECTED_NODE: "trueup-node-3"}), pods) == "trueup-node-3"
    assert sp.consumer_node(_pvc(), pods[:1]) is None


def _pv(name: str, size: str, cls: str = "gp3", modes: tuple[str, ...] = ("ReadWriteOnce",),
        claimed: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"capacity": {"storage": size}, "accessModes": list(modes), "storageClassName": cls}
    if claimed:
        spec["claimRef"] = {"namespace": "x", "name": "y"}
    return {"metadata": {"name": name}, "spec": spec, "status": {"phase": "Available"}}


def test_matching_volume_is_the_smallest_that_fits() -> None:
    volumes = [_pv("too-small", "1Gi"), _pv("huge", "100Gi"), _pv("fits", "8Gi"), _pv("taken", "5Gi", claimed=True),
               _pv("other-class", "5Gi", cls="io2"), _pv("rox", "5Gi", modes=("ReadOnlyMany",))]
    match = sp.matching_volume(_pvc(), volumes)
    assert match is not None and match["metadata"]["name"] == "fits"
    assert sp.matching_volume(_pvc(size="200Gi"), volumes) is None


def test_provisioned_volume() -> None:
    pv = sp.provisioned_volume(_pvc(), sp.default_storage_class(), "us-east-1b", "id-ebs")
    assert pv["metadata"]["name"] == "pvc-1234"
    assert pv["metadata"]["annotations"][sp.PROVISIONED_BY] == "ebs.csi.aws.com"
    spec = pv["spec"]
    assert spec["capacity"] == {"storage": "5Gi"} and spec["accessModes"] == ["ReadWriteOnce"]
    assert spec["claimRef"] == {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": "ns",
                                "name": "data", "uid": "1234", "resourceVersion": "7"}
    assert spec["csi"]["driver"] == "ebs.csi.aws.com" and spec["csi"]["fsType"] == "ext4"
    assert spec["csi"]["volumeHandle"] == sp.volume_handle("1234") and len(spec["csi"]["volumeHandle"]) == 21
    assert spec["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["us-east-1b"]}]
    assert spec["persistentVolumeReclaimPolicy"] == "Delete" and spec["storageClassName"] == "gp3"
    assert sp.claim_bound_to(pv, _pvc())
    assert not sp.claim_bound_to(pv, _pvc(name="other"))


def test_protection_finalizers_can_be_removed_once_deletion_started() -> None:
    live = _pvc()
    apply_defaults("v1", "PersistentVolumeClaim", live)
    assert live["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    deleting = _pvc()
    deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    apply_defaults("v1", "PersistentVolumeClaim", deleting)
    assert "finalizers" not in deleting["metadata"]


# ----- load balancer
def test_hostnames_are_stable_and_aws_shaped() -> None:
    svc = {"metadata": {"name": "web", "namespace": "shop", "uid": "u-1"}}
    assert lb.service_hostname(svc) == lb.service_hostname(svc)
    assert lb.service_hostname(svc).startswith("web-") and lb.service_hostname(svc).endswith(
        ".elb.us-east-1.amazonaws.com")
    long = {"metadata": {"name": "x" * 63, "namespace": "shop", "uid": "u-2"}}
    assert len(lb.service_hostname(long).split(".")[0]) <= 63
    ing = {"metadata": {"name": "storefront", "namespace": "shop", "uid": "u-3"}}
    assert lb.ingress_hostname(ing).startswith("k8s-shop-storefro-")
    g1 = {"metadata": {"name": "a", "namespace": "n1", "uid": "1",
                       "annotations": {"alb.ingress.kubernetes.io/group.name": "edge"}}}
    g2 = {"metadata": {"name": "b", "namespace": "n2", "uid": "2",
                       "annotations": {"alb.ingress.kubernetes.io/group.name": "edge"}}}
    assert lb.ingress_hostname(g1) == lb.ingress_hostname(g2)


def test_which_objects_the_load_balancer_serves() -> None:
    assert lb.wants_service_lb({"spec": {"type": "LoadBalancer"}})
    assert lb.wants_service_lb({"spec": {"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb"}})
    assert not lb.wants_service_lb({"spec": {"type": "LoadBalancer", "loadBalancerClass": "example.com/lb"}})
    assert not lb.wants_service_lb({"spec": {"type": "NodePort"}})
    classes = {"alb": lb.alb_ingress_class(), "nginx": {"spec": {"controller": "k8s.io/ingress-nginx"}}}
    assert lb.ingress_is_alb({"spec": {}}, classes)
    assert lb.ingress_is_alb({"spec": {"ingressClassName": "alb"}}, classes)
    assert not lb.ingress_is_alb({"spec": {"ingressClassName": "nginx"}}, classes)
    assert not lb.ingress_is_alb({"spec": {"ingressClassName": "missing"}}, classes)
    assert not lb.ingress_is_alb({"metadata": {"annotations": {"kubernetes.io/ingress.class": "nginx"}},
                                  "spec": {}}, classes)
