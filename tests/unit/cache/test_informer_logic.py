"""The informer's cache maintenance without a server: the keep filter, relist diffs, indexes."""

from __future__ import annotations

from typing import Any

from trueup.cache import Change, ClusterCache
from trueup.kube import Client, Discovery, Informer
from trueup.kube.resources import CONFIGMAPS
from trueup.model import ResourceKey

ANN = "trueup.dev/tracking-id"
Obj = dict[str, Any]


def cm(name: str, rv: int, app: str | None = "shop", data: str = "") -> Obj:
    ann = {ANN: f"{app}:/ConfigMap:ns/{name}"} if app else {}
    return {"metadata": {"name": name, "namespace": "ns", "resourceVersion": str(rv), "annotations": ann},
            "data": {"k": data}}


def tracked(o: Obj) -> bool:
    return ANN in ((o.get("metadata") or {}).get("annotations") or {})


def informer() -> tuple[Informer, list[tuple[str, str, str | None]]]:
    inf = Informer(Client("https://127.0.0.1:1"), CONFIGMAPS, keep=tracked)
    seen: list[tuple[str, str, str | None]] = []
    inf.add_handler(lambda t, o, old: seen.append((t, o["metadata"]["name"],
                                                   None if old is None else old["metadata"]["resourceVersion"])))
    return inf, seen


def test_untracked_objects_never_stored() -> None:
    inf, seen = informer()
    inf._relist([cm("a", 1), cm("b", 2, app=None), cm("c", 3, app=None)])
    assert [o["metadata"]["name"] for o in inf.list()] == ["a"]
    assert seen == [("ADDED", "a", None)]
    assert inf.stats.dropped == 2
    stored = inf.get("ns", "a")
    assert stored is not None and (stored["apiVersion"], stored["kind"]) == ("v1", "ConfigMap")  # filled in


def test_watch_events_and_stop_being_kept() -> None:
    inf, seen = informer()
    inf._apply("ADDED", cm("x", 5, app=None))  # untracked: nothing
    inf._apply("MODIFIED", cm("x", 6))  # starts being tracked: ADDED
    inf._apply("MODIFIED", cm("x", 7))
    inf._apply("MODIFIED", cm("x", 8, app=None))  # annotation removed: DELETED, with the new object
    inf._apply("DELETED", cm("x", 9, app=None))  # not cached any more: nothing
    assert seen == [("ADDED", "x", None), ("MODIFIED", "x", "6"), ("DELETED", "x", "7")]
    assert len(inf) == 0


def test_relist_reports_net_changes_only() -> None:
    inf, seen = informer()
    inf._relist([cm("same", 1), cm("edited", 2), cm("gone", 3), cm("untracked-later", 4)])
    seen.clear()
    inf._relist([cm("same", 1), cm("edited", 12), cm("new", 13), cm("untracked-later", 14, app=None)])
    assert sorted(seen) == [("ADDED", "new", None), ("DELETED", "gone", "3"), ("DELETED", "untracked-later", "4"),
                            ("MODIFIED", "edited", "2")]


def test_cluster_cache_indexes_and_changes() -> None:
    client = Client("https://127.0.0.1:1")
    cache = ClusterCache(client, Discovery(client))
    inf = Informer(client, CONFIGMAPS)
    cache._informers[("", "ConfigMap")] = inf
    inf.add_handler(cache._on_event(("", "ConfigMap")))
    changes: list[Change] = []
    cache.subscribe(changes.append)
    inf._apply("ADDED", cm("a", 1, app="one"))
    inf._apply("MODIFIED", cm("a", 2, app="two"))  # adopted by another app
    key = ResourceKey("", "ConfigMap", "ns", "a")
    assert cache.keys_of("one") == set() and cache.keys_of("two") == {key}
    assert cache.get(key) is not None and cache.objects_of("two") == [cache.get(key)]
    assert changes[1].apps == {"one", "two"} and changes[1].old is not None and changes[1].new is not None
    inf._apply("DELETED", cm("a", 3, app="two"))
    assert changes[2].type == "DELETED" and changes[2].new is None and changes[2].app == "two"
    assert not changes[2].untracked and cache.apps() == []
    assert cache.stats().kinds[("", "ConfigMap")].objects == 0
