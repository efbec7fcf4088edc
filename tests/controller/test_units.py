"""The controller's pure parts: the work queue's per-key serialization, the retry policy, the
fighter backoff, durations."""

from __future__ import annotations

import asyncio

from trueup.app import Retry
from trueup.controller import Fighters, SyncRetries, WorkQueue, parse_duration


async def test_queue_dedups_and_never_hands_out_a_key_being_processed() -> None:
    q = WorkQueue()
    q.add("a")
    q.add("a")
    q.add("b")
    assert len(q) == 2
    assert await q.get() == "a"
    q.add("a")  # arrives mid-reconcile: held back until done
    assert await q.get() == "b"
    assert len(q) == 0
    q.done("a")
    assert await q.get() == "a"
    q.done("a")
    q.done("b")
    assert len(q) == 0


async def test_queue_keeps_one_timer_per_key_the_earliest() -> None:
    fired: list[str] = []
    q = WorkQueue(on_timer=fired.append)
    q.add_after("a", 30.0)
    q.add_after("a", 0.01)
    q.add_after("a", 20.0)
    await asyncio.sleep(0.05)
    assert fired == ["a"]
    q.shutdown()
    assert await q.get() is None


def test_parse_duration() -> None:
    assert parse_duration("5s", 0) == 5.0
    assert parse_duration("3m", 0) == 180.0
    assert parse_duration("1m30s", 0) == 90.0
    assert parse_duration("250ms", 0) == 0.25
    assert parse_duration("7", 0) == 7.0
    assert parse_duration("soon", 9.0) == 9.0


def test_retries_back_off_then_give_up_per_revision() -> None:
    r = SyncRetries()
    retry = Retry(limit=2, duration="5s", factor=2.0, max_duration="8s")
    assert r.failed("app", "rev1", retry, now=0.0) == 5.0
    assert r.wait("app", "rev1", now=1.0) == 4.0
    assert r.failed("app", "rev1", retry, now=5.0) == 8.0  # 10 s capped at 8 s
    assert not r.exhausted("app", "rev1", retry)
    r.failed("app", "rev1", retry, now=13.0)
    assert r.exhausted("app", "rev1", retry)
    assert not r.exhausted("app", "rev2", retry)  # a new revision starts afresh
    assert r.wait("app", "rev2", now=13.0) == 0.0
    assert not SyncRetries().exhausted("app", "rev1", Retry(limit=-1))


def test_fighters_heal_first_change_at_once_then_back_off() -> None:
    f = Fighters()
    key = ("apps/Deployment ns/web", ".spec.replicas", "hpa")
    assert f.wait("app", [key], now=0.0) == (0.0, None)
    f.healed("app", [key], now=0.0)
    assert f.wait("app", [key], now=0.5) == (1.5, key)
    f.healed("app", [key], now=2.0)
    assert f.wait("app", [key], now=2.0) == (4.0, key)
    f.forget("app")
    assert f.wait("app", [key], now=2.0) == (0.0, None)
