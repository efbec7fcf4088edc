"""Leader election through a `coordination.k8s.io/v1` Lease, with client-go's semantics, so two
`trueup up` against one cluster never both act.

    elector = LeaderElector(client, "trueup")
    await elector.run(on_started, on_stopped)   # until elector.stop() (releases) or cancellation (does not)

- Acquire: the Lease is absent (create; 409 = someone else created it first), has no holder, or
  has expired (`renewTime + leaseDurationSeconds < now`). Taking it over from another identity
  sets `acquireTime` and increments `leaseTransitions`.
- Every write is an update carrying the observed `resourceVersion`: a 409 means another
  candidate won the race, and this one stays a follower.
- While leading, renew every `retry_period`. A renewal that has not succeeded for
  `renew_deadline` seconds, or a Lease now held by someone else, ends the leadership
  (`on_stopped` runs) and the elector goes back to trying to acquire.
- `stop()` (clean shutdown): `on_stopped` runs first (no more writes), then the Lease is released
  (holderIdentity cleared) so a standby takes over at its next retry instead of after expiry.
  Cancelling `run()` stops renewing and runs `on_stopped` but leaves the Lease to expire
  (client-go's ReleaseOnCancel=false; what a hung or killed process looks like).

`is_leader` is an asyncio.Event set exactly between `on_started` and `on_stopped`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from ..kube import ApiError, Client
from ..kube.resources import LEASES

log = logging.getLogger("trueup.controller.leader")

Obj = dict[str, Any]
Callback = Callable[[], Awaitable[None]]


def default_identity() -> str:
    return f"{socket.gethostname()}-{secrets.token_hex(4)}"


def micro_time(t: datetime) -> str:
    """RFC 3339 with microseconds, UTC (Kubernetes' MicroTime)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def lease_expired(spec: Obj, now: datetime) -> bool:
    """No holder, no renewTime, or renewTime + leaseDurationSeconds before `now`."""
    if not spec.get("holderIdentity"):
        return True
    renewed = _parse_time(spec.get("renewTime"))
    if renewed is None:
        return True
    duration = spec.get("leaseDurationSeconds")
    seconds = float(duration) if isinstance(duration, int | float) else 0.0
    return (now - renewed).total_seconds() > seconds


class LeaderElector:
    def __init__(self, client: Client, namespace: str, name: str = "trueup-controller", identity: str | None = None,
                 lease_duration: float = 15.0, renew_deadline: float = 10.0, retry_period: float = 2.0) -> None:
        if not retry_period < renew_deadline < lease_duration:
            raise ValueError("leader election needs retry_period < renew_deadline < lease_duration")
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity or default_identity()
        self.lease_duration = lease_duration
        self.renew_deadline = renew_deadline
        self.retry_period = retry_period
        self.is_leader = asyncio.Event()
        self._stop = asyncio.Event()
        self._held_by_other = False  # the last attempt saw a live Lease held by another identity

    # ----- the loop
    async def run(self, on_started: Callback, on_stopped: Callback) -> None:
        """Acquire, lead (renewing) and, when leadership ends, try again; until `stop()` or cancellation."""
        try:
            while not self._stop.is_set():
                if not await self._acquire():
                    return  # stopped while standing by
                self.is_leader.set()
                log.info("%s became the leader (lease %s/%s)", self.identity, self.namespace, self.name)
                try:
                    await on_started()
                    await self._renew()
                finally:
                    if self.is_leader.is_set():
                        self.is_leader.clear()
                        await on_stopped()
                log.info("%s stopped leading", self.identity)
                if self._stop.is_set():
                    await self._release()
        except asyncio.CancelledError:
            log.info("%s: leader election cancelled; the lease is left to expire", self.identity)
            raise

    def stop(self) -> None:
        """Ask `run()` to return; a leader steps down (on_stopped) and releases the Lease first."""
        self._stop.set()

    async def _sleep(self, seconds: float) -> None:
        # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation racing completion
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await self._stop.wait()

    async def _acquire(self) -> bool:
        while not self._stop.is_set():
            try:
                if await self.try_acquire_or_renew():
                    return True
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the API server is down or refusing: keep trying
                log.debug("acquiring lease %s/%s failed: %s", self.namespace, self.name, exc)
            await self._sleep(self.retry_period)
        return False

    async def _renew(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await self._sleep(self.retry_period)
            if self._stop.is_set():
                return
            left = self.renew_deadline - (loop.time() - last)
            try:
                async with asyncio.timeout(max(left, 0.01)):
                    ok = await self.try_acquire_or_renew()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("renewing lease %s/%s failed: %s", self.namespace, self.name, exc)
                ok = False
            if ok:
                last = loop.time()
            elif self._held_by_other or loop.time() - last >= self.renew_deadline:
                log.warning("%s lost the lease %s/%s", self.identity, self.namespace, self.name)
                return

    # ----- one attempt
    async def try_acquire_or_renew(self) -> bool:
        """One create/update of the Lease; True when this identity holds it afterwards."""
        now = datetime.now(UTC)
        self._held_by_other = False
        lease = await self.client.get(LEASES, self.namespace, self.name)
        duration = max(1, math.ceil(self.lease_duration))
        if lease is None:
            doc: Obj = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                        "metadata": {"name": self.name, "namespace": self.namespace},
                        "spec": {"holderIdentity": self.identity, "leaseDurationSeconds": duration,
                                 "acquireTime": micro_time(now), "renewTime": micro_time(now),
                                 "leaseTransitions": 0}}
            try:
                await self.client.create(LEASES, self.namespace, doc, field_manager=self.identity)
            except ApiError as exc:
                if exc.code == 409:
                    return False
                raise
            return True
        spec: Obj = dict(lease.get("spec") or {})
        holder = spec.get("holderIdentity") or ""
        if holder != self.identity:
            if holder and not lease_expired(spec, now):
                self._held_by_other = True
                return False
            transitions = spec.get("leaseTransitions")
            spec["leaseTransitions"] = (transitions if isinstance(transitions, int) else 0) + 1
            spec["acquireTime"] = micro_time(now)
        spec.update(holderIdentity=self.identity, leaseDurationSeconds=duration, renewTime=micro_time(now))
        return await self._update(lease, spec)

    async def _update(self, lease: Obj, spec: Obj) -> bool:
        doc = dict(lease)
        doc["spec"] = spec
        try:
            await self.client.update(LEASES, self.namespace, self.name, doc, field_manager=self.identity)
        except ApiError as exc:
            if exc.code == 409:  # someone else wrote it since we read it
                return False
            raise
        return True

    async def _release(self) -> None:
        """Clear holderIdentity if this identity still holds the Lease (best effort)."""
        try:
            lease = await self.client.get(LEASES, self.namespace, self.name)
            if lease is None or (lease.get("spec") or {}).get("holderIdentity") != self.identity:
                return
            spec = dict(lease.get("spec") or {})
            spec.pop("holderIdentity", None)
            spec.update(leaseDurationSeconds=1, renewTime=micro_time(datetime.now(UTC)))
            await self._update(lease, spec)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("releasing lease %s/%s failed: %s", self.namespace, self.name, exc)
