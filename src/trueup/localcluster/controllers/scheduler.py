"""The scheduler (kube-scheduler's job, `default-scheduler`): binds each Pending Pod without
`spec.nodeName` to a feasible Node and writes the PodScheduled condition.

Feasibility and the FailedScheduling wording live in `simulation.scheduling` (pure). Placement
is least-loaded first (fewest bound Pods, ties by name). Like kube-scheduler it *assumes* a
binding in memory before the write returns, so concurrent workers spread Pods correctly.
Resource requests and the 110-pods limit are only enforced with
`Settings.extra["enforce_resources"]` (simulated nodes are elastic by default, so a 5,000-Pod
benchmark fits on one node).

Binding is a merge patch of `spec.nodeName` carrying the Pod's resourceVersion (the API server
refuses to change a nodeName once set), then a strategic-merge patch of the PodScheduled
condition through `/status` (merged by condition type, so it never clobbers the kubelet's
conditions), then the Event `Scheduled` ("Successfully assigned ns/pod to node"). A Pod that
fits nowhere gets PodScheduled=False reason Unschedulable and a `FailedScheduling` Warning with
kube-scheduler's message, and is retried whenever a Node changes.
"""

from __future__ import annotations

import datetime as dt

from ..client import NODES, PODS, ApiError
from ..simulation import scheduling
from .informer import Key, Obj, key_of
from .runtime import Context, Controller

SCHEDULER_NAME = "default-scheduler"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _terminal(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


class Scheduler(Controller):
    name = SCHEDULER_NAME
    resource = PODS
    watches = (NODES,)
    workers = 8
    order = 20

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._usage: dict[str, scheduling.Usage] = {}
        self._placed: dict[Key, tuple[str, int, int]] = {}  # pod → (node, cpu, memory) counted
        self._unschedulable: set[Key] = set()

    def setup(self) -> None:
        self.informer(PODS).add_handler(self._pod_changed)
        self.informer(NODES).add_handler(self._node_changed)

    # ----- bookkeeping (synchronous, in informer handlers)
    def _count(self, key: Key, node: str, pod: Obj) -> None:
        if key in self._placed:
            return
        cpu, mem = scheduling.pod_requests(pod)
        u = self._usage.setdefault(node, scheduling.Usage())
        u.pods += 1
        u.cpu_milli += cpu
        u.memory += mem
        self._placed[key] = (node, cpu, mem)

    def _uncount(self, key: Key) -> None:
        placed = self._placed.pop(key, None)
        if placed is None:
            return
        node, cpu, mem = placed
        u = self._usage.get(node)
        if u is not None:
            u.pods -= 1
            u.cpu_milli -= cpu
            u.memory -= mem

    def _pod_changed(self, etype: str, obj: Obj, old: Obj | None) -> None:
        key = key_of(obj)
        node = (obj.get("spec") or {}).get("nodeName")
        if etype == "DELETED" or _terminal(obj):
            self._uncount(key)
            self._unschedulable.discard(key)
            return
        if node:
            self._count(key, str(node), obj)
            self._unschedulable.discard(key)
            return
        if etype == "ADDED" or old is None or (old.get("spec") or {}).get("nodeName") != node or \
                (obj.get("metadata") or {}).get("generation") != (old.get("metadata") or {}).get("generation"):
            self.enqueue(key)

    def _node_changed(self, etype: str, obj: Obj, old: Obj | None) -> None:
        if etype == "DELETED":
            self._usage.pop(key_of(obj)[1], None)
        for key in list(self._unschedulable):
            self.enqueue(key)

    def enqueue_all(self) -> None:
        for pod in self.primary.list(where=lambda p: not (p.get("spec") or {}).get("nodeName")):
            self.enqueue(key_of(pod))

    # ----- scheduling one Pod
    async def reconcile(self, key: Key) -> float | None:
        pod = self.primary.get(*key)
        if pod is None:
            return None
        spec = pod.get("spec") or {}
        meta = pod.get("metadata") or {}
        if spec.get("nodeName") or meta.get("deletionTimestamp") or _terminal(pod) or \
                (spec.get("schedulerName") or SCHEDULER_NAME) != SCHEDULER_NAME:
            self._unschedulable.discard(key)
            return None
        nodes = self.informer(NODES).list()
        node, message = scheduling.choose(pod, nodes, self._usage,
                                          enforce_resources=bool(self.settings.extra.get("enforce_resources")))
        if node is None:
            self._unschedulable.add(key)
            await self._unschedulable_status(pod, message)
            return 30.0
        self._unschedulable.discard(key)
        self._count(key, node, pod)  # assume: the next Pod sees this one's load at once
        try:
            bound = await self.client.patch(PODS, key[0], key[1], {
                "metadata": {"resourceVersion": meta.get("resourceVersion")}, "spec": {"nodeName": node}},
                field_manager=self.name)
        except Exception:
            self._uncount(key)
            raise
        await self._set_scheduled(bound, "True", None, None)
        self.events.record(bound, "Normal", "Scheduled",
                           f"Successfully assigned {key[0]}/{key[1]} to {node}", component=self.name)
        return None

    async def _unschedulable_status(self, pod: Obj, message: str) -> None:
        for c in (pod.get("status") or {}).get("conditions") or []:
            if c.get("type") == "PodScheduled" and c.get("status") == "False" and c.get("message") == message:
                return  # already says so: no write, no new event
        await self._set_scheduled(pod, "False", "Unschedulable", message)
        self.events.record(pod, "Warning", "FailedScheduling", message, component=self.name)

    async def _set_scheduled(self, pod: Obj, status: str, reason: str | None, message: str | None) -> None:
        condition: Obj = {"type": "PodScheduled", "status": status, "lastProbeTime": None,
                          "lastTransitionTime": _now()}
        if reason:
            condition["reason"] = reason
            condition["message"] = message
        else:
            condition["reason"] = None
            condition["message"] = None
        m = pod.get("metadata") or {}
        try:
            await self.client.patch(PODS, m.get("namespace"), str(m.get("name")),
                                    {"status": {"conditions": [condition]}},
                                    field_manager=self.name, subresource="status", patch_type="strategic")
        except ApiError as exc:
            if not exc.not_found:
                raise
