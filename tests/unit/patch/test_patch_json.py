"""JSON patch (RFC 6902): operations, the 10000-operation limit, body decoding, 422 on failure."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from tests.unit.patch.patchtest_fixtures import cases, check_case

from trueup.localcluster.errors import APIError
from trueup.localcluster.patch import MAX_OPERATIONS, json_patch


@pytest.mark.parametrize("case", cases("json_patch.yaml"))
def test_json_patch_table(case: dict[str, Any]) -> None:
    check_case(case, json_patch)


def test_more_than_10000_operations_is_413() -> None:
    ops = [{"op": "test", "path": "/a", "value": 1}] * (MAX_OPERATIONS + 1)
    with pytest.raises(APIError) as caught:
        json_patch({"a": 1}, ops)
    assert (caught.value.code, caught.value.reason) == (413, "RequestEntityTooLarge")
    assert caught.value.message == (
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001"
    )


def test_exactly_10000_operations_are_applied() -> None:
    ops = [{"op": "add", "path": "/items/-", "value": i} for i in range(MAX_OPERATIONS)]
    result = json_patch({"items": []}, ops)
    assert len(result["items"]) == MAX_OPERATIONS


def test_raw_body_is_decoded() -> None:
    body = json.dumps([{"op": "replace", "path": "/spec/replicas", "value": 5}]).encode()
    assert json_patch({"spec": {"replicas": 1}}, body) == {"spec": {"replicas": 5}}


@pytest.mark.parametrize("body", [b"[{", b"\xff\xfe", "not json"])
def test_undecodable_body_is_400(body: bytes | str) -> None:
    with pytest.raises(APIError) as caught:
        json_patch({"a": 1}, body)
    assert (caught.value.code, caught.value.reason) == (400, "BadRequest")


def test_failed_operation_status_has_empty_details() -> None:
    with pytest.raises(APIError) as caught:
        json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])
    status = caught.value.status()
    assert (status["code"], status["reason"], status["details"]) == (422, "Invalid", {})


def test_inputs_are_not_mutated() -> None:
    original = {"metadata": {"labels": {"a": "1"}}, "list": [1, 2]}
    ops = [
        {"op": "add", "path": "/metadata/labels/b", "value": {"x": [1]}},
        {"op": "remove", "path": "/list/0"},
    ]
    before_original, before_ops = copy.deepcopy(original), copy.deepcopy(ops)
    result = json_patch(original, ops)
    assert result == {"metadata": {"labels": {"a": "1", "b": {"x": [1]}}}, "list": [2]}
    result["metadata"]["labels"]["b"]["x"].append(2)
    assert original == before_original
    assert ops == before_ops
