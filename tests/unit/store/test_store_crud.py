from __future__ import annotations

import pytest
from tests.unit.store.objects import cm

from trueup.localcluster.store import (
    AlreadyExists,
    Conflict,
    Expired,
    InvalidContinue,
    NotFound,
    Store,
)


def test_create_get_sets_resource_version(store: Store) -> None:
    src = cm("a")
    out = store.create("configmaps", "default", "a", src)
    assert out["metadata"]["resourceVersion"] == "1"
    assert "resourceVersion" not in src["metadata"], "the caller's object is not mutated"
    assert store.current_rv == 1
    got = store.get("configmaps", "default", "a")
    assert got == out
    assert store.get("configmaps", "other", "a") is None
    assert store.get("secrets", "default", "a") is None


def test_already_exists(store: Store) -> None:
    store.create("configmaps", "default", "a", cm("a"))
    with pytest.raises(AlreadyExists):
        store.create("configmaps", "default", "a", cm("a"))
    assert store.current_rv == 1, "a failed write consumes no rv"
    store.create("configmaps", "other", "a", cm("a", "other"))
    store.create("secrets", "default", "a", cm("a"))


def test_update_and_conflict(store: Store) -> None:
    first = store.create("configmaps", "default", "a", cm("a"))
    rv1 = int(first["metadata"]["resourceVersion"])
    second = store.update("configmaps", "default", "a", {**cm("a"), "data": {"k": "2"}}, expected_rv=rv1)
    rv2 = int(second["metadata"]["resourceVersion"])
    assert rv2 > rv1
    with pytest.raises(Conflict) as info:
        store.update("configmaps", "default", "a", cm("a"), expected_rv=rv1)
    assert info.value.current == rv2 and info.value.expected == rv1
    with pytest.raises(Conflict):
        store.delete("configmaps", "default", "a", expected_rv=rv1)
    # expected_rv None = unconditional
    third = store.update("configmaps", "default", "a", cm("a"))
    assert int(third["metadata"]["resourceVersion"]) == rv2 + 1
    assert store.get("configmaps", "default", "a") == third


def test_not_found(store: Store) -> None:
    with pytest.raises(NotFound) as info:
        store.update("configmaps", "default", "nope", cm("nope"))
    assert info.value.name == "nope"
    with pytest.raises(NotFound):
        store.delete("configmaps", "default", "nope")
    assert store.current_rv == 0


def test_delete_returns_object_with_new_rv(store: Store) -> None:
    store.create("configmaps", "default", "a", cm("a"))
    gone = store.delete("configmaps", "default", "a")
    assert gone["metadata"]["resourceVersion"] == "2"
    assert gone["data"] == {"k": "a"}
    assert store.get("configmaps", "default", "a") is None
    store.create("configmaps", "default", "b", cm("b"))
    final = {**cm("b"), "metadata": {**cm("b")["metadata"], "deletionTimestamp": "now"}}
    gone = store.delete("configmaps", "default", "b", expected_rv=3, final=final)
    assert gone["metadata"]["deletionTimestamp"] == "now"
    assert gone["metadata"]["resourceVersion"] == "4"


def test_rv_strictly_increases_across_resources(store: Store) -> None:
    seen = []
    for i in range(20):
        res = "pods" if i % 2 else "apps/deployments"
        seen.append(int(store.create(res, "ns", f"o{i}", cm(f"o{i}"))["metadata"]["resourceVersion"]))
        seen.append(int(store.update(res, "ns", f"o{i}", cm(f"o{i}"))["metadata"]["resourceVersion"]))
    assert seen == list(range(1, 41))


def test_list_across_and_in_namespace(store: Store) -> None:
    for ns in ("b", "a", "c"):
        for name in ("z", "x", "y"):
            store.create("configmaps", ns, name, cm(name, ns))
    store.create("secrets", "a", "s", cm("s", "a"))
    items, rv, token = store.list("configmaps", None)
    assert token is None and rv == store.current_rv
    keys = [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in items]
    assert keys == sorted(keys) and len(keys) == 9
    items, _, _ = store.list("configmaps", "a")
    assert [o["metadata"]["name"] for o in items] == ["x", "y", "z"]
    assert store.list("configmaps", "nope") == ([], store.current_rv, None)
    assert store.count("configmaps") == 9
    assert store.count("configmaps", "a") == 3
    assert store.count("secrets") == 1


def test_cluster_scoped(store: Store) -> None:
    store.create("namespaces", "", "kube-system", {"metadata": {"name": "kube-system"}})
    store.create("namespaces", "", "default", {"metadata": {"name": "default"}})
    items, _, _ = store.list("namespaces", None)
    assert [o["metadata"]["name"] for o in items] == ["default", "kube-system"]
    assert store.list("namespaces", "")[0] == items


@pytest.mark.parametrize("limit", [1, 3, 10, 56, 57, 100])
@pytest.mark.parametrize("namespace", [None, "ns-1"])
def test_pages_cover_every_object_once(store: Store, limit: int, namespace: str | None) -> None:
    for i in range(57):
        store.create("configmaps", f"ns-{i % 4}", f"cm-{i:03}", cm(f"cm-{i:03}", f"ns-{i % 4}"))
    expected, _, _ = store.list("configmaps", namespace)
    got: list[dict[str, object]] = []
    token: str | None = None
    rvs = set()
    while True:
        page, rv, token = store.list("configmaps", namespace, limit=limit, continue_token=token)
        rvs.add(rv)
        assert len(page) <= limit
        got.extend(page)
        if token is None:
            break
        assert isinstance(token, str)
    assert got == expected
    assert rvs == {store.current_rv}


def test_pagination_under_writes_reports_first_page_rv(store: Store) -> None:
    for i in range(10):
        store.create("configmaps", "ns", f"cm-{i}", cm(f"cm-{i}", "ns"))
    first, rv, token = store.list("configmaps", "ns", limit=5)
    assert len(first) == 5
    assert token is not None
    store.create("configmaps", "ns", "cm-0a", cm("cm-0a", "ns"))  # lands before the cursor
    store.delete("configmaps", "ns", "cm-7")
    rest, rv2, token = store.list("configmaps", "ns", continue_token=token)
    assert rv2 == rv and token is None
    assert "cm-7" not in {o["metadata"]["name"] for o in rest}
    # a watch from the list rv replays what paging missed
    sub = store.subscribe("configmaps", "ns", rv)
    events = [sub.poll(), sub.poll(), sub.poll()]
    assert [(e.type, e.name) for e in events if e] == [("ADDED", "cm-0a"), ("DELETED", "cm-7")]


def test_invalid_and_expired_continue_tokens() -> None:
    store = Store(None, history_limit=2)
    for i in range(6):
        store.create("configmaps", "ns", f"cm-{i}", cm(f"cm-{i}", "ns"))
    with pytest.raises(InvalidContinue):
        store.list("configmaps", None, limit=2, continue_token="not-a-token!")
    with pytest.raises(InvalidContinue):
        store.list("configmaps", None, limit=2, continue_token="eyJ2IjoxfQ")  # {"v":1}
    _, _, token = store.list("configmaps", None, limit=2)
    for _ in range(5):
        store.update("configmaps", "ns", "cm-0", cm("cm-0", "ns"))
    store.compact()
    with pytest.raises(Expired) as info:
        store.list("configmaps", None, limit=2, continue_token=token)
    assert info.value.oldest == store.compacted_rv == store.current_rv - 2
    store.close()


def test_get_shared_is_current_after_every_write(store: Store) -> None:
    assert store.get_shared("configmaps", "default", "a") is None
    store.create("configmaps", "default", "a", cm("a", v="1"))
    first = store.get_shared("configmaps", "default", "a")
    assert first is not None and first["metadata"]["labels"] == {"v": "1"}
    assert store.get_shared("configmaps", "default", "a") is first, "kept until the resource is written"
    store.create("configmaps", "default", "b", cm("b"))  # any write of the resource drops it
    assert store.get_shared("configmaps", "default", "a") == first
    store.update("configmaps", "default", "a", cm("a", v="2"))
    got = store.get_shared("configmaps", "default", "a")
    assert got is not None and got["metadata"]["labels"] == {"v": "2"}
    assert got == store.get("configmaps", "default", "a")
    store.delete("configmaps", "default", "a")
    assert store.get_shared("configmaps", "default", "a") is None
