"""Strategic merge patch: kubectl's patch shapes, merge semantics, directives and refusals."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.unit.patch.patchtest_fixtures import cases, check_case, directive_keys, schema_for

from trueup.localcluster.errors import APIError
from trueup.localcluster.patch import strategic_merge_patch

ALL_SUCCESS = cases("smp_kubectl.yaml", "smp_semantics.yaml")


@pytest.mark.parametrize("case", [*ALL_SUCCESS, *cases("smp_errors.yaml")])
def test_strategic_merge_patch_table(case: dict[str, Any]) -> None:
    schema = schema_for(case["schema"])
    check_case(case, lambda original, patch: strategic_merge_patch(original, patch, schema))


@pytest.mark.parametrize("case", ALL_SUCCESS)
def test_inputs_are_not_mutated_and_no_directive_survives(case: dict[str, Any]) -> None:
    original, patch = copy.deepcopy(case["original"]), copy.deepcopy(case["patch"])
    result = strategic_merge_patch(original, patch, schema_for(case["schema"]))
    assert original == case["original"]
    assert patch == case["patch"]
    assert directive_keys(result) == []


def test_result_shares_no_containers_with_the_inputs() -> None:
    original = {"metadata": {"labels": {"a": "1"}}, "spec": {"containers": [{"name": "x"}]}}
    patch = {"spec": {"containers": [{"name": "y", "env": [{"name": "E", "value": "1"}]}]}}
    result = strategic_merge_patch(original, patch, schema_for("v1/Pod"))
    result["metadata"]["labels"]["b"] = "2"
    result["spec"]["containers"][0]["env"][0]["value"] = "changed"
    assert original == {"metadata": {"labels": {"a": "1"}}, "spec": {"containers": [{"name": "x"}]}}
    assert patch["spec"]["containers"][0]["env"][0]["value"] == "1"


def test_set_image_twice_is_idempotent() -> None:
    dep = {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "a:1"}]}}}}
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "a"}],
                    "containers": [{"name": "a", "image": "a:2"}],
                }
            }
        }
    }
    schema = schema_for("apps/v1/Deployment")
    once = strategic_merge_patch(dep, patch, schema)
    assert strategic_merge_patch(once, patch, schema) == once
    assert once["spec"]["template"]["spec"]["containers"] == [{"name": "a", "image": "a:2"}]


def test_null_patch_body_changes_nothing() -> None:
    original = {"metadata": {"name": "c"}}
    assert strategic_merge_patch(original, None, schema_for("v1/ConfigMap")) == original  # type: ignore[arg-type]


def test_missing_merge_key_status_has_no_reason() -> None:
    schema = schema_for("v1/Pod")
    with pytest.raises(APIError) as caught:
        strategic_merge_patch(
            {"spec": {"containers": [{"name": "a"}]}}, {"spec": {"containers": [{}]}}, schema
        )
    status = caught.value.status()
    assert status["code"] == 500
    assert status["reason"] == ""
    assert status["message"] == "map: map[] does not contain declared merge key: name"


def test_list_of_lists_status_is_invalid_with_empty_details() -> None:
    with pytest.raises(APIError) as caught:
        strategic_merge_patch(
            {"metadata": {"finalizers": []}}, {"metadata": {"finalizers": [["b"]]}}, schema_for("v1/Secret")
        )
    status = caught.value.status()
    assert (status["code"], status["reason"], status["details"]) == (422, "Invalid", {})
