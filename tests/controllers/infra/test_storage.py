"""Storage with the real kubectl: default StorageClass, dynamic provisioning on first consumer,
binding, reclaim Delete/Retain, static binding, pvc-protection."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningCluster

from ._util import apply, get, wait_for


def pvc(ns: str, name: str, storage_class: str | None = None, size: str = "2Gi") -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": ns},
            "spec": spec}


def pod(ns: str, name: str, claim: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36",
                                     "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                     "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]}}


def phase(cluster: RunningCluster, *args: str) -> str | None:
    obj = get(cluster, *args)
    return None if obj is None else (obj.get("status") or {}).get("phase")


def events_for(cluster: RunningCluster, ns: str, name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = cluster.get_json("events", "-n", ns,
                                                   f"--field-selector=involvedObject.name={name}")["items"]
    return items


def test_default_storage_class_stands_in_for_ebs_gp3(cluster: RunningCluster) -> None:
    sc = wait_for(lambda: get(cluster, "storageclass", "gp3"), what="gp3")
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert sc["provisioner"] == "ebs.csi.aws.com"
    assert sc["parameters"] == {"type": "gp3"}
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer"
    assert sc["reclaimPolicy"] == "Delete"
    assert sc["allowVolumeExpansion"] is True
    assert "gp3 (default)" in cluster.kubectl("get", "storageclass").stdout


def test_claim_waits_for_first_consumer_then_binds_and_its_volume_is_deleted_with_it(
        cluster: RunningCluster, ns: str) -> None:
    apply(cluster, pvc(ns, "data"))
    claim = get(cluster, "pvc", "data", "-n", ns)
    assert claim and claim["spec"]["storageClassName"] == "gp3"
    wait_for(lambda: any(e["reason"] == "WaitForFirstConsumer" for e in events_for(cluster, ns, "data")),
             what="WaitForFirstConsumer event")
    assert phase(cluster, "pvc", "data", "-n", ns) == "Pending"
    event = next(e for e in events_for(cluster, ns, "data") if e["reason"] == "WaitForFirstConsumer")
    assert event["message"] == "waiting for first consumer to be created before binding"

    apply(cluster, pod(ns, "user", "data"))
    cluster.kubectl("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data", "-n", ns, "--timeout=20s")
    claim = get(cluster, "pvc", "data", "-n", ns)
    assert claim is not None
    pv_name = f"pvc-{claim['metadata']['uid']}"
    assert claim["spec"]["volumeName"] == pv_name
    assert claim["status"]["capacity"] == {"storage": "2Gi"}
    assert claim["status"]["accessModes"] == ["ReadWriteOnce"]
    ann = claim["metadata"]["annotations"]
    assert ann["pv.kubernetes.io/bind-completed"] == "yes"
    assert ann["pv.kubernetes.io/bound-by-controller"] == "yes"
    assert ann["volume.kubernetes.io/storage-provisioner"] == "ebs.csi.aws.com"
    node = get(cluster, "pod", "user", "-n", ns)
    assert node is not None and ann["volume.kubernetes.io/selected-node"] == node["spec"]["nodeName"]

    pv = wait_for(lambda: get(cluster, "pv", pv_name) if phase(cluster, "pv", pv_name) == "Bound" else None,
                  what="PV Bound")
    assert pv["spec"]["csi"]["driver"] == "ebs.csi.aws.com"
    assert pv["spec"]["csi"]["volumeHandle"].startswith("vol-")
    assert pv["spec"]["capacity"] == {"storage": "2Gi"}
    assert pv["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert pv["spec"]["storageClassName"] == "gp3"
    term = pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
    assert term["key"] == "topology.kubernetes.io/zone" and term["values"] == ["us-east-1a"]
    assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "ebs.csi.aws.com"
    reasons = {e["reason"] for e in events_for(cluster, ns, "data")}
    assert {"ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"} <= reasons

    # pvc-protection: a claim in use stays Terminating until its Pod is gone.
    cluster.kubectl("delete", "pvc", "data", "-n", ns, "--wait=false")
    claim = get(cluster, "pvc", "data", "-n", ns)
    assert claim is not None and claim["metadata"]["deletionTimestamp"]
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    cluster.kubectl("delete", "pod", "user", "-n", ns)
    wait_for(lambda: get(cluster, "pvc", "data", "-n", ns) is None, what="claim deleted")
    wait_for(lambda: get(cluster, "pv", pv_name) is None, what="volume deleted (reclaim Delete)")


def test_immediate_class_with_retain_binds_at_once_and_releases(cluster: RunningCluster, ns: str) -> None:
    sc_name = f"{ns}-retain"
    apply(cluster, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": sc_name},
                    "provisioner": "ebs.csi.aws.com", "reclaimPolicy": "Retain", "volumeBindingMode": "Immediate"})
    try:
        apply(cluster, pvc(ns, "keep", sc_name, "5Gi"))
        cluster.kubectl("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/keep", "-n", ns, "--timeout=20s")
        claim = get(cluster, "pvc", "keep", "-n", ns)
        assert claim is not None
        pv_name = claim["spec"]["volumeName"]
        cluster.kubectl("delete", "pvc", "keep", "-n", ns, "--timeout=20s")
        wait_for(lambda: phase(cluster, "pv", pv_name) == "Released", what="PV Released")
        pv = get(cluster, "pv", pv_name)
        assert pv is not None and pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
        cluster.kubectl("delete", "pv", pv_name, "--timeout=20s")
        assert get(cluster, "pv", pv_name) is None
    finally:
        cluster.kubectl("delete", "storageclass", sc_name, "--ignore-not-found")


def test_claim_binds_to_a_matching_existing_volume(cluster: RunningCluster, ns: str) -> None:
    cls = f"{ns}-manual"
    small = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": f"{ns}-small"},
             "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": cls,
                      "hostPath": {"path": "/tmp/small"}}}
    big = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": f"{ns}-big"},
           "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": cls,
                    "hostPath": {"path": "/tmp/big"}}}
    apply(cluster, small, big)
    try:
        wait_for(lambda: phase(cluster, "pv", f"{ns}-big") == "Available", what="PV Available")
        apply(cluster, pvc(ns, "static", cls, "3Gi"))
        cluster.kubectl("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/static", "-n", ns, "--timeout=20s")
        claim = get(cluster, "pvc", "static", "-n", ns)
        assert claim is not None and claim["spec"]["volumeName"] == f"{ns}-big"
        assert claim["status"]["capacity"] == {"storage": "10Gi"}
        pv = get(cluster, "pv", f"{ns}-big")
        assert pv is not None and pv["spec"]["claimRef"]["name"] == "static"
        assert pv["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"
        assert phase(cluster, "pv", f"{ns}-small") == "Available"
    finally:
        cluster.kubectl("delete", "pvc", "static", "-n", ns, "--ignore-not-found", "--timeout=20s")
        cluster.kubectl("delete", "pv", f"{ns}-small", f"{ns}-big", "--ignore-not-found", "--timeout=20s")


def test_statefulset_claims_are_bound_to_provisioned_volumes(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": ns},
                    "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                             "template": {"metadata": {"labels": {"app": "db"}},
                                          "spec": {"containers": [{"name": "c", "image": "postgres:16",
                                                                   "volumeMounts": [{"name": "data",
                                                                                     "mountPath": "/var/lib"}]}]}},
                             "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                                 "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}})
    for i in range(2):
        wait_for(lambda i=i: phase(cluster, "pvc", f"data-db-{i}", "-n", ns) == "Bound",  # type: ignore[misc]
                 timeout=30, what=f"data-db-{i} Bound")
        claim = get(cluster, "pvc", f"data-db-{i}", "-n", ns)
        assert claim is not None
        assert phase(cluster, "pv", claim["spec"]["volumeName"]) == "Bound"
    cluster.kubectl("rollout", "status", "statefulset/db", "-n", ns, "--timeout=30s", timeout=40)
