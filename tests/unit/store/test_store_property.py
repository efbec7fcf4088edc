"""Property: concurrent writers and reconnecting watchers never see a gap, a duplicate or disorder.

Each example runs on its own fresh event loop (the test function itself is synchronous), with
asyncio tasks as writers and watchers. Interleavings come from Hypothesis-drawn numbers of
`sleep(0)` yields, so they are reproducible. Ground truth is the list of writes that succeeded.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.localcluster.store import AlreadyExists, Conflict, NotFound, Store, WatchEvent

RESOURCES = ["pods", "apps/deployments"]
NAMESPACES = ["a", "b"]
NAMES = ["x", "y", "z"]
Key = tuple[str, str, str]

op_st = st.tuples(
    st.sampled_from(["create", "create", "update", "update_cas", "delete", "delete_cas"]),
    st.sampled_from(RESOURCES),
    st.sampled_from(NAMESPACES),
    st.sampled_from(NAMES),
    st.integers(0, 3),  # yields between read and write (CAS ops) and after the op
)
writers_st = st.lists(st.lists(op_st, max_size=25), min_size=1, max_size=3)


@dataclass
class WatcherPlan:
    resource: str | None
    namespace: str | None
    start_delay: int
    disconnects: list[tuple[int, int]]  # (events before disconnecting, yields while away)


watcher_st = st.builds(
    WatcherPlan,
    st.sampled_from([None, *RESOURCES]),
    st.sampled_from([None, *NAMESPACES]),
    st.integers(0, 10),
    st.lists(st.tuples(st.integers(1, 6), st.integers(0, 5)), max_size=6),
)


@dataclass
class WatcherResult:
    plan: WatcherPlan
    since: int = 0
    initial: dict[Key, dict[str, Any]] = field(default_factory=dict)
    events: list[WatchEvent] = field(default_factory=list)


async def _yield(n: int) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def _matches(plan: WatcherPlan, resource: str, namespace: str) -> bool:
    return (plan.resource is None or plan.resource == resource) and (
        plan.namespace is None or plan.namespace == namespace
    )


def _snapshot(store: Store, plan: WatcherPlan) -> dict[Key, dict[str, Any]]:
    out: dict[Key, dict[str, Any]] = {}
    for resource in RESOURCES:
        if plan.resource in (None, resource):
            items, _, _ = store.list(resource, plan.namespace)
            for obj in items:
                out[(resource, obj["metadata"]["namespace"], obj["metadata"]["name"])] = obj
    return out


async def _writer(store: Store, ops: list[tuple[str, str, str, str, int]], log: list[WatchEvent]) -> None:
    for n, (kind, resource, ns, name, yields) in enumerate(ops):
        obj = {"metadata": {"name": name, "namespace": ns}, "spec": {"n": n}}
        try:
            if kind == "create":
                out = store.create(resource, ns, name, obj)
                event_type = "ADDED"
            elif kind in ("update", "update_cas", "delete_cas", "delete"):
                expected = None
                if kind.endswith("_cas"):
                    seen = store.get(resource, ns, name)
                    await _yield(yields)
                    expected = int(seen["metadata"]["resourceVersion"]) if seen else 1 << 40
                if kind.startswith("update"):
                    out = store.update(resource, ns, name, obj, expected_rv=expected)
                    event_type = "MODIFIED"
                else:
                    out = store.delete(resource, ns, name, expected_rv=expected)
                    event_type = "DELETED"
        except (AlreadyExists, NotFound, Conflict):
            pass
        else:
            rv = int(out["metadata"]["resourceVersion"])
            log.append(WatchEvent(event_type, rv, resource, ns, name, out, None))
        await _yield(yields)


async def _watcher(store: Store, plan: WatcherPlan, writers_done: asyncio.Event) -> WatcherResult:
    await _yield(plan.start_delay)
    result = WatcherResult(plan)
    # list + subscribe with no await in between: the informer pattern
    result.since = store.current_rv
    result.initial = _snapshot(store, plan)
    sub = store.subscribe(plan.resource, plan.namespace, result.since)
    last_rv = result.since
    plans = iter(plan.disconnects)
    budget = next(plans, None)
    while True:
        event = await sub.next(0.002)
        if event is None:
            if writers_done.is_set():
                break
            continue
        result.events.append(event)
        last_rv = event.rv
        if budget is not None:
            count, away = budget
            if count <= 1:
                sub.close()
                await _yield(away)
                sub = store.subscribe(plan.resource, plan.namespace, last_rv)
                budget = next(plans, None)
            else:
                budget = (count - 1, away)
    sub.close()
    return result


async def _scenario(store: Store, writers: list[list[Any]], watchers: list[WatcherPlan]) -> None:
    log: list[WatchEvent] = []
    done = asyncio.Event()
    watch_tasks = [asyncio.create_task(_watcher(store, plan, done)) for plan in watchers]
    await asyncio.gather(*(_writer(store, ops, log) for ops in writers))
    done.set()
    results = await asyncio.gather(*watch_tasks)

    # the writes themselves: one rv each, contiguous, increasing
    assert [e.rv for e in log] == list(range(1, store.current_rv + 1))
    for result in results:
        plan = result.plan
        expected = [e for e in log if e.rv > result.since and _matches(plan, e.resource, e.namespace)]
        got = result.events
        assert [e.rv for e in got] == [e.rv for e in expected], "gap, duplicate or disorder"
        for g, x in zip(got, expected, strict=True):
            assert (g.type, g.resource, g.namespace, g.name, g.object) == (
                x.type,
                x.resource,
                x.namespace,
                x.name,
                x.object,
            )
        # replaying the events over the initial list reproduces the final state
        state = dict(result.initial)
        for e in got:
            key = (e.resource, e.namespace, e.name)
            if e.type == "ADDED":
                assert key not in state and e.prev is None
                state[key] = e.object
            else:
                assert e.prev == state[key], "prev is the object the watcher last saw"
                if e.type == "MODIFIED":
                    state[key] = e.object
                else:
                    del state[key]
        assert state == _snapshot(store, plan)


def _run(path: Path | None, max_queue: int, page_size: int, writers: Any, watchers: Any) -> None:
    store = Store(path, max_queue=max_queue, page_size=page_size)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_scenario(store, writers, watchers))
    finally:
        loop.close()
        store.close()


COMMON = {
    "max_queue": st.integers(1, 6),
    "page_size": st.integers(1, 6),
    "writers": writers_st,
    "watchers": st.lists(watcher_st, min_size=1, max_size=4),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**COMMON)
def test_watchers_see_every_event_once_in_memory(
    max_queue: int, page_size: int, writers: Any, watchers: Any
) -> None:
    _run(None, max_queue, page_size, writers, watchers)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**COMMON)
def test_watchers_see_every_event_once_on_disk(
    max_queue: int, page_size: int, writers: Any, watchers: Any
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _run(Path(tmp) / "store.db", max_queue, page_size, writers, watchers)
