"""Health codes, their order, the roll-up, an application's health, and the package surface."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from tests.unit.health.helpers import TESTDATA

import trueup.health as health
from trueup.health import (
    ORDER,
    HealthResult,
    HealthStatus,
    ObjectFileError,
    ResourceHealth,
    app_health,
    check_file,
    is_worse,
    roll_up,
)
from trueup.model import ResourceKey

H, S, P, M, D, U = (HealthStatus.HEALTHY, HealthStatus.SUSPENDED, HealthStatus.PROGRESSING,
                    HealthStatus.MISSING, HealthStatus.DEGRADED, HealthStatus.UNKNOWN)


def test_codes_are_spelled_as_argo_cd() -> None:
    assert [c.value for c in ORDER] == ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"]


@pytest.mark.parametrize(("better", "worse"), list(itertools.combinations(ORDER, 2)))
def test_is_worse_follows_argo_order(better: HealthStatus, worse: HealthStatus) -> None:
    assert is_worse(better, worse) and not is_worse(worse, better)


@pytest.mark.parametrize(("results", "expected"), [
    ([], H),
    ([None, None], H),
    ([HealthResult(H), HealthResult(S)], S),
    ([HealthResult(S), HealthResult(P), None], P),
    ([HealthResult(P), HealthResult(M)], M),
    ([HealthResult(M), HealthResult(D), HealthResult(H)], D),
    ([HealthResult(D), HealthResult(U)], U),
    ([H, D, P], D),
])
def test_roll_up_keeps_the_worst(results: list[HealthResult | HealthStatus | None], expected: HealthStatus) -> None:
    assert roll_up(results) is expected


def res(kind: str, status: HealthStatus | None, *, group: str = "apps", exists: bool = True, has_check: bool = True,
        hook: bool = False) -> ResourceHealth:
    result = HealthResult(status) if status is not None else None
    return ResourceHealth(ResourceKey(group, kind, "shop", kind.lower()), result, exists=exists,
                          has_check=has_check, hook=hook)


def test_app_missing_resource_does_not_hide_the_others() -> None:
    assert app_health([res("Deployment", P), res("StatefulSet", None, exists=False)]) is P


def test_app_is_missing_only_when_everything_is_missing() -> None:
    resources = [res("Deployment", None, exists=False), res("ConfigMap", None, group="", exists=False)]
    assert app_health(resources) is M


def test_app_with_a_present_unchecked_resource_is_not_missing() -> None:
    resources = [res("Deployment", None, exists=False), res("ConfigMap", None, group="")]
    assert app_health(resources) is H


def test_app_missing_counts_for_checked_kinds_in_checked_mode() -> None:
    resources = [res("Deployment", H), res("StatefulSet", None, exists=False),
                 res("ConfigMap", None, group="", exists=False, has_check=False)]
    assert app_health(resources, missing="checked") is M


def test_app_skips_hooks_and_unhealthy_child_apps() -> None:
    resources = [res("Deployment", H), res("Job", D, group="batch", hook=True),
                 res("Application", U, group="argoproj.io"), res("Application", M, group="argoproj.io")]
    assert app_health(resources) is H


def test_app_counts_degraded_child_app() -> None:
    assert app_health([res("Deployment", H), res("Application", D, group="argoproj.io")]) is D


def test_check_file_rejects_two_objects(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\n")
    with pytest.raises(ObjectFileError, match=r"two\.yaml: expected exactly one object, found 2"):
        check_file(path)


def test_check_file_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ObjectFileError, match=r"live\.yaml: cannot read the object file"):
        check_file(tmp_path / "live.yaml")


def test_check_file_rejects_non_objects(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(ObjectFileError, match="not a Kubernetes object"):
        check_file(path)


def test_check_file_accepts_json_and_a_list_of_one(tmp_path: Path) -> None:
    path = tmp_path / "pvc.json"
    path.write_text('{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1",'
                    ' "kind": "PersistentVolumeClaim", "metadata": {"name": "d"}, "status": {"phase": "Lost"}}]}')
    result = check_file(path)
    assert result is not None and result.status is D


def test_check_file_with_checks_dir_uses_custom_checks() -> None:
    result = check_file(TESTDATA / "deployment-healthy.yaml", checks_dir=TESTDATA / "cel")
    assert result == HealthResult(H, "")


def test_public_names_are_exported() -> None:
    assert sorted(health.__all__) == sorted(set(health.__all__))
    for name in health.__all__:
        assert getattr(health, name) is not None
