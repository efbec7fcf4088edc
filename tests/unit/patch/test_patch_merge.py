"""JSON merge patch (RFC 7386): deletion by null, arrays replaced, non-object patches refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.unit.patch.patchtest_fixtures import cases, check_case

from trueup.localcluster.patch import json_merge_patch


@pytest.mark.parametrize("case", cases("merge_patch.yaml"))
def test_json_merge_patch_table(case: dict[str, Any]) -> None:
    check_case(case, json_merge_patch)


def test_inputs_are_not_mutated_and_result_is_independent() -> None:
    original = {"spec": {"list": [{"a": 1}], "map": {"k": "v"}}}
    patch = {"spec": {"list": [{"b": 2}], "map": {"k": None, "n": {"deep": 1}}}}
    before_original, before_patch = copy.deepcopy(original), copy.deepcopy(patch)
    result = json_merge_patch(original, patch)
    assert result == {"spec": {"list": [{"b": 2}], "map": {"n": {"deep": 1}}}}
    result["spec"]["list"][0]["b"] = 99
    result["spec"]["map"]["n"]["deep"] = 99
    assert original == before_original
    assert patch == before_patch
