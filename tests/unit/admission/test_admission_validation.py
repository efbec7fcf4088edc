"""validate_create / validate_update against the cases in testdata/validation/*.yaml.

Each case lists exactly the causes (field path and reason, plus a message fragment) that
kube-apiserver returns in the 422 Status, in order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from trueup.localcluster.admission import apply_defaults, validate_create, validate_update

DATA = Path(__file__).parent / "testdata" / "validation"


def _cases(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open() as fh:
        cases = yaml.safe_load(fh)
    assert isinstance(cases, list)
    return cases


def _check(causes: list[dict[str, str]], expected: list[dict[str, str]]) -> None:
    assert [(c["field"], c["reason"]) for c in causes] == [(e["field"], e["reason"]) for e in expected], causes
    for cause, want in zip(causes, expected, strict=True):
        assert want["message"] in cause["message"]


CREATE = _cases("create.yaml")
UPDATE = _cases("update.yaml")


@pytest.mark.parametrize("case", CREATE, ids=[c["name"] for c in CREATE])
def test_validate_create(case: dict[str, Any]) -> None:
    obj = {"apiVersion": case["apiVersion"], "kind": case["kind"], **case["object"]}
    if case.get("big_annotation"):
        obj["metadata"]["annotations"] = {"example.com/blob": "x" * case["big_annotation"]}
    if case.get("defaulted"):
        apply_defaults(case["apiVersion"], case["kind"], obj)
    causes = validate_create(case["apiVersion"], case["kind"], obj, namespaced=case.get("namespaced", True))
    _check(causes, case["causes"])


@pytest.mark.parametrize("case", UPDATE, ids=[c["name"] for c in UPDATE])
def test_validate_update(case: dict[str, Any]) -> None:
    old = {"apiVersion": case["apiVersion"], "kind": case["kind"], **case["old"]}
    new = {"apiVersion": case["apiVersion"], "kind": case["kind"], **case["new"]}
    causes = validate_update(case["apiVersion"], case["kind"], old, new,
                             namespaced=case.get("namespaced", True))
    _check(causes, case["causes"])


def test_every_golden_output_is_valid() -> None:
    """Objects as the defaulting fixtures store them pass validation (no false 422s)."""
    defaults = Path(__file__).parent / "testdata" / "defaults"
    cluster_scoped = {"Namespace", "PersistentVolume", "StorageClass", "IngressClass", "PriorityClass",
                      "CustomResourceDefinition", "MutatingWebhookConfiguration"}
    for path in sorted(defaults.glob("*.out.yaml")):
        obj = yaml.safe_load(path.read_text())
        causes = validate_create(obj["apiVersion"], obj["kind"], obj,
                                 namespaced=obj["kind"] not in cluster_scoped)
        assert causes == [], (path.name, causes)


def test_update_with_itself_is_valid() -> None:
    for case in CREATE:
        if case["causes"]:
            continue
        obj = {"apiVersion": case["apiVersion"], "kind": case["kind"], **case["object"]}
        assert validate_update(case["apiVersion"], case["kind"], obj, obj,
                               namespaced=case.get("namespaced", True)) == []
