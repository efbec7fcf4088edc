"""The simulated nodes: registration and status (what each kubelet does for its own Node),
removal of nodes beyond `Settings.nodes` (what the cloud node controller does when an instance
is gone), and the pod garbage collector for Pods bound to nodes that no longer exist.

- `trueup-node-1` … `trueup-node-N` are created if missing (never duplicated: the cache is
  authoritative after sync, and a create that races gets 409 and is reconciled again), and
  their status is posted through `/status` (Ready=True, KubeletReady). A user may delete a node:
  like a real kubelet, it registers itself again. `kubectl cordon` (spec.unschedulable) is
  left alone.
- Simulated nodes with an index above N (a restart with fewer `--nodes`) are deleted.
- Pods whose `spec.nodeName` names no Node are, after a short quarantine (fast 1 s, realistic
  40 s, as kube-controller-manager's PodGC), marked Failed with condition DisruptionTarget
  (reason DeletionByPodGC) and deleted.
"""

from __future__ import annotations

import datetime as dt
import time

from ..client import NODES, PODS, ApiError
from ..simulation import nodes as simnodes
from .informer import Key, Obj, key_of
from .runtime import Context, Controller


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class NodeController(Controller):
    name = "node-controller"
    resource = NODES
    workers = 2
    order = 10

    def enqueue_all(self) -> None:
        super().enqueue_all()
        for i in range(1, self.settings.nodes + 1):
            self.enqueue(("", simnodes.node_name(i)))

    async def reconcile(self, key: Key) -> float | None:
        name = key[1]
        index = simnodes.node_index(name)
        if index is None:
            return None  # not a simulated node: someone else's business
        node = self.primary.get("", name)
        if index > self.settings.nodes:
            if node is not None:
                await self.client.delete(NODES, None, name)
                self.events.record(node, "Normal", "RemovingNode",
                                   f"Node {name} event: Removing Node {name} from Controller", component=self.name)
            return None
        if node is None:
            try:
                node = await self.client.create(NODES, None, simnodes.node_object(index), field_manager="kubelet")
            except ApiError as exc:
                if exc.code != 409:
                    raise
                return 0.01  # created meanwhile (a restart racing its own cache): look again
            self.events.record(node, "Normal", "Starting", "Starting kubelet.", component="kubelet")
            self.events.record(node, "Normal", "RegisteredNode",
                               f"Node {name} event: Registered Node {name} in Controller", component=self.name)
        if (node.get("metadata") or {}).get("deletionTimestamp"):
            return None
        if not simnodes.status_is_current(index, node.get("status")):
            was_ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                            for c in (node.get("status") or {}).get("conditions") or [])
            status = simnodes.node_status(index, _now(), node.get("status"))
            body = {"metadata": {"resourceVersion": node["metadata"]["resourceVersion"]}, "status": status}
            node = await self.client.patch(NODES, None, name, body, field_manager="kubelet", subresource="status")
            if not was_ready:
                self.events.record(node, "Normal", "NodeReady", f"Node {name} status is now: NodeReady",
                                   component="kubelet")
        return None


class PodGCController(Controller):
    """Deletes Pods bound to nodes that do not exist (kube-controller-manager's pod GC)."""

    name = "pod-garbage-collector"
    resource = PODS
    watches = (NODES,)
    workers = 1
    order = 90

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._by_node: dict[str, set[Key]] = {}
        self._orphan_since: dict[Key, float] = {}

    def setup(self) -> None:
        self.informer(PODS).add_handler(self._index_pod)
        self.informer(PODS).add_handler(self._maybe_enqueue)
        self.informer(NODES).add_handler(self._node_changed)

    def _index_pod(self, etype: str, obj: Obj, old: Obj | None) -> None:
        key = key_of(obj)
        if old is not None:
            prev = (old.get("spec") or {}).get("nodeName")
            if prev:
                self._by_node.get(prev, set()).discard(key)
        node = (obj.get("spec") or {}).get("nodeName")
        if etype == "DELETED":
            if node:
                self._by_node.get(node, set()).discard(key)
            self._orphan_since.pop(key, None)
        elif node:
            self._by_node.setdefault(node, set()).add(key)

    def _maybe_enqueue(self, etype: str, obj: Obj, old: Obj | None) -> None:
        node = (obj.get("spec") or {}).get("nodeName")
        if etype != "DELETED" and node and self.informer(NODES).get("", node) is None:
            self.enqueue(key_of(obj))

    def _node_changed(self, etype: str, obj: Obj, old: Obj | None) -> None:
        if etype == "DELETED":
            for key in list(self._by_node.get(key_of(obj)[1], ())):
                self.enqueue(key)

    def enqueue_all(self) -> None:
        for node, keys in self._by_node.items():
            if self.informer(NODES).get("", node) is None:
                for key in keys:
                    self.enqueue(key)

    def _quarantine(self) -> float:
        return 40.0 if self.settings.timing == "realistic" else 1.0

    async def reconcile(self, key: Key) -> float | None:
        pod = self.primary.get(*key)
        node = (pod.get("spec") or {}).get("nodeName") if pod else None
        if pod is None or not node or self.informer(NODES).get("", node) is not None:
            self._orphan_since.pop(key, None)
            return None
        now = time.monotonic()
        since = self._orphan_since.setdefault(key, now)
        wait = since + self._quarantine() - now
        if wait > 0:
            return wait
        m = pod["metadata"]
        if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            stamp = _now()
            body = {"metadata": {"resourceVersion": m["resourceVersion"]}, "status": {
                "phase": "Failed",
                "conditions": [{"type": "DisruptionTarget", "status": "True", "reason": "DeletionByPodGC",
                                "message": "PodGC: node no longer exists", "lastProbeTime": None,
                                "lastTransitionTime": stamp}]}}
            await self.client.patch(PODS, key[0], key[1], body, field_manager=self.name, subresource="status",
                                    patch_type="strategic")
        await self.client.delete(PODS, key[0], key[1], preconditions={"uid": m["uid"]})
        self._orphan_since.pop(key, None)
        return None
