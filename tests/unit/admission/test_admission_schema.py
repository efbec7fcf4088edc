"""Field validation (unknown fields), pruning, structural-schema validation and defaults of
custom resources, and validation of CRDs themselves."""

from __future__ import annotations

import copy
from typing import Any

from trueup.localcluster.admission import (
    apply_schema_defaults,
    prune_unknown,
    unknown_fields,
    validate_crd,
    validate_schema,
)
from trueup.localcluster.schema import builtin_schemas

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 10, "format": "int32"},
                "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"},
                "name": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$"},
                "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
                "port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "note": {"type": "string", "nullable": True},
                "nested": {"type": "object", "default": {},
                           "properties": {"depth": {"type": "integer", "default": 3}}},
            },
        },
    },
}


def _cr(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "namespace": "default"}, "spec": spec}


def test_unknown_fields_of_builtin_kind() -> None:
    node = builtin_schemas().for_kind("apps/v1", "Deployment")
    assert node is not None
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x", "labelz": {}},
           "spec": {"replicasx": 2, "selector": {"matchLabels": {"any": "thing"}},
                    "template": {"spec": {"containers": [{"name": "c", "image": "i", "foo": 1}]}}}}
    assert unknown_fields(obj, node) == ["metadata.labelz", "spec.replicasx",
                                         "spec.template.spec.containers[0].foo"]


def test_unknown_fields_accepts_quantities_and_int_or_string() -> None:
    node = builtin_schemas().for_kind("v1", "Service")
    assert node is not None
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
           "spec": {"ports": [{"port": 80, "targetPort": "http"}]}, "status": {"loadBalancer": {}}}
    assert unknown_fields(obj, node) == []


def test_unknown_fields_and_pruning_of_custom_resource() -> None:
    node = builtin_schemas().crd_root(SCHEMA)
    obj = _cr({"size": 1, "bogus": True, "extra": {"free": {"form": 1}}, "labels": {"a": "b"}})
    obj["top"] = 1
    obj["metadata"]["bogusMeta"] = 1
    assert unknown_fields(obj, node) == ["metadata.bogusMeta", "spec.bogus", "top"]
    prune_unknown(obj, node)
    assert obj == _cr({"size": 1, "extra": {"free": {"form": 1}}, "labels": {"a": "b"}})


def test_validate_schema_reports_kube_style_causes() -> None:
    node = builtin_schemas().crd_root(SCHEMA)
    obj = _cr({"size": "3", "mode": "slow", "name": "ABCDEFG", "tags": ["a", "b", "c"], "port": 1.5})
    causes = validate_schema(obj, node)
    by_field = {c["field"]: c for c in causes}
    assert by_field["spec.size"] == {
        "reason": "FieldValueInvalid", "field": "spec.size",
        "message": 'Invalid value: "string": spec.size in body must be of type integer: "string"'}
    assert by_field["spec.mode"]["reason"] == "FieldValueNotSupported"
    assert by_field["spec.mode"]["message"] == 'Unsupported value: "slow": supported values: "fast", "safe"'
    assert [c["reason"] for c in causes if c["field"] == "spec.name"] == ["FieldValueTooLong", "FieldValueInvalid"]
    assert by_field["spec.tags"]["message"] == "Too many: 3: must have at most 2 items"
    assert by_field["spec.port"]["reason"] == "FieldValueInvalid"


def test_validate_schema_required_range_and_null() -> None:
    node = builtin_schemas().crd_root(SCHEMA)
    assert [(c["field"], c["reason"]) for c in validate_schema(_cr({"note": None}), node)] == [
        ("spec.size", "FieldValueRequired")]
    causes = validate_schema(_cr({"size": 0, "name": None}), node)
    assert [c["message"] for c in causes] == [
        "Invalid value: 0: spec.size in body should be greater than or equal to 1",
        'Invalid value: "null": spec.name in body must be of type string: "null"',
    ]
    assert validate_schema(_cr({"size": 11.0}), node)[0]["message"].endswith("less than or equal to 10")
    assert validate_schema(_cr({"size": 2, "port": "http", "labels": {"a": "b"}}), node) == []


def test_schema_defaults_fill_missing_and_nested() -> None:
    obj = _cr({"size": 1, "nested": None})
    apply_schema_defaults(obj, SCHEMA)
    assert obj["spec"] == {"size": 1, "mode": "safe", "nested": {"depth": 3}}
    again = copy.deepcopy(obj)
    apply_schema_defaults(again, SCHEMA)
    assert again == obj


def _crd(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "group": "example.com", "scope": "Namespaced", "names": {"kind": "Widget", "plural": "widgets"},
        "versions": [{"name": "v1", "served": True, "storage": True,
                      "schema": {"openAPIV3Schema": {"type": "object"}}}],
    }
    base.update(spec)
    return {"metadata": {"name": "widgets.example.com"}, "spec": base}


def test_valid_crd() -> None:
    assert validate_crd(_crd()) == []


def test_crd_rules() -> None:
    two_storage = [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}},
                   {"name": "v2", "served": True, "storage": True}]
    causes = validate_crd(_crd(scope="Global", versions=two_storage))
    assert [(c["field"], c["reason"]) for c in causes] == [
        ("spec.scope", "FieldValueNotSupported"),
        ("spec.versions[1].schema.openAPIV3Schema", "FieldValueRequired"),
        ("spec.versions", "FieldValueInvalid"),
    ]
    assert "exactly one version marked as storage version" in causes[2]["message"]
    no_kind = validate_crd(_crd(names={"plural": "widgets"}, group="example"))
    assert [(c["field"], c["reason"]) for c in no_kind] == [
        ("metadata.name", "FieldValueInvalid"),
        ("spec.group", "FieldValueInvalid"),
        ("spec.names.kind", "FieldValueRequired"),
    ]
