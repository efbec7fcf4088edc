"""FieldSet algebra and the fieldsV1 wire format."""

from __future__ import annotations

import pytest

from trueup.localcluster.fieldmanager import FieldSet, path_string


def test_fields_v1_emit_order_dot_then_f_then_k_then_v() -> None:
    fs = FieldSet.of(
        ("f:spec", "f:list", 'v:"b"'),
        ("f:spec", "f:list", 'k:{"name":"a"}'),
        ("f:spec", "f:list", "f:z"),
        ("f:spec", "f:list", "f:B"),
        ("f:spec", "f:list"),
        ("f:spec", "f:list", 'k:{"name":"a"}', "f:x"),
    )
    out = fs.to_fields_v1()
    assert list(out["f:spec"]["f:list"]) == [".", "f:B", "f:z", 'k:{"name":"a"}', 'v:"b"']
    assert out["f:spec"]["f:list"]['k:{"name":"a"}'] == {".": {}, "f:x": {}}


def test_from_fields_v1_round_trip_and_canonical_keys() -> None:
    raw = {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
           "f:spec": {"f:ports": {'k:{ "protocol": "TCP", "port": 80 }': {".": {}, "f:port": {}}}},
           "x:unknown": {}}
    fs = FieldSet.from_fields_v1(raw)
    assert fs.has(("f:metadata", "f:labels"))
    assert fs.has(("f:metadata", "f:labels", "f:app"))
    assert not fs.has(("f:metadata",))
    assert fs.has(("f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}', "f:port"))
    assert fs.to_fields_v1() == {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {}}}},
    }


@pytest.mark.parametrize("bad", [{"f:a": 1}, {"k:{nope": {}}, {"k:[1]": {}}, []])
def test_from_fields_v1_rejects_malformed(bad: object) -> None:
    with pytest.raises(ValueError):
        FieldSet.from_fields_v1(bad)


def test_union_difference_intersection() -> None:
    a = FieldSet.of(("f:spec", "f:replicas"), ("f:spec", "f:paused"), ("f:metadata", "f:labels", "f:a"))
    b = FieldSet.of(("f:spec", "f:replicas"), ("f:metadata", "f:labels", "f:b"))
    assert list(a.union(b)) == [
        ("f:metadata", "f:labels", "f:a"), ("f:metadata", "f:labels", "f:b"),
        ("f:spec", "f:paused"), ("f:spec", "f:replicas"),
    ]
    assert list(a.difference(b)) == [("f:metadata", "f:labels", "f:a"), ("f:spec", "f:paused")]
    assert list(a.intersection(b)) == [("f:spec", "f:replicas")]
    assert not a.intersection(FieldSet())
    # inputs untouched
    assert len(a) == 3 and len(b) == 2


def test_recursive_difference_drops_subtrees() -> None:
    a = FieldSet.of(("f:status", "f:replicas"), ("f:spec", "f:x"))
    assert list(a.recursive_difference(FieldSet.of(("f:status",)))) == [("f:spec", "f:x")]
    assert list(a.difference(FieldSet.of(("f:status",)))) == list(a)


def test_difference_drops_empty_children() -> None:
    a = FieldSet.of(("f:spec", "f:x"))
    assert a.difference(a).to_fields_v1() == {}
    assert not a.difference(a)


def test_path_strings_as_conflict_messages_print_them() -> None:
    assert path_string(("f:spec", "f:replicas")) == ".spec.replicas"
    assert path_string(("f:spec", "f:containers", 'k:{"name":"nginx"}', "f:image")) == (
        '.spec.containers[name="nginx"].image')
    assert path_string(("f:ports", 'k:{"containerPort":80,"protocol":"TCP"}')) == (
        '.ports[containerPort=80,protocol="TCP"]')
    assert path_string(("f:metadata", "f:finalizers", 'v:"x"')) == '.metadata.finalizers[="x"]'
    assert path_string(("f:metadata", "f:labels", "f:a.b/c")) == ".metadata.labels.a.b/c"
