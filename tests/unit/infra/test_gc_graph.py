"""gc_graph: the owner → dependents graph and what the collector does with each object."""

from __future__ import annotations

from typing import Any

import pytest

from trueup.localcluster.controllers import gc_graph as g


def obj(uid: str, *owners: tuple[str, bool], finalizers: list[str] | None = None,
        deleting: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"uid": uid, "name": uid, "namespace": "ns",
                            "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": o, "uid": o,
                                                 "blockOwnerDeletion": block} for o, block in owners]}
    if finalizers:
        meta["finalizers"] = finalizers
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


def test_graph_tracks_dependents_and_blocking_references() -> None:
    graph = g.Graph()
    graph.upsert(g.node_of(obj("owner")))
    graph.upsert(g.node_of(obj("a", ("owner", True))))
    graph.upsert(g.node_of(obj("b", ("owner", False), ("other", True))))
    assert [n.uid for n in graph.dependents("owner")] == ["a", "b"]
    assert [n.uid for n in graph.blocking_dependents("owner")] == ["a"]
    assert [n.uid for n in graph.dependents("other")] == ["b"]  # an owner not (yet) in the graph
    graph.upsert(g.node_of(obj("a")))  # its reference removed
    assert [n.uid for n in graph.dependents("owner")] == ["b"]
    graph.remove("b")
    assert graph.dependents("owner") == [] and graph.dependents("other") == []
    assert len(graph) == 2


def test_node_flags() -> None:
    fg = g.node_of(obj("x", finalizers=["foregroundDeletion"], deleting=True))
    assert fg.deleting_dependents and not fg.orphaning
    orphan = g.node_of(obj("y", finalizers=["orphan"], deleting=True))
    assert orphan.orphaning and not orphan.deleting_dependents
    assert not g.node_of(obj("z", finalizers=["foregroundDeletion"])).deleting_dependents


@pytest.mark.parametrize(("owners", "states", "flags", "has_deps", "expected"), [
    ([("o", True)], {"o": g.SOLID}, {}, False, g.Decision("none")),
    ([("o", True)], {"o": g.DANGLING}, {}, False, g.Decision("delete", "Background")),
    ([("o", True)], {"o": g.DANGLING}, {"finalizers": ["orphan"]}, False, g.Decision("delete", "Orphan")),
    ([("o", True)], {"o": g.DANGLING}, {"finalizers": ["foregroundDeletion"]}, False,
     g.Decision("delete", "Foreground")),
    ([("o", True), ("p", True)], {"o": g.DANGLING, "p": g.SOLID}, {}, False,
     g.Decision("remove-refs", remove_uids=("o",))),
    ([("o", True), ("p", True)], {"o": g.WAITING, "p": g.SOLID}, {}, False,
     g.Decision("remove-refs", remove_uids=("o",))),
    ([("o", True)], {"o": g.WAITING}, {}, True, g.Decision("delete", "Foreground")),
    ([("o", True)], {"o": g.WAITING}, {}, False, g.Decision("delete", "Background")),
    ([("o", True)], {"o": g.DANGLING}, {"deleting": True}, False, g.Decision("none")),
    ([], {}, {}, False, g.Decision("none")),
])
def test_decide(owners: list[tuple[str, bool]], states: dict[str, str], flags: dict[str, Any],
                has_deps: bool, expected: g.Decision) -> None:
    node = g.node_of(obj("item", *owners, **flags))
    assert g.decide(node, states, has_deps) == expected


def test_without_owner_refs() -> None:
    refs = obj("x", ("a", True), ("b", False))["metadata"]["ownerReferences"]
    assert [r["uid"] for r in g.without_owner_refs(refs, {"a"})] == ["b"]
