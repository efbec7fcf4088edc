"""Storage decisions, pure: the default StorageClass, which Pod consumes a claim, matching a
claim to an existing PersistentVolume, and the PersistentVolume a provisioner creates.

The default class stands in for the AWS EBS CSI driver of the seed system (EKS):
`gp3`, provisioner `ebs.csi.aws.com`, parameters `type: gp3`, WaitForFirstConsumer, reclaim
Delete, expandable. Provisioned volumes are named `pvc-<claim uid>`, have a CSI source with
volumeHandle `vol-<17 hex>` and node affinity to the zone of the node their first consumer
was scheduled to (`topology.kubernetes.io/zone`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from ..admission.quantity import value_of

Obj = dict[str, Any]

EBS = "ebs.csi.aws.com"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
SELECTED_NODE = "volume.kubernetes.io/selected-node"
STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
ZONE_LABEL = "topology.kubernetes.io/zone"
DEFAULT_ZONE = "us-east-1a"


def default_storage_class() -> Obj:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "gp3", "annotations": {DEFAULT_CLASS_ANNOTATION: "true"}},
        "provisioner": EBS,
        "parameters": {"type": "gp3"},
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


def _meta(obj: Obj) -> Obj:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def claim_names(pod: Obj) -> list[str]:
    """The PVCs a Pod uses: persistentVolumeClaim volumes and generic ephemeral volumes."""
    out = []
    pod_name = str(_meta(pod).get("name", ""))
    for vol in (pod.get("spec") or {}).get("volumes") or []:
        if (vol.get("persistentVolumeClaim") or {}).get("claimName"):
            out.append(str(vol["persistentVolumeClaim"]["claimName"]))
        elif "ephemeral" in vol:
            out.append(f"{pod_name}-{vol.get('name', '')}")
    return out


def pod_is_terminal(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def pods_using(claim: str, pods: Iterable[Obj]) -> list[Obj]:
    """Non-terminal Pods that use the claim (what pvc-protection checks)."""
    return [p for p in pods if claim in claim_names(p) and not pod_is_terminal(p)]


def consumer_node(pvc: Obj, pods: Iterable[Obj]) -> str | None:
    """The node the claim's first consumer is on: the scheduler's selected-node annotation,
    else the node of a scheduled Pod that uses the claim."""
    selected = (_meta(pvc).get("annotations") or {}).get(SELECTED_NODE)
    if selected:
        return str(selected)
    name = str(_meta(pvc).get("name", ""))
    nodes = sorted(str((p.get("spec") or {}).get("nodeName")) for p in pods_using(name, pods)
                   if (p.get("spec") or {}).get("nodeName"))
    return nodes[0] if nodes else None


def storage_of(obj: Obj, *path: str) -> Fraction:
    cur: Any = obj
    for key in path:
        cur = cur.get(key) if isinstance(cur, dict) else None
    try:
        return value_of(cur) if cur is not None else Fraction(0)
    except (ValueError, TypeError):
        return Fraction(0)


def request_of(pvc: Obj) -> str:
    return str(((pvc.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage", "1Gi"))


def class_of(obj: Obj) -> str:
    return str((obj.get("spec") or {}).get("storageClassName") or "")


def matching_volume(pvc: Obj, volumes: Iterable[Obj]) -> Obj | None:
    """The smallest Available, unclaimed PersistentVolume that satisfies the claim (static
    binding): same class, every requested access mode, enough capacity, same volume mode."""
    spec = pvc.get("spec") or {}
    need = storage_of(pvc, "spec", "resources", "requests", "storage")
    modes = set(spec.get("accessModes") or [])
    mode = spec.get("volumeMode") or "Filesystem"
    best: tuple[Fraction, str, Obj] | None = None
    for pv in volumes:
        pspec = pv.get("spec") or {}
        if pspec.get("claimRef") or _meta(pv).get("deletionTimestamp"):
            continue
        if (pv.get("status") or {}).get("phase") not in (None, "", "Available", "Pending"):
            continue
        if class_of(pv) != class_of(pvc) or (pspec.get("volumeMode") or "Filesystem") != mode:
            continue
        if not modes <= set(pspec.get("accessModes") or []):
            continue
        size = storage_of(pv, "spec", "capacity", "storage")
        if size < need:
            continue
        key = (size, str(_meta(pv).get("name", "")), pv)
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else None


def volume_handle(pvc_uid: str) -> str:
    return "vol-0" + hashlib.sha256(pvc_uid.encode()).hexdigest()[:16]


def claim_ref(pvc: Obj) -> Obj:
    m = _meta(pvc)
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": m.get("namespace", ""),
            "name": m.get("name", ""), "uid": m.get("uid", ""), "resourceVersion": m.get("resourceVersion", "")}


def provisioned_volume(pvc: Obj, storage_class: Obj, zone: str, provisioner_identity: str) -> Obj:
    """The PersistentVolume the EBS CSI provisioner creates for the claim (pre-bound to it)."""
    spec = pvc.get("spec") or {}
    uid = str(_meta(pvc).get("uid", ""))
    fs_type = str((storage_class.get("parameters") or {}).get("csi.storage.k8s.io/fstype", "ext4"))
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "name": f"pvc-{uid}",
            "annotations": {
                PROVISIONED_BY: str(storage_class.get("provisioner", EBS)),
                "volume.kubernetes.io/provisioner-deletion-secret-name": "",
                "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
            },
        },
        "spec": {
            "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
            "capacity": {"storage": request_of(pvc)},
            "claimRef": claim_ref(pvc),
            "csi": {
                "driver": str(storage_class.get("provisioner", EBS)),
                "fsType": fs_type,
                "volumeHandle": volume_handle(uid),
                "volumeAttributes": {"storage.kubernetes.io/csiProvisionerIdentity": provisioner_identity},
            },
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": ZONE_LABEL, "operator": "In", "values": [zone]}]}]}},
            "persistentVolumeReclaimPolicy": str(storage_class.get("reclaimPolicy") or "Delete"),
            "storageClassName": str(_meta(storage_class).get("name", "")),
            "volumeMode": str(spec.get("volumeMode") or "Filesystem"),
        },
    }


def claim_bound_to(pv: Obj, pvc: Obj) -> bool:
    ref = (pv.get("spec") or {}).get("claimRef") or {}
    m = _meta(pvc)
    if ref.get("namespace") != m.get("namespace") or ref.get("name") != m.get("name"):
        return False
    return not ref.get("uid") or ref.get("uid") == m.get("uid")
