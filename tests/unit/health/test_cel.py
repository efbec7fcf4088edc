"""Flux-style CEL health checks (healthCheckExprs) and the checks directory loader."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.health.helpers import TESTDATA, load

from trueup.health import HealthCheckError, HealthRegistry, HealthStatus, assess, load_checks, registry_for


@pytest.fixture(scope="module")
def registry() -> HealthRegistry:
    return registry_for(TESTDATA / "cel")


def widget(**status: Any) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "generation": 2},
            "spec": {}, "status": status}


READY = {"type": "Ready", "status": "True"}
NOT_READY = {"type": "Ready", "status": "False"}


@pytest.mark.parametrize(("status", "expected"), [
    ({"conditions": [READY]}, "Healthy"),
    ({"conditions": [NOT_READY]}, "Degraded"),
    ({"phase": "Resizing", "conditions": [READY]}, "Progressing"),  # inProgress wins over current
    ({"conditions": []}, "Progressing"),  # nothing true yet
    ({"observedGeneration": 1, "conditions": [READY]}, "Progressing"),  # not yet observed
    ({"observedGeneration": 2, "conditions": [READY]}, "Healthy"),
])
def test_expressions_in_flux_order(registry: HealthRegistry, status: dict[str, Any], expected: str) -> None:
    result = assess(widget(**status), registry)
    assert result is not None and result.status.value == expected


def test_matched_expression_is_named_in_the_message(registry: HealthRegistry) -> None:
    result = assess(widget(conditions=[NOT_READY]), registry)
    assert result is not None
    assert result.message == (
        "failed expression matched: status.conditions.exists(c, c.type == 'Ready' && c.status == 'False')")


def test_cel_overrides_the_generic_fallback() -> None:
    obj = widget(phase="Resizing", conditions=[READY])
    generic, cel = assess(obj), assess(obj, registry_for(TESTDATA / "cel"))
    assert generic is not None and generic.status is HealthStatus.HEALTHY
    assert cel is not None and cel.status is HealthStatus.PROGRESSING


def test_missing_field_waits_like_flux(registry: HealthRegistry) -> None:
    result = assess({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "status": {}},
                    registry)
    assert result is not None and result.status is HealthStatus.PROGRESSING
    assert "could not be evaluated" in result.message and "has()" in result.message


@pytest.mark.parametrize(("teeth", "expected"), [(12, "Healthy"), (3, "Progressing")])
def test_exprs_from_a_flux_kustomization(registry: HealthRegistry, teeth: int, expected: str) -> None:
    obj = {"apiVersion": "ex.trueup.test/v1", "kind": "Sprocket", "metadata": {"name": "s"},
           "spec": {"teeth": 12}, "status": {"teeth": teeth}}
    result = assess(obj, registry)
    assert result is not None and result.status.value == expected


@pytest.mark.parametrize(("group", "up", "expected"), [
    ("wild.trueup.test", True, "Healthy"), ("wild.trueup.test", False, "Degraded"), ("tame.trueup.test", True, None),
])
def test_argocd_cm_wildcard_key(registry: HealthRegistry, group: str, up: bool, expected: str | None) -> None:
    obj = {"apiVersion": f"{group}/v1", "kind": "Anything", "metadata": {"name": "a"}, "spec": {}, "status": {"up": up}}
    result = assess(obj, registry)
    assert (result.status.value if result else None) == expected


def test_compile_error_names_file_entry_and_expression() -> None:
    with pytest.raises(HealthCheckError) as caught:
        load_checks(TESTDATA / "cel-bad")
    message = str(caught.value)
    assert "bad.yaml: healthCheckExprs[0]" in message and "`status.ready ==`" in message
    assert "current expression" in message and "example.com/v1 Widget" in message


def test_current_is_required() -> None:
    with pytest.raises(HealthCheckError, match=r"nocurrent\.yaml: healthCheckExprs\[0\].*current is required"):
        load_checks(TESTDATA / "cel-nocurrent")


def test_unrelated_yaml_in_checks_dir_is_an_error(tmp_path: Any) -> None:
    (tmp_path / "notes.yaml").write_text("title: my notes\n")
    with pytest.raises(HealthCheckError, match=r"notes\.yaml: not a health check file"):
        load_checks(tmp_path)


def test_missing_checks_dir_is_an_error(tmp_path: Any) -> None:
    with pytest.raises(HealthCheckError, match="does not exist"):
        registry_for(tmp_path / "nope")


def test_builtin_kinds_unaffected_by_cel_dir(registry: HealthRegistry) -> None:
    result = assess(load("deployment-degraded-deadline.yaml"), registry)
    assert result is not None and result.status is HealthStatus.DEGRADED
