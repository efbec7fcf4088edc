"""The persistentvolume-controller: binding, release, protection; and the default StorageClass.

As kube-controller-manager's PV binder (plus the pvc-/pv-protection controllers):

- At start, the StorageClass `gp3` (storage_plan.default_storage_class) is created if absent.
- A claim of a WaitForFirstConsumer class stays Pending (Event WaitForFirstConsumer "waiting
  for first consumer to be created before binding") until a Pod using it is scheduled. The
  scheduler does not set `volume.kubernetes.io/selected-node`, so this controller sets it (on
  the scheduler's behalf) from the node of the first scheduled Pod that uses the claim.
- A claim is bound to a matching Available volume (static binding) if there is one; otherwise
  its class's provisioner is asked for one: annotations `volume.kubernetes.io/storage-provisioner`
  (+ beta) and Event ExternalProvisioning. The EBS stand-in (storage_provision.py) then creates
  `pvc-<uid>` pre-bound to the claim, and this controller completes the binding: claim
  `spec.volumeName`, annotations `pv.kubernetes.io/bind-completed` and `bound-by-controller`,
  status Bound with capacity and accessModes; volume status Bound.
- A volume whose claim is gone becomes Released (the provisioner deletes Delete-policy volumes;
  Retain ones stay Released). A bound claim whose volume disappeared becomes Lost (ClaimLost).
- Protection: a deleted claim loses `kubernetes.io/pvc-protection` once no Pod uses it; a deleted
  volume loses `kubernetes.io/pv-protection` once it is not Bound.

Keys: (namespace, name) of a claim; ("", name) of a volume (claims are always namespaced).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from ..client import NODES, PODS, PVCS, PVS, STORAGECLASSES, ApiError, Res
from . import storage_plan as sp
from .informer import Key, Obj
from .runtime import Controller

log = logging.getLogger("trueup.localcluster.controllers")

WFFC_MESSAGE = "waiting for first consumer to be created before binding"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meta(obj: Obj) -> Obj:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


class PersistentVolumeController(Controller):
    name = "persistentvolume-controller"
    resource = PVCS
    watches = (PVS, PODS, STORAGECLASSES, NODES)
    workers = 4

    def setup(self) -> None:
        super().setup()
        self.informer(PVS).add_handler(self._on_volume)
        self.informer(PODS).add_handler(self._on_pod)
        self.informer(PVCS).add_handler(self._on_claim)
        self.informer(STORAGECLASSES).add_handler(self._on_class)

    def start(self) -> None:
        super().start()
        self._tasks.append(asyncio.create_task(self._ensure_default_class(), name=f"{self.name}-class"))

    async def _ensure_default_class(self) -> None:
        body = sp.default_storage_class()
        for attempt in range(20):
            try:
                if await self.client.get(STORAGECLASSES, None, body["metadata"]["name"]) is None:
                    await self.client.create(STORAGECLASSES, None, body, field_manager=self.name)
                return
            except ApiError as exc:
                if exc.code == 409:
                    return
                log.debug("default StorageClass not created yet: %s", exc)
            except Exception as exc:  # the server not up yet, for instance
                log.debug("default StorageClass not created yet: %s", exc)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.1 * (attempt + 1))

    # ----- event mapping
    def _on_volume(self, etype: str, obj: Obj, old: Obj | None) -> None:
        self.enqueue(("", str(_meta(obj).get("name", ""))))
        for o in (obj, old):
            ref = ((o or {}).get("spec") or {}).get("claimRef") or {}
            if ref.get("namespace") and ref.get("name"):
                self.enqueue((str(ref["namespace"]), str(ref["name"])))

    def _on_claim(self, etype: str, obj: Obj, old: Obj | None) -> None:
        volume = (obj.get("spec") or {}).get("volumeName")
        if volume:
            self.enqueue(("", str(volume)))

    def _on_pod(self, etype: str, obj: Obj, old: Obj | None) -> None:
        ns = str(_meta(obj).get("namespace", ""))
        for o in (obj, old):
            if o is not None:
                for claim in sp.claim_names(o):
                    self.enqueue((ns, claim))

    def _on_class(self, etype: str, obj: Obj, old: Obj | None) -> None:
        name = str(_meta(obj).get("name", ""))
        for pvc in self.primary.list(where=lambda c: sp.class_of(c) == name and not (c.get("spec") or {}).get(
                "volumeName")):
            self.enqueue((str(_meta(pvc).get("namespace", "")), str(_meta(pvc).get("name", ""))))

    # ----- reconcile
    async def reconcile(self, key: Key) -> float | None:
        if key[0] == "":
            await self._sync_volume(key[1])
        else:
            await self._sync_claim(key[0], key[1])
        return None

    async def _patch(self, res: Res, ns: str | None, name: str, body: Obj, subresource: str = "") -> None:
        try:
            await self.client.patch(res, ns, name, body, field_manager=self.name, subresource=subresource)
        except ApiError as exc:
            if not exc.not_found:
                raise

    async def _remove_finalizer(self, res: Res, obj: Obj, finalizer: str) -> None:
        m = _meta(obj)
        rest = [f for f in m.get("finalizers") or [] if f != finalizer]
        await self._patch(res, m.get("namespace") or None, str(m.get("name")),
                          {"metadata": {"resourceVersion": m.get("resourceVersion"), "finalizers": rest or None}})

    async def _sync_claim(self, ns: str, name: str) -> None:
        pvc = self.primary.get(ns, name)
        if pvc is None:
            return
        m = _meta(pvc)
        pods = self.informer(PODS).list(namespace=ns)
        if m.get("deletionTimestamp"):
            if sp.PVC_PROTECTION in (m.get("finalizers") or []) and not sp.pods_using(name, pods):
                await self._remove_finalizer(PVCS, pvc, sp.PVC_PROTECTION)
            return
        volumes = self.informer(PVS)
        volume_name = str((pvc.get("spec") or {}).get("volumeName") or "")
        if volume_name:
            pv = volumes.get(None, volume_name)
            if pv is None:
                if (pvc.get("status") or {}).get("phase") == "Bound" and \
                        await self.client.get(PVS, None, volume_name) is None:
                    await self._patch(PVCS, ns, name, {"status": {"phase": "Lost"}}, "status")
                    self.events.record(pvc, "Warning", "ClaimLost",
                                       "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
                                       component=self.name)
                return
            if sp.claim_bound_to(pv, pvc):
                await self._bind(pvc, pv)
            else:
                self.events.record(pvc, "Warning", "FailedBinding",
                                   f'volume "{volume_name}" already bound to a different claim.', component=self.name)
            return
        # Unbound: a volume already made (or pre-bound) for this claim?
        mine = volumes.list(where=lambda v: sp.claim_bound_to(v, pvc))
        if mine:
            await self._bind(pvc, mine[0])
            return
        class_name = sp.class_of(pvc)
        sc = self.informer(STORAGECLASSES).get(None, class_name) if class_name else None
        node = sp.consumer_node(pvc, pods)
        if sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer" and node is None:
            self.events.record(pvc, "Normal", "WaitForFirstConsumer", WFFC_MESSAGE, component=self.name)
            return
        static = sp.matching_volume(pvc, volumes.list())
        if static is not None:
            sm = _meta(static)
            await self._patch(PVS, None, str(sm.get("name")), {
                "metadata": {"resourceVersion": sm.get("resourceVersion"),
                             "annotations": {sp.BOUND_BY_CONTROLLER: "yes"}},
                "spec": {"claimRef": sp.claim_ref(pvc)}})
            return  # the volume's update brings us back to complete the binding
        if sc is None:
            if class_name:
                self.events.record(pvc, "Warning", "ProvisioningFailed",
                                   f'storageclass.storage.k8s.io "{class_name}" not found', component=self.name)
            else:
                self.events.record(pvc, "Normal", "FailedBinding",
                                   "no persistent volumes available for this claim and no storage class is set",
                                   component=self.name)
            return
        await self._request_provisioning(pvc, sc, node)

    async def _request_provisioning(self, pvc: Obj, sc: Obj, node: str | None) -> None:
        m = _meta(pvc)
        annotations = m.get("annotations") or {}
        provisioner = str(sc.get("provisioner", ""))
        wanted = {sp.STORAGE_PROVISIONER: provisioner, sp.BETA_STORAGE_PROVISIONER: provisioner}
        if node and sc.get("volumeBindingMode") == "WaitForFirstConsumer":
            wanted[sp.SELECTED_NODE] = node
        missing = {k: v for k, v in wanted.items() if annotations.get(k) != v}
        if not missing:
            return
        await self._patch(PVCS, str(m.get("namespace")), str(m.get("name")), {
            "metadata": {"resourceVersion": m.get("resourceVersion"), "annotations": missing}})
        self.events.record(pvc, "Normal", "ExternalProvisioning",
                           f"Waiting for a volume to be created either by the external provisioner '{provisioner}' "
                           "or manually by the system administrator. If volume creation is delayed, please verify "
                           "that the provisioner is running and correctly registered.", component=self.name)

    async def _bind(self, pvc: Obj, pv: Obj) -> None:
        m, pm = _meta(pvc), _meta(pv)
        ns, name, pv_name = str(m.get("namespace")), str(m.get("name")), str(pm.get("name"))
        if (pv.get("status") or {}).get("phase") != "Bound":
            await self._patch(PVS, None, pv_name, {"status": {"phase": "Bound", "lastPhaseTransitionTime": _now()}},
                              "status")
        annotations = m.get("annotations") or {}
        spec_done = (pvc.get("spec") or {}).get("volumeName") == pv_name and \
            annotations.get(sp.BIND_COMPLETED) == "yes"
        if not spec_done:
            patch: Obj = {"metadata": {"resourceVersion": m.get("resourceVersion"),
                                       "annotations": {sp.BIND_COMPLETED: "yes"}},
                          "spec": {"volumeName": pv_name}}
            if not (pvc.get("spec") or {}).get("volumeName"):
                patch["metadata"]["annotations"][sp.BOUND_BY_CONTROLLER] = "yes"
            await self._patch(PVCS, ns, name, patch)
        pspec = pv.get("spec") or {}
        status = pvc.get("status") or {}
        want = {"phase": "Bound", "accessModes": list(pspec.get("accessModes") or []),
                "capacity": dict(pspec.get("capacity") or {})}
        if any(status.get(k) != v for k, v in want.items()):
            await self._patch(PVCS, ns, name, {"status": want}, "status")

    async def _sync_volume(self, name: str) -> None:
        pv = self.informer(PVS).get(None, name)
        if pv is None:
            return
        pm = _meta(pv)
        phase = (pv.get("status") or {}).get("phase")
        if pm.get("deletionTimestamp"):
            if sp.PV_PROTECTION in (pm.get("finalizers") or []) and phase != "Bound":
                await self._remove_finalizer(PVS, pv, sp.PV_PROTECTION)
            return
        ref = (pv.get("spec") or {}).get("claimRef") or {}
        if not ref:
            if phase in (None, "", "Pending"):
                await self._set_phase(name, "Available")
            return
        ns, claim = str(ref.get("namespace", "")), str(ref.get("name", ""))
        pvc = self.primary.get(ns, claim)
        if pvc is not None and (not ref.get("uid") or ref.get("uid") == _meta(pvc).get("uid")):
            if phase in (None, "", "Pending") and (pvc.get("spec") or {}).get("volumeName") != name:
                await self._set_phase(name, "Available")
            return
        if not ref.get("uid"):
            if phase in (None, "", "Pending"):
                await self._set_phase(name, "Available")
            return
        live = await self.client.get(PVCS, ns, claim)
        if live is not None and _meta(live).get("uid") == ref.get("uid"):
            return  # our cache is behind: the claim's own event brings us back
        if phase != "Released" and phase != "Failed":
            await self._set_phase(name, "Released")
            policy = (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy")
            if policy == "Delete" and (pm.get("annotations") or {}).get(sp.PROVISIONED_BY) != sp.EBS:
                self.events.record(pv, "Warning", "VolumeFailedDelete",
                                   "error getting deleter volume plugin for volume "
                                   f'"{name}": no deletable volume plugin matched', component=self.name)

    async def _set_phase(self, name: str, phase: str) -> None:
        await self._patch(PVS, None, name, {"status": {"phase": phase, "lastPhaseTransitionTime": _now()}}, "status")
