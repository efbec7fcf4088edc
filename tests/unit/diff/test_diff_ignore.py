"""ignoreDifferences, Argo CD style: JSON pointers, jq path expressions, managedFields managers."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.diff.helpers import load, scenario

from trueup.diff import DiffError, DiffOptions, SyncStatus, compare, parse_ignore_differences


def _options(*entries: Any) -> DiffOptions:
    return DiffOptions(ignore=parse_ignore_differences(list(entries), source="apps/shop.yaml"))


def test_json_pointer_ignores_replicas_changed_by_kubectl_scale() -> None:
    options = _options({"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]})
    assert compare(*scenario("scale"), options).status is SyncStatus.SYNCED
    # other fields still count
    assert compare(*scenario("set-image"), options).status is SyncStatus.OUT_OF_SYNC


def test_rule_for_another_kind_group_name_or_namespace_does_not_apply() -> None:
    entries: list[Any] = [
        {"group": "", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]},
        {"group": "apps", "kind": "StatefulSet", "jsonPointers": ["/spec/replicas"]},
        {"group": "apps", "kind": "Deployment", "name": "api", "jsonPointers": ["/spec/replicas"]},
        {"group": "apps", "kind": "Deployment", "namespace": "prod", "jsonPointers": ["/spec/replicas"]},
    ]
    for entry in entries:
        assert compare(*scenario("scale"), _options(entry)).status is SyncStatus.OUT_OF_SYNC, entry


def test_globs_in_group_and_kind_match() -> None:
    options = _options({"group": "*", "kind": "*", "name": "w*", "jsonPointers": ["/spec/replicas"]})
    assert compare(*scenario("scale"), options).status is SyncStatus.SYNCED


def test_json_pointer_with_escaped_slash_ignores_one_label() -> None:
    desired, predicted, live = scenario("synced")
    live["metadata"]["labels"]["app.kubernetes.io/version"] = "9"
    predicted["metadata"]["labels"]["app.kubernetes.io/version"] = "10"
    assert compare(desired, predicted, live).status is SyncStatus.OUT_OF_SYNC
    options = _options({"group": "apps", "kind": "Deployment",
                        "jsonPointers": ["/metadata/labels/app.kubernetes.io~1version"]})
    assert compare(desired, predicted, live, options).status is SyncStatus.SYNCED


def test_jq_expression_ignores_the_sidecar_image_only() -> None:
    desired, live = load("deployment-sidecar-desired.yaml"), load("deployment-sidecar-live.yaml")
    options = _options({"group": "apps", "kind": "Deployment", "jqPathExpressions": [
        '.spec.template.spec.containers[] | select(.name == "proxy") | .image']})
    assert compare(desired, None, live, options).status is SyncStatus.SYNCED
    live["spec"]["template"]["spec"]["containers"][1]["image"] = "registry.example/api:2.0.1"
    assert compare(desired, None, live, options).changed_paths == ['.spec.template.spec.containers[name="api"].image']


def test_jq_expression_that_selects_nothing_in_this_object_is_harmless() -> None:
    options = _options({"group": "apps", "kind": "Deployment",
                        "jqPathExpressions": [".spec.template.spec.initContainers[] | .image"]})
    diff = compare(*scenario("set-image"), options)
    assert diff.changed_paths == ['.spec.template.spec.containers[name="web"].image']


def test_managed_fields_manager_hpa_owning_replicas_is_ignored() -> None:
    options = _options({"group": "apps", "kind": "Deployment", "managedFieldsManagers": ["horizontal-pod-autoscaler"]})
    assert compare(*scenario("hpa"), options).status is SyncStatus.SYNCED
    desired, _, live = scenario("hpa")
    assert compare(desired, None, live, options).status is SyncStatus.SYNCED
    # the same rule does not hide a kubectl scale (another manager)
    assert compare(*scenario("scale"), options).changed_paths == [".spec.replicas"]


def test_managed_fields_manager_owning_list_items_by_key() -> None:
    desired, live = load("deployment-sidecar-desired.yaml"), load("deployment-sidecar-live.yaml")
    options = _options({"group": "apps", "kind": "Deployment", "managedFieldsManagers": ["mesh-injector"]})
    assert compare(desired, None, live, options).status is SyncStatus.SYNCED


@pytest.mark.parametrize(("entry", "message"), [
    ({"group": "apps", "kind": "Deployment", "jqPathExpressions": [".spec.replicas", ".spec[) | .x"]},
     r"apps/shop.yaml: spec.ignoreDifferences\[0\].jqPathExpressions\[1\]: invalid jq expression '.spec\[\) \| .x'"),
    ({"group": "apps", "kind": "Deployment", "jsonPointers": ["spec/replicas"]},
     r"spec.ignoreDifferences\[0\].jsonPointers\[0\]: invalid JSON pointer 'spec/replicas'.*starts with '/'"),
    ({"group": "apps", "jsonPointers": ["/spec/replicas"]}, r"spec.ignoreDifferences\[0\].kind: required"),
    ({"group": "apps", "kind": "Deployment", "managedFieldsManagers": "hpa"},
     r"spec.ignoreDifferences\[0\].managedFieldsManagers: must be a list of strings"),
])
def test_invalid_rules_name_the_file_the_field_and_the_expression(entry: Any, message: str) -> None:
    with pytest.raises(DiffError, match=message):
        parse_ignore_differences([entry], source="apps/shop.yaml")


def test_jq_expression_that_is_not_a_path_is_reported_with_the_resource() -> None:
    options = _options({"group": "apps", "kind": "Deployment", "jqPathExpressions": [".spec.replicas | tostring"]})
    with pytest.raises(DiffError, match=r"jqPathExpressions\[0\]: jq expression '.spec.replicas \| tostring' "
                                        r"does not select fields of apps/Deployment shop/web"):
        compare(*scenario("scale"), options)


def test_no_rules() -> None:
    assert parse_ignore_differences(None) == ()
    assert parse_ignore_differences([]) == ()
    with pytest.raises(DiffError, match=r"spec\.ignoreDifferences: must be a list"):
        parse_ignore_differences({"kind": "Deployment"})
