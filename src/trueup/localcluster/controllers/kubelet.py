"""The simulated kubelet of every simulated node: runs the Pods bound to `trueup-node-<i>`
(i ≤ Settings.nodes) through the stages of `simulation/stages.yaml`.

For each such Pod it derives the stage view (behavior annotation, restartPolicy, container
state, readiness, exit code), selects the first matching stage and, once the stage's delay has
passed in the current state, applies it with `simulation.engine`: the whole kubelet-owned status
(phase, hostIP(s), podIP(s), startTime, qosClass, container and init container statuses, the
conditions PodReadyToStartContainers/Initialized/ContainersReady/Ready) is written through
`/status` as a strategic-merge patch carrying the resourceVersion it was computed from
(conditions merge by type, so the scheduler's PodScheduled stays), then the stage's Events are
recorded (source `kubelet`). Stages whose delay is zero are applied in the same reconcile.

State kept in memory, like a kubelet's: when each Pod entered its current state (the delay
clock; restarted from zero after a process restart), image pull attempts (the pull back-off)
and the pod IPs in use (rebuilt from the cache on start).
"""

from __future__ import annotations

import functools
import random
import time
from dataclasses import dataclass

from ..client import NODES, PODS, ApiError
from ..simulation import engine, stages
from ..simulation import nodes as simnodes
from ..simulation.network import PodIPs
from .informer import Key, Obj, key_of
from .runtime import Context, Controller

_MAX_CHAIN = 8


@dataclass
class _Clock:
    sig: tuple[str, str, str, int]
    since: float
    delay: float


def _terminal(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


class Kubelet(Controller):
    name = "kubelet"
    resource = PODS
    watches = (NODES,)
    workers = 16
    order = 30

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.stages = stages.default_stages()
        self.mode = "realistic" if self.settings.timing == "realistic" else "fast"
        self.timing = self.stages.timing_for(self.mode)
        self.ips = PodIPs()
        self.rng = random.Random()
        self._clocks: dict[str, _Clock] = {}
        self._pulls: dict[str, int] = {}
        self._by_node: dict[str, set[Key]] = {}

    # ----- which Pods are ours
    def _node_index(self, node: str | None) -> int | None:
        index = simnodes.node_index(node or "")
        if index is None or index > self.settings.nodes or self.informer(NODES).get("", str(node)) is None:
            return None
        return index

    def setup(self) -> None:
        self.informer(PODS).add_handler(self._pod_changed)
        self.informer(NODES).add_handler(self._node_changed)

    def _pod_changed(self, etype: str, obj: Obj, old: Obj | None) -> None:
        key = key_of(obj)
        m = obj.get("metadata") or {}
        uid = str(m.get("uid", ""))
        node = (obj.get("spec") or {}).get("nodeName")
        index = simnodes.node_index(node or "")
        ip = (obj.get("status") or {}).get("podIP")
        if etype == "DELETED":
            self._clocks.pop(uid, None)
            self._pulls.pop(uid, None)
            if node:
                self._by_node.get(node, set()).discard(key)
            if index is not None and ip:
                self.ips.release(index, ip, uid)
            return
        if node:
            self._by_node.setdefault(node, set()).add(key)
            if index is not None and ip and self.ips.owner(ip) is None:
                self.ips.reserve(index, ip, uid)
            if not _terminal(obj) and self._node_index(node) is not None:
                self.enqueue(key)

    def _node_changed(self, etype: str, obj: Obj, old: Obj | None) -> None:
        if etype == "ADDED":
            for key in list(self._by_node.get(key_of(obj)[1], ())):
                self.enqueue(key)

    def enqueue_all(self) -> None:
        for node, keys in self._by_node.items():
            if self._node_index(node) is not None:
                for key in keys:
                    self.enqueue(key)

    # ----- running one Pod
    async def reconcile(self, key: Key) -> float | None:
        pod = self.primary.get(*key)
        if pod is None:
            return None
        meta = pod.get("metadata") or {}
        uid = str(meta.get("uid", ""))
        node = str((pod.get("spec") or {}).get("nodeName") or "")
        index = self._node_index(node)
        if index is None or _terminal(pod) or meta.get("deletionTimestamp"):
            self._clocks.pop(uid, None)
            return None
        for _ in range(_MAX_CHAIN):
            view = stages.view(pod)
            stage = self.stages.select(view)
            if stage is None:
                self._clocks.pop(uid, None)
                return None
            restarts = max((int(s.get("restartCount") or 0)
                            for s in (pod.get("status") or {}).get("containerStatuses") or []), default=0)
            sig = (stage.name, view["container"], view["ready"], restarts)
            now = time.time()
            clock = self._clocks.get(uid)
            if clock is None or clock.sig != sig:
                clock = self._clocks[uid] = _Clock(sig, now, self._delay(stage, pod, uid, now))
            remaining = clock.since + clock.delay - now
            if remaining > 0.001:
                return remaining
            allocated: list[str] = []
            env = engine.Env(now=now, node=node, host_ip=simnodes.internal_ip(index), timing=self.timing,
                             allocate_ip=functools.partial(self._allocate, index, uid, allocated))
            outcome = engine.apply(stage, pod, env)
            if outcome.status is None:  # events only (a failing probe): again after the stage's delay
                self._record(pod, outcome.events)
                self._clocks[uid] = _Clock(sig, now, max(self._delay(stage, pod, uid, now), 0.05))
                return self._clocks[uid].delay
            body = {"metadata": {"resourceVersion": meta.get("resourceVersion")}, "status": outcome.status}
            try:
                pod = await self.client.patch(PODS, key[0], key[1], body, field_manager=self.name,
                                              subresource="status", patch_type="strategic")
            except ApiError as exc:
                for ip in allocated:
                    self.ips.release(index, ip, uid)
                if exc.not_found:
                    return None
                raise
            if stage.count == "pulls":
                self._pulls[uid] = self._pulls.get(uid, 0) + 1
            self._record(pod, outcome.events)
            self._clocks.pop(uid, None)
            meta = pod.get("metadata") or {}
            if _terminal(pod):
                return None
        return 0.001

    def _allocate(self, index: int, uid: str, allocated: list[str]) -> str:
        ip = self.ips.allocate(index, uid)
        allocated.append(ip)
        return ip

    def _delay(self, stage: stages.Stage, pod: Obj, uid: str, now: float) -> float:
        return stages.delay(stage, pod, self.mode, self.timing, rng=self.rng, attempts=self._pulls.get(uid, 0),
                            running_for=engine.running_for(pod, now))

    def _record(self, pod: Obj, events: list[tuple[str, str, str]]) -> None:
        for etype, reason, message in events:
            self.events.record(pod, etype, reason, message, component=self.name)
