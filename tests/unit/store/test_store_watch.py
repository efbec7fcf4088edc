from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tests.unit.store.objects import cm

from trueup.localcluster.store import Expired, Store, Subscription, WatchEvent


def keys(events: list[WatchEvent | None]) -> list[tuple[str, str, int]]:
    return [(e.type, e.name, e.rv) for e in events if e is not None]


async def test_replay_then_live(store: Store) -> None:
    store.create("pods", "a", "p1", cm("p1", "a"))
    store.create("pods", "b", "p2", cm("p2", "b"))
    sub = store.subscribe("pods", None, 0)
    assert keys([sub.poll(), sub.poll(), sub.poll()]) == [("ADDED", "p1", 1), ("ADDED", "p2", 2)]
    store.update("pods", "a", "p1", cm("p1", "a", x="1"))
    ev = await sub.next(1.0)
    assert ev is not None and (ev.type, ev.rv) == ("MODIFIED", 3)
    assert ev.object["metadata"]["resourceVersion"] == "3"
    assert ev.prev is not None and ev.prev["metadata"]["resourceVersion"] == "1"
    store.delete("pods", "b", "p2")
    ev = await sub.next(1.0)
    assert ev is not None and ev.type == "DELETED" and ev.object["metadata"]["resourceVersion"] == "4"
    assert ev.prev is not None and ev.prev["metadata"]["resourceVersion"] == "2"
    assert await sub.next(0.01) is None
    sub.close()


async def test_filters(store: Store) -> None:
    ns_a = store.subscribe("pods", "a", 0)
    every = store.subscribe(None, None, 0)
    pods = store.subscribe("pods", None, 0)
    store.create("pods", "a", "p", cm("p", "a"))
    store.create("pods", "b", "p", cm("p", "b"))
    store.create("services", "a", "s", cm("s", "a"))
    assert [e.rv for e in [ns_a.poll(), ns_a.poll()] if e] == [1]
    assert [e.rv for e in [pods.poll(), pods.poll(), pods.poll()] if e] == [1, 2]
    assert [e.rv for e in [every.poll() for _ in range(4)] if e] == [1, 2, 3]
    # the same filters on history
    hist = store.subscribe("pods", "b", 0)
    assert [e.rv for e in [hist.poll(), hist.poll()] if e] == [2]
    assert store.subscriber_count == 4
    store.close()
    assert ns_a.closed and every.closed and store.subscriber_count == 0


async def test_resume_from_any_rv_has_no_gap_or_duplicate(store: Store) -> None:
    for i in range(10):
        store.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
    for since in range(11):
        sub = store.subscribe("pods", None, since)
        got = [e.rv for e in iter(sub.poll, None)]
        assert got == list(range(since + 1, 11))
        sub.close()


async def test_async_iteration_ends_on_close(store: Store) -> None:
    sub = store.subscribe("pods", None, 0)
    got: list[int] = []

    async def consume() -> None:
        async for ev in sub:
            got.append(ev.rv)

    task = asyncio.create_task(consume())
    for i in range(5):
        store.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    sub.close()
    await asyncio.wait_for(task, 1.0)
    assert got == [1, 2, 3, 4, 5]
    assert await sub.next(0.5) is None


async def test_next_timeout_and_wakeup(store: Store) -> None:
    sub = store.subscribe("pods", None, store.current_rv)
    assert await sub.next(0.01) is None
    loop = asyncio.get_running_loop()
    loop.call_later(0.02, store.create, "pods", "a", "p", cm("p", "a"))
    ev = await sub.next(2.0)
    assert ev is not None and ev.name == "p"


def test_expired_after_compaction(store_path: Path | None) -> None:
    store = Store(store_path, history_limit=5)
    for i in range(20):
        store.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
    assert store.compact() == 15
    assert store.history_size() == 5
    with pytest.raises(Expired) as info:
        store.subscribe("pods", None, 14)
    assert info.value.oldest == 15 and info.value.requested == 14
    sub = store.subscribe("pods", None, 15)
    assert [e.rv for e in iter(sub.poll, None)] == [16, 17, 18, 19, 20]
    assert store.subscriber_count == 1, "a failed subscribe leaves nothing registered"
    store.close()


def test_compact_step_batches() -> None:
    store = Store(None, history_limit=10, compaction_batch=7)
    for i in range(40):
        store.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
    assert store.compact_step() is True and store.compacted_rv == 7
    while store.compact_step():
        pass
    assert store.compacted_rv == 30 and store.history_size() == 10
    assert store.compact_step() is False
    store.close()


async def test_run_compaction_task() -> None:
    store = Store(None, history_limit=3, compaction_batch=2)
    for i in range(12):
        store.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
    task = asyncio.create_task(store.run_compaction(0.01))
    for _ in range(100):
        await asyncio.sleep(0.01)
        if store.compacted_rv == 9:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.compacted_rv == 9
    store.close()


async def test_bounded_queue_falls_back_to_history(store: Store) -> None:
    store.max_queue = 3
    store.page_size = 4
    sub = store.subscribe("pods", None, 0)
    assert sub.live
    for i in range(100):
        store.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
        assert sub.queued <= 4  # max_queue live, or one page of history
    assert sub.overflows >= 1 and not sub.live
    got: list[int] = []
    while (ev := await sub.next(0.01)) is not None:
        got.append(ev.rv)
        if ev.rv == 50:  # writes while the consumer is catching up
            for i in range(100, 110):
                store.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
        assert sub.queued <= 4
    assert got == list(range(1, 111))
    assert sub.live


async def test_slow_subscriber_past_the_window_gets_expired(store: Store) -> None:
    store.max_queue = 2
    store.history_limit = 10
    sub = store.subscribe("pods", None, 0)
    for i in range(50):
        store.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
    assert sub.queued <= 2
    store.compact()
    with pytest.raises(Expired):
        await sub.next(0.1)
    assert sub.closed and store.subscriber_count == 0


async def test_overflow_keeps_resume_point_for_filtered_watch(store: Store) -> None:
    store.max_queue = 2
    store.page_size = 2
    store.history_limit = 5
    sub = store.subscribe("pods", "a", 0)
    store.create("pods", "a", "first", cm("first", "a"))
    assert (await sub.next(0.1)) is not None
    for i in range(30):  # other namespace: not queued, must not make the watch expire
        store.create("pods", "b", f"p{i}", cm(f"p{i}", "b"))
    for i in range(3):
        store.create("pods", "a", f"a{i}", cm(f"a{i}", "a"))
    store.compact()  # compacted_rv = 29: events 32..34 are still kept
    assert [e.name for e in [await sub.next(0.1) for _ in range(3)] if e] == ["a0", "a1", "a2"]


async def test_watch_latency_with_ten_watchers(store: Store) -> None:
    subs = [store.subscribe("pods", None, store.current_rv) for _ in range(10)]
    loop = asyncio.get_running_loop()
    sent: dict[int, float] = {}
    lat: list[float] = []

    async def watch(sub: Subscription) -> None:
        for _ in range(200):
            ev = await sub.next(5.0)
            assert ev is not None
            lat.append(loop.time() - sent[ev.rv])

    tasks = [asyncio.create_task(watch(s)) for s in subs]
    for i in range(200):
        sent[store.current_rv + 1] = loop.time()
        store.create("pods", "a", f"p{i}", cm(f"p{i}", "a"))
        if i % 10 == 0:
            await asyncio.sleep(0.001)
    await asyncio.gather(*tasks)
    lat.sort()
    # the 50 ms p99 target is measured by the benchmark; here a loose bound keeps CI stable under load
    assert lat[int(len(lat) * 0.99)] < 0.25
