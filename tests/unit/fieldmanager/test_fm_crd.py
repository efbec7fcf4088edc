"""Custom resources (CRD schemas) and unknown (`any`) content."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from trueup.localcluster.errors import APIError
from trueup.localcluster.fieldmanager import apply, fields_of, update_managed_fields
from trueup.localcluster.schema import ANY, SchemaNode, builtin_schemas

T0, T1 = "2026-07-01T10:00:00Z", "2026-07-01T10:01:00Z"

CRD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "size": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "hosts": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                          "items": {"type": "object", "properties": {"name": {"type": "string"},
                                                                     "port": {"type": "integer"}}}},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        },
        "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}},
    },
}


@pytest.fixture(scope="module")
def cr() -> SchemaNode:
    return builtin_schemas().crd_root(CRD_SCHEMA)


def widget(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}


def do_apply(schema: SchemaNode, live: dict[str, Any] | None, cfg: dict[str, Any], manager: str = "m",
             now: str = T0, force: bool = False) -> dict[str, Any]:
    return apply(live, copy.deepcopy(cfg), schema=schema, manager=manager, api_version="example.com/v1",
                 force=force, now=now)


def fields(obj: dict[str, Any], i: int = 0) -> dict[str, Any]:
    v: dict[str, Any] = obj["metadata"]["managedFields"][i]["fieldsV1"]
    return v


def test_crd_apply_unmarked_list_atomic_map_list_and_unknown_content(cr: SchemaNode) -> None:
    cfg = widget(size=1, tags=["a", "b"], hosts=[{"name": "h1", "port": 1}],
                 extra={"deep": {"x": 1, "list": [1, 2]}, "flag": True})
    out = do_apply(cr, None, cfg)
    assert fields(out) == {"f:spec": {
        "f:extra": {
            "f:deep": {".": {}, "f:list": {}, "f:x": {}},
            "f:flag": {},
        },
        "f:hosts": {'k:{"name":"h1"}': {".": {}, "f:name": {}, "f:port": {}}},
        "f:size": {},
        "f:tags": {},
    }}


def test_crd_atomic_list_replaced_and_unknown_maps_merged(cr: SchemaNode) -> None:
    live = do_apply(cr, None, widget(tags=["a", "b"], extra={"deep": {"x": 1}}))
    out = do_apply(cr, live, widget(tags=["c"], extra={"deep": {"y": 2}}), manager="n", now=T1, force=True)
    assert out["spec"]["tags"] == ["c"]
    assert out["spec"]["extra"] == {"deep": {"x": 1, "y": 2}}
    assert fields(out, 0) == {"f:spec": {"f:extra": {"f:deep": {".": {}, "f:x": {}}}}}
    assert fields(out, 1) == {"f:spec": {"f:extra": {"f:deep": {".": {}, "f:y": {}}}, "f:tags": {}}}


def test_crd_conflict_on_atomic_list(cr: SchemaNode) -> None:
    live = do_apply(cr, None, widget(tags=["a"]))
    with pytest.raises(APIError) as ei:
        do_apply(cr, live, widget(tags=["b"]), manager="n", now=T1)
    assert ei.value.message == 'Apply failed with 1 conflict: conflict with "m": .spec.tags'


def test_crd_create_update_owns_structs_itself(cr: SchemaNode) -> None:
    obj = widget(size=2)
    mf = update_managed_fields(None, obj, schema=cr, manager="kubectl-create", api_version="example.com/v1", now=T0)
    assert mf[0]["fieldsV1"] == {"f:spec": {".": {}, "f:size": {}}}


def test_crd_unknown_fields_are_not_rejected(cr: SchemaNode) -> None:
    out = do_apply(cr, None, widget(size=1, surprise={"a": 1}))
    assert out["spec"]["surprise"] == {"a": 1}


def test_crd_map_list_duplicate_keys_rejected(cr: SchemaNode) -> None:
    with pytest.raises(APIError) as ei:
        do_apply(cr, None, widget(hosts=[{"name": "h"}, {"name": "h"}]))
    assert ei.value.code == 500
    assert ei.value.message == ("failed to create typed patch object (example.com/v1, Kind=Widget): "
                                '.spec.hosts: duplicate entries for key [name="h"]')


def test_any_schema_everything_granular_maps_atomic_lists() -> None:
    obj = {"a": {"b": 1, "c": [1]}, "d": {}, "e": None}
    assert fields_of(obj, ANY).to_fields_v1() == {
        "f:a": {".": {}, "f:b": {}, "f:c": {}}, "f:d": {}, "f:e": {}}


def test_empty_and_null_values_are_owned(cr: SchemaNode) -> None:
    out = do_apply(cr, None, widget(extra={}, hosts=[]))
    assert fields(out) == {"f:spec": {"f:extra": {}}}  # an empty granular list owns nothing
