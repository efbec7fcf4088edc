"""The AWS EBS CSI driver's external-provisioner, simulated (`ebs.csi.aws.com`).

For a claim annotated `volume.kubernetes.io/storage-provisioner: ebs.csi.aws.com` (by the
persistentvolume-controller) and not yet bound, it creates the PersistentVolume
`pvc-<claim uid>` pre-bound to the claim (storage_plan.provisioned_volume), in the zone of
the claim's selected node (WaitForFirstConsumer) or us-east-1a (Immediate), with Events
Provisioning and ProvisioningSucceeded as the real sidecar records them. It also deletes
Released volumes it provisioned whose reclaim policy is Delete (the EBS volume goes with it).

Timing: fast provisions at once; realistic takes 1-3 s (jittered), like an EBS CreateVolume.
"""

from __future__ import annotations

import random
import time

from ..client import NODES, PVCS, PVS, STORAGECLASSES, ApiError
from . import storage_plan as sp
from .informer import Key, Obj
from .runtime import Context, Controller

COMPONENT = "ebs.csi.aws.com_ebs-csi-controller-0_trueup"


def _meta(obj: Obj) -> Obj:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


class EBSProvisioner(Controller):
    name = "csi-provisioner"
    resource = PVCS
    watches = (PVS, NODES, STORAGECLASSES)
    workers = 4

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._identity = f"{int(time.time() * 1000)}-{random.randint(1000, 9999)}-{sp.EBS}"
        self._started: dict[str, float] = {}

    def setup(self) -> None:
        super().setup()

        def on_volume(etype: str, obj: Obj, old: Obj | None) -> None:
            self.enqueue(("", str(_meta(obj).get("name", ""))))

        self.informer(PVS).add_handler(on_volume)

    async def reconcile(self, key: Key) -> float | None:
        if key[0] == "":
            await self._maybe_delete(key[1])
            return None
        return await self._maybe_provision(key[0], key[1])

    async def _maybe_provision(self, ns: str, name: str) -> float | None:
        pvc = self.primary.get(ns, name)
        if pvc is None:
            return None
        m = _meta(pvc)
        annotations = m.get("annotations") or {}
        uid = str(m.get("uid", ""))
        if m.get("deletionTimestamp") or (pvc.get("spec") or {}).get("volumeName") or \
                annotations.get(sp.STORAGE_PROVISIONER) != sp.EBS:
            return None
        pv_name = f"pvc-{uid}"
        if self.informer(PVS).get(None, pv_name) is not None:
            return None
        sc = self.informer(STORAGECLASSES).get(None, sp.class_of(pvc))
        if sc is None or sc.get("provisioner") != sp.EBS:
            return None
        node_name = annotations.get(sp.SELECTED_NODE)
        if sc.get("volumeBindingMode") == "WaitForFirstConsumer" and not node_name:
            return None
        if self.settings.timing != "fast":
            now = time.monotonic()
            if uid not in self._started:
                self._started[uid] = now + random.uniform(1.0, 3.0)
                self.events.record(pvc, "Normal", "Provisioning",
                                   f'External provisioner is provisioning volume for claim "{ns}/{name}"',
                                   component=COMPONENT)
            if now < self._started[uid]:
                return self._started[uid] - now
        else:
            self.events.record(pvc, "Normal", "Provisioning",
                               f'External provisioner is provisioning volume for claim "{ns}/{name}"',
                               component=COMPONENT)
        node = self.informer(NODES).get(None, str(node_name)) if node_name else None
        zone = str(((node or {}).get("metadata") or {}).get("labels", {}).get(sp.ZONE_LABEL) or sp.DEFAULT_ZONE)
        body = sp.provisioned_volume(pvc, sc, zone, self._identity)
        try:
            await self.client.create(PVS, None, body, field_manager=self.name)
        except ApiError as exc:
            if exc.code != 409:
                self.events.record(pvc, "Warning", "ProvisioningFailed",
                                   f"failed to provision volume with StorageClass \"{sp.class_of(pvc)}\": "
                                   f"{exc.message}", component=COMPONENT)
                raise
            return None
        self._started.pop(uid, None)
        self.events.record(pvc, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {pv_name}",
                           component=COMPONENT)
        return None

    async def _maybe_delete(self, name: str) -> None:
        pv = self.informer(PVS).get(None, name)
        if pv is None:
            return
        m = _meta(pv)
        if m.get("deletionTimestamp") or (pv.get("status") or {}).get("phase") != "Released":
            return
        if (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") != "Delete" or \
                (m.get("annotations") or {}).get(sp.PROVISIONED_BY) != sp.EBS:
            return
        await self.client.delete(PVS, None, name, preconditions={"uid": m.get("uid")})
