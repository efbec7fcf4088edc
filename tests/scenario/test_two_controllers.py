"""Two `trueup up` processes against one cluster: exactly one leader (the coordination.k8s.io Lease
names it), only the leader writes, and when it goes away (SIGTERM: the Lease is released; SIGKILL:
the Lease expires) the other takes over and heals the next drift made with kubectl.

Short leader-election durations (lease 3 s, renew deadline 2 s, retry 0.5 s) keep it quick."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import RunningCluster, eventually
from tests.scenario.conftest import ApiReader, ControllerProcess, app_events, application, measured
from tests.scenario.seedrepo import APPS_NS, SHOP, SeedRepo
from tests.scenario.seedrepo import application as application_yaml

Obj = dict[str, Any]
LEASE = "trueup-controller"
LEASE_S = 3.0
ELECTION = ("--leader-elect-lease-duration", str(LEASE_S), "--leader-elect-renew-deadline", "2",
            "--leader-elect-retry-period", "0.5", "--poll-interval", "3600")


class Pair:
    def __init__(self, cluster: RunningCluster, api: ApiReader, repo: SeedRepo,
                 start: Callable[..., ControllerProcess]) -> None:
        self.cluster = cluster
        self.api = api
        self.repo = repo
        self.start = start
        self.drifts = 0

    def holder(self) -> str:
        lease = self.cluster.get_json("lease", LEASE, "-n", APPS_NS)
        return str(lease["spec"].get("holderIdentity") or "")

    def drift_and_heal(self, leader: ControllerProcess, others: list[ControllerProcess]) -> None:
        """kubectl set image on frontend; healed once, by `leader` (its heal metric moves, no other's)."""
        self.drifts += 1
        image = f"nginx:drift-{self.drifts}"
        heals = {c.name: c.metric("trueup_heal_latency_seconds_count") for c in (leader, *others)}
        self.cluster.kubectl("set", "image", "deployment/frontend", f"frontend={image}", "-n", SHOP)

        def healed() -> bool:
            live = self.api.deployment(SHOP, "frontend")
            assert live is not None
            return bool(live["spec"]["template"]["spec"]["containers"][0]["image"] == self.repo.frontend_image)
        eventually(healed, 30, f"drift {image} healed by {leader.name}", interval=0.02)
        eventually(lambda: leader.metric("trueup_heal_latency_seconds_count") == heals[leader.name] + 1, 10,
                   f"{leader.name} counted the heal")
        for c in others:
            assert c.metric("trueup_heal_latency_seconds_count") == heals[c.name], f"{c.name} healed too"
        drifted = [e for e in app_events(self.cluster, "frontend", "ResourceDrifted") if image in e["message"]]
        assert len(drifted) == 1 and drifted[0].get("count", 1) == 1, drifted  # one report: one controller


@pytest.fixture(scope="module")
def pair(cluster: RunningCluster, api: ApiReader, controllers: Callable[..., ControllerProcess],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    yield Pair(cluster, api, SeedRepo(tmp_path_factory.mktemp("ha") / "repo"), controllers)


@pytest.fixture(scope="module")
def a(pair: Pair) -> ControllerProcess:
    ctl = pair.start("ctl-a", *ELECTION)
    ctl.wait_for("became leader")
    return ctl


@pytest.fixture(scope="module")
def b(pair: Pair, a: ControllerProcess) -> ControllerProcess:
    return pair.start("ctl-b", *ELECTION)


@pytest.fixture(scope="module")
def frontend(pair: Pair, a: ControllerProcess) -> None:
    """The app every step drifts, synced by whichever controller leads (each test can run alone)."""
    pair.cluster.kubectl("apply", "-f", "-", input=application_yaml("frontend", str(pair.repo.path), "frontend"))

    def synced() -> bool:
        s = application(pair.cluster, "frontend").get("status") or {}
        return (s.get("sync") or {}).get("status") == "Synced" and (s.get("health") or {}).get("status") == "Healthy"
    eventually(synced, 60, "frontend Synced and Healthy")


def test_one_leader_named_by_the_lease_and_only_it_writes(pair: Pair, a: ControllerProcess,
                                                         b: ControllerProcess, frontend: None) -> None:
    assert a.identity and b.identity and a.identity != b.identity
    assert pair.holder() == a.identity
    assert "standing by" in b.output() and "became leader" not in b.output(), b.output()
    assert b.metric("trueup_app_reconcile_seconds_count") == 0  # the follower has reconciled nothing
    assert a.metric("trueup_app_reconcile_seconds_count") > 0
    pair.drift_and_heal(a, [b])
    assert "became leader" not in b.output() and pair.holder() == a.identity
    assert b.metric("trueup_app_reconcile_seconds_count") == 0


def test_sigterm_of_the_leader_hands_over_at_once(pair: Pair, a: ControllerProcess, b: ControllerProcess,
                                                  frontend: None) -> None:
    stopped = time.monotonic()
    assert a.stop(signal.SIGTERM) == 0, a.output()
    b.wait_for("became leader", timeout=30)
    measured("takeover after SIGTERM of the leader (Lease released)", time.monotonic() - stopped)
    eventually(lambda: pair.holder() == b.identity, 10, "the Lease names ctl-b")
    pair.drift_and_heal(b, [])


def test_sigkill_of_the_leader_hands_over_after_the_lease_expires(pair: Pair, b: ControllerProcess,
                                                                  frontend: None) -> None:
    c = pair.start("ctl-c", *ELECTION)
    assert pair.holder() == b.identity and "became leader" not in c.output()
    killed = time.monotonic()
    assert b.stop(signal.SIGKILL) == -signal.SIGKILL
    assert pair.holder() == b.identity  # a killed leader releases nothing: its Lease has to expire
    c.wait_for("became leader", timeout=30)
    took = time.monotonic() - killed
    measured(f"takeover after SIGKILL of the leader (Lease of {LEASE_S:.0f} s expires)", took)
    assert took < LEASE_S + 5
    eventually(lambda: pair.holder() == c.identity, 10, "the Lease names ctl-c")
    pair.drift_and_heal(c, [])
