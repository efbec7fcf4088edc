"""Namespaces and the garbage collector, with the real kubectl against `trueup cluster up`."""

from __future__ import annotations

import json
import uuid

from tests.conftest import RunningCluster

from ._util import apply, configmap, get, names, owner_ref, wait_for


def _cm(cluster: RunningCluster, ns: str, name: str) -> dict | None:  # type: ignore[type-arg]
    return get(cluster, "configmap", name, "-n", ns)


def test_every_namespace_gets_a_default_serviceaccount_and_it_comes_back(cluster: RunningCluster, ns: str) -> None:
    sa = wait_for(lambda: get(cluster, "serviceaccount", "default", "-n", ns), what="default SA")
    assert sa["metadata"]["namespace"] == ns
    for system in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert get(cluster, "serviceaccount", "default", "-n", system) is not None
    cluster.kubectl("delete", "serviceaccount", "default", "-n", ns)
    again = wait_for(lambda: get(cluster, "serviceaccount", "default", "-n", ns), what="SA recreated")
    assert again["metadata"]["uid"] != sa["metadata"]["uid"]


def test_delete_namespace_removes_all_content_custom_resources_included(cluster: RunningCluster) -> None:
    ns = f"t-{uuid.uuid4().hex[:8]}"
    group = f"{ns}.example.com"
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {"type": "object",
                                                              "x-kubernetes-preserve-unknown-fields": True}}}]},
    }
    apply(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, crd)
    cluster.kubectl("wait", "--for=condition=Established", f"crd/widgets.{group}", "--timeout=20s")
    apply(cluster, configmap(ns, "a"), configmap(ns, "b"),
          {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": ns}, "stringData": {"x": "y"}},
          {"apiVersion": f"{group}/v1", "kind": "Widget", "metadata": {"name": "w1", "namespace": ns}, "size": 3},
          {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}})
    try:
        cluster.kubectl("delete", "namespace", ns, "--timeout=30s", timeout=40)
        assert get(cluster, "namespace", ns) is None
        # Re-created empty: nothing from before survived.
        apply(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        assert names(cluster, "configmaps", ns) == []
        assert names(cluster, "secrets", ns) == []
        assert names(cluster, "deployments", ns) == []
        assert names(cluster, f"widgets.{group}", ns) == []
    finally:
        cluster.kubectl("delete", "crd", f"widgets.{group}", "--ignore-not-found")
        cluster.kubectl("delete", "namespace", ns, "--ignore-not-found", "--wait=false")


def test_terminating_namespace_reports_remaining_finalizers_then_goes(cluster: RunningCluster) -> None:
    ns = f"t-{uuid.uuid4().hex[:8]}"
    apply(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
          configmap(ns, "held", finalizers=["example.com/hold"]), configmap(ns, "free"))
    cluster.kubectl("delete", "namespace", ns, "--wait=false")

    def conditions() -> dict[str, dict] | None:  # type: ignore[type-arg]
        obj = get(cluster, "namespace", ns)
        assert obj is not None
        conds = {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}
        return conds if "NamespaceFinalizersRemaining" in conds and _cm(cluster, ns, "free") is None else None

    conds = wait_for(conditions, what="namespace conditions")
    obj = get(cluster, "namespace", ns)
    assert obj is not None and obj["status"]["phase"] == "Terminating"
    assert conds["NamespaceContentRemaining"]["status"] == "True"
    assert conds["NamespaceContentRemaining"]["reason"] == "SomeResourcesRemain"
    assert conds["NamespaceContentRemaining"]["message"] == \
        "Some resources are remaining: configmaps has 1 resource instances"
    assert conds["NamespaceFinalizersRemaining"]["reason"] == "SomeFinalizersRemain"
    assert conds["NamespaceFinalizersRemaining"]["message"] == \
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
    assert conds["NamespaceDeletionDiscoveryFailure"]["status"] == "False"
    assert conds["NamespaceDeletionDiscoveryFailure"]["reason"] == "ResourcesDiscovered"
    assert conds["NamespaceDeletionContentFailure"]["reason"] == "ContentDeleted"
    held = _cm(cluster, ns, "held")
    assert held is not None and held["metadata"].get("deletionTimestamp")
    cluster.kubectl("patch", "configmap", "held", "-n", ns, "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    wait_for(lambda: get(cluster, "namespace", ns) is None, what="namespace gone")


def test_background_deletes_dependents_but_keeps_ones_with_another_live_owner(cluster: RunningCluster,
                                                                               ns: str) -> None:
    apply(cluster, configmap(ns, "owner"), configmap(ns, "other-owner"))
    owner = _cm(cluster, ns, "owner")
    other = _cm(cluster, ns, "other-owner")
    assert owner and other
    apply(cluster, configmap(ns, "child", [owner_ref(owner)]),
          configmap(ns, "shared", [owner_ref(owner), owner_ref(other, controller=True)]))
    cluster.kubectl("delete", "configmap", "owner", "-n", ns)
    wait_for(lambda: _cm(cluster, ns, "child") is None, what="child collected")

    def shared_refs() -> list[str] | None:
        obj = _cm(cluster, ns, "shared")
        assert obj is not None, "a dependent with a live owner must survive"
        refs = [r["name"] for r in obj["metadata"].get("ownerReferences") or []]
        return refs if refs == ["other-owner"] else None

    assert wait_for(shared_refs, what="dead ownerReference removed") == ["other-owner"]
    assert names(cluster, "configmaps", ns) == ["other-owner", "shared"]


def test_dependent_of_an_owner_that_never_existed_is_collected(cluster: RunningCluster, ns: str) -> None:
    ghost = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ghost", "uid": str(uuid.uuid4())}}
    apply(cluster, configmap(ns, "orphan-child", [owner_ref(ghost)]))
    wait_for(lambda: _cm(cluster, ns, "orphan-child") is None, what="dangling dependent collected")


def test_foreground_waits_for_blocking_dependents_then_deletes_the_owner(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, configmap(ns, "root"))
    root = _cm(cluster, ns, "root")
    assert root
    apply(cluster, configmap(ns, "mid", [owner_ref(root)]))
    mid = _cm(cluster, ns, "mid")
    assert mid
    apply(cluster, configmap(ns, "leaf", [owner_ref(mid)], finalizers=["example.com/hold"]),
          configmap(ns, "loose", [owner_ref(root, block=False)]))
    cluster.kubectl("delete", "configmap", "root", "-n", ns, "--cascade=foreground", "--wait=false")

    def leaf_held() -> bool:
        leaf = _cm(cluster, ns, "leaf")
        return bool(leaf and leaf["metadata"].get("deletionTimestamp"))

    wait_for(leaf_held, what="leaf being deleted")
    wait_for(lambda: _cm(cluster, ns, "loose") is None, what="non-blocking dependent deleted")
    root_now, mid_now = _cm(cluster, ns, "root"), _cm(cluster, ns, "mid")
    assert root_now is not None and mid_now is not None, "owners wait for their blocking dependents"
    assert "foregroundDeletion" in root_now["metadata"]["finalizers"]
    assert root_now["metadata"].get("deletionTimestamp")
    assert "foregroundDeletion" in mid_now["metadata"]["finalizers"]
    cluster.kubectl("patch", "configmap", "leaf", "-n", ns, "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    wait_for(lambda: names(cluster, "configmaps", ns) == [] or None, what="whole chain deleted")


def test_kubectl_delete_cascade_foreground_returns_once_everything_is_gone(cluster: RunningCluster,
                                                                           ns: str) -> None:
    apply(cluster, configmap(ns, "root"))
    root = _cm(cluster, ns, "root")
    assert root
    apply(cluster, *(configmap(ns, f"dep{i}", [owner_ref(root)]) for i in range(3)))
    cluster.kubectl("delete", "configmap", "root", "-n", ns, "--cascade=foreground", "--timeout=20s", timeout=30)
    assert names(cluster, "configmaps", ns) == []


def test_orphan_removes_the_owner_reference_and_keeps_dependents(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, configmap(ns, "root"), configmap(ns, "keeper"))
    root, keeper = _cm(cluster, ns, "root"), _cm(cluster, ns, "keeper")
    assert root and keeper
    apply(cluster, configmap(ns, "a", [owner_ref(root)]), configmap(ns, "b", [owner_ref(root), owner_ref(keeper)]))
    cluster.kubectl("delete", "configmap", "root", "-n", ns, "--cascade=orphan", "--timeout=20s", timeout=30)
    assert names(cluster, "configmaps", ns) == ["a", "b", "keeper"]
    a, b = _cm(cluster, ns, "a"), _cm(cluster, ns, "b")
    assert a and b
    assert "ownerReferences" not in a["metadata"]
    assert [r["name"] for r in b["metadata"]["ownerReferences"]] == ["keeper"]


def test_gc_events_for_an_owner_reference_across_namespaces(cluster: RunningCluster, ns: str) -> None:
    # A namespaced dependent can only be owned from its own namespace: the reference is invalid.
    apply(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"{ns}-b"}})
    apply(cluster, configmap(f"{ns}-b", "elsewhere"))
    elsewhere = get(cluster, "configmap", "elsewhere", "-n", f"{ns}-b")
    assert elsewhere
    apply(cluster, configmap(ns, "confused", [owner_ref(elsewhere)]))
    wait_for(lambda: _cm(cluster, ns, "confused") is None, what="invalid-namespace dependent collected")
    cluster.kubectl("delete", "namespace", f"{ns}-b", "--wait=false")


def _deployment(ns: str) -> dict:  # type: ignore[type-arg]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}


def _deployment_with_pods(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, _deployment(ns))
    wait_for(lambda: len(names(cluster, "pods", ns)) == 2 and names(cluster, "replicasets", ns), what="pods")


def test_deleting_a_deployment_background_removes_replicasets_and_pods(cluster: RunningCluster, ns: str) -> None:
    _deployment_with_pods(cluster, ns)
    cluster.kubectl("delete", "deployment", "web", "-n", ns)
    wait_for(lambda: names(cluster, "replicasets", ns) == [] and names(cluster, "pods", ns) == [],
             what="replicasets and pods collected")


def test_deleting_a_deployment_foreground_waits_for_its_dependents(cluster: RunningCluster, ns: str) -> None:
    _deployment_with_pods(cluster, ns)
    cluster.kubectl("delete", "deployment", "web", "-n", ns, "--cascade=foreground", "--timeout=30s", timeout=40)
    assert names(cluster, "deployments", ns) == []
    wait_for(lambda: names(cluster, "replicasets", ns) == [] and names(cluster, "pods", ns) == [],
             what="replicasets and pods gone")


def test_deleting_a_deployment_orphan_keeps_replicasets_and_pods(cluster: RunningCluster, ns: str) -> None:
    _deployment_with_pods(cluster, ns)
    cluster.kubectl("delete", "deployment", "web", "-n", ns, "--cascade=orphan", "--timeout=30s", timeout=40)
    assert names(cluster, "deployments", ns) == []
    rs = cluster.get_json("replicasets", "-n", ns)["items"]
    assert len(rs) == 1 and "ownerReferences" not in rs[0]["metadata"]
    pods = cluster.get_json("pods", "-n", ns)["items"]
    assert len(pods) == 2
    assert all(p["metadata"]["ownerReferences"][0]["uid"] == rs[0]["metadata"]["uid"] for p in pods)
    # Still orphaned a moment later (nothing collects them).
    assert json.loads(cluster.kubectl("get", "rs", "-n", ns, "-o", "json").stdout)["items"][0]["metadata"]["uid"] \
        == rs[0]["metadata"]["uid"]
