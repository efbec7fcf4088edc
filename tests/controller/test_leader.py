"""Leader election: two Controllers (two identities) against one embedded cluster and one Application;
only the Lease holder reconciles and writes, a clean stop hands over at once, a leader that stops
renewing is replaced once its Lease expires. Short durations (lease 1 s, renew deadline 0.7 s,
retry 0.2 s) keep it fast."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.controller.conftest import NAMESPACE, application, configmap, until
from tests.e2e.gitrepo import GitRepo
from trueup.controller import APPLICATIONS, Controller
from trueup.controller.leader import LeaderElector, lease_expired
from trueup.kube import Client, load_config
from trueup.kube.resources import CONFIGMAPS, LEASES
from trueup.localcluster.cluster import LocalCluster
from trueup.source import RepoCache


class Pair:
    """Controllers A and B sharing one (per-test) Lease name, and a kubectl-like client."""

    def __init__(self, cluster: LocalCluster, client: Client, tmp: Path, stack: AsyncExitStack) -> None:
        self.cluster = cluster
        self.client = client
        self.tmp = tmp
        self.stack = stack
        self.lease = f"lease-{uuid.uuid4().hex[:8]}"
        self.name = f"l-{uuid.uuid4().hex[:8]}"

    async def controller(self, identity: str) -> Controller:
        c = Client.from_config(load_config(self.cluster.kubeconfig), user_agent="trueup")
        self.stack.push_async_callback(c.close)
        elector = LeaderElector(c, NAMESPACE, self.lease, identity, lease_duration=1.0, renew_deadline=0.7,
                                retry_period=0.2)
        ctl = Controller(c, RepoCache(self.tmp / f"git-{identity}", min_fetch_interval=0), namespace=NAMESPACE,
                         poll_interval=60.0, wave_timeout=30.0, elector=elector)
        await ctl.start()
        self.stack.push_async_callback(ctl.stop, 1.0)
        return ctl

    async def holder(self) -> str:
        lease = await self.client.get(LEASES, NAMESPACE, self.lease)
        return str(((lease or {}).get("spec") or {}).get("holderIdentity") or "")

    def kubectl(self, *args: str) -> str:
        return subprocess.run(["kubectl", "--kubeconfig", str(self.cluster.kubeconfig), *args], check=True,
                              capture_output=True, text=True, timeout=30).stdout


@pytest.fixture
async def pair(cluster: LocalCluster, client: Client, tmp_path: Path) -> AsyncIterator[Pair]:
    async with AsyncExitStack() as stack:
        yield Pair(cluster, client, tmp_path, stack)


async def _app_synced(pair: Pair, sha: str) -> bool:
    doc = await pair.client.get(APPLICATIONS, NAMESPACE, pair.name)
    sync = ((doc or {}).get("status") or {}).get("sync") or {}
    return bool(sync.get("status") == "Synced" and sync.get("revision") == sha)


async def _create_app(pair: Pair) -> str:
    repo = GitRepo(pair.tmp / "repo")
    sha = repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await pair.client.create(APPLICATIONS, NAMESPACE, application(pair.name, repo, pair.name, automated={}),
                             field_manager="kubectl")
    return sha


async def test_one_leader_and_only_it_writes(pair: Pair) -> None:
    a = await pair.controller("ctl-a")
    await until(a.leading, limit_s=5, what="A leads")
    b = await pair.controller("ctl-b")
    sha = await _create_app(pair)
    await until(lambda: _app_synced(pair, sha), what="app Synced by the leader")
    assert await pair.holder() == "ctl-a"
    assert a.leading() and not b.leading()
    assert a.reconciles > 0 and b.reconciles == 0
    assert await pair.client.get(CONFIGMAPS, pair.name, "settings") is not None

    # A new commit, and both are asked to refresh: the standby only queues it; the leader syncs it.
    second = GitRepo(pair.tmp / "repo").write({"app/cm.yaml": configmap("settings", mode="b")})
    b.refresh(pair.name)
    await asyncio.sleep(0.3)  # give a wrongly-acting standby the time to write
    assert b.reconciles == 0 and not b._tasks and not await _app_synced(pair, second)
    a.refresh(pair.name)
    await until(lambda: _app_synced(pair, second), what="new commit synced by A")
    assert b.reconciles == 0
    assert await pair.holder() == "ctl-a"


async def test_clean_stop_hands_over_within_a_second_and_kubectl_shows_the_lease(pair: Pair) -> None:
    a = await pair.controller("ctl-a")
    await until(a.leading, limit_s=5, what="A leads")
    b = await pair.controller("ctl-b")
    sha = await _create_app(pair)
    await until(lambda: _app_synced(pair, sha), what="app Synced by A")
    assert b.reconciles == 0

    await a.stop()
    stopped = time.monotonic()
    assert not a.leading()
    await until(b.leading, limit_s=1.0, what="B leads within a second of A's clean stop")
    assert time.monotonic() - stopped < 1.0
    await until(lambda: b.reconciles > 0, what="B reconciles the app after taking over")

    lease = json.loads(await asyncio.to_thread(pair.kubectl, "get", "lease", pair.lease, "-n", NAMESPACE,
                                               "-o", "json"))
    assert lease["spec"]["holderIdentity"] == "ctl-b"
    assert lease["spec"]["leaseTransitions"] == 1
    assert lease["spec"]["leaseDurationSeconds"] == 1
    assert lease["spec"]["renewTime"].endswith("Z") and "." in lease["spec"]["renewTime"]
    table = await asyncio.to_thread(pair.kubectl, "get", "lease", pair.lease, "-n", NAMESPACE)
    header, row = table.splitlines()[:2]
    assert header.split()[:2] == ["NAME", "HOLDER"] and row.split()[:2] == [pair.lease, "ctl-b"]


async def test_leader_that_stops_renewing_is_replaced_after_expiry(pair: Pair) -> None:
    a = await pair.controller("ctl-a")
    await until(a.leading, limit_s=5, what="A leads")
    b = await pair.controller("ctl-b")
    await asyncio.sleep(0)
    assert a._electing is not None
    a._electing.cancel()  # stops renewing; steps down locally; does not release
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await a._electing
    cancelled = time.monotonic()
    assert not a.leading() and not a._tasks
    assert await pair.holder() == "ctl-a" and not b.leading()  # not released: B must wait for expiry
    await until(b.leading, limit_s=3.0, what="B leads after A's lease expired")
    waited = time.monotonic() - cancelled
    assert 0.5 < waited < 2.5, waited
    assert await pair.holder() == "ctl-b"
    lease = await pair.client.get(LEASES, NAMESPACE, pair.lease)
    assert lease is not None and lease["spec"]["leaseTransitions"] == 1


async def test_stolen_lease_ends_leadership_and_expiry_rule(pair: Pair) -> None:
    a = await pair.controller("ctl-a")
    await until(a.leading, limit_s=5, what="A leads")
    lease = await pair.client.get(LEASES, NAMESPACE, pair.lease)
    assert lease is not None
    lease["spec"]["holderIdentity"] = "intruder"
    await pair.client.update(LEASES, NAMESPACE, pair.lease, lease, field_manager="kubectl")
    await until(lambda: not a.leading(), limit_s=2.0, what="A steps down when another identity holds the Lease")
    assert not a._tasks
    # The intruder never renews: A takes the lease back after it expires.
    await until(a.leading, limit_s=4.0, what="A leads again after expiry")
    assert await pair.holder() == "ctl-a"


def test_lease_expiry_rule() -> None:
    now = datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC)
    spec = {"holderIdentity": "x", "leaseDurationSeconds": 15, "renewTime": "2026-01-01T12:00:00.000000Z"}
    assert not lease_expired(spec, now)
    assert lease_expired({**spec, "leaseDurationSeconds": 5}, now)
    assert lease_expired({**spec, "holderIdentity": ""}, now)
    assert lease_expired({"holderIdentity": "x"}, now)
