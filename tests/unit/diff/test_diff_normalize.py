"""Normalization and quantities: what never counts as drift, and what still does."""

from __future__ import annotations

from fractions import Fraction

import pytest
from tests.unit.diff.helpers import load, scenario

from trueup.diff import SyncStatus, canonical_quantity, compare, normalize, parse_quantity


def test_server_metadata_status_and_last_applied_are_dropped() -> None:
    live = load("deployment-old-server-live.yaml")
    live["metadata"].update(deletionTimestamp="2026-01-01T00:00:00Z", deletionGracePeriodSeconds=0)
    obj = normalize(live)
    assert "status" not in obj
    assert set(obj["metadata"]) == {"annotations", "labels", "name", "namespace"}
    assert obj["metadata"]["annotations"] == {
        "deployment.kubernetes.io/revision": "1", "trueup.dev/tracking-id": "shop:apps/Deployment:shop/web"}
    template = obj["spec"]["template"]
    assert template["metadata"] == {"labels": {"app": "web"}}
    assert "securityContext" not in template["spec"]


@pytest.mark.parametrize(("left", "right"), [
    ("1024Mi", "1Gi"), ("0.5", "500m"), ("1000m", "1"), (1, "1"), ("1.5Gi", "1536Mi"), ("1e3", "1k"),
    ("2048", "2Ki"), ("0.1", "100m"), (0.25, "250m"), ("1G", "1000M"),
])
def test_equivalent_quantities_have_one_canonical_form(left: object, right: object) -> None:
    assert canonical_quantity(left) == canonical_quantity(right)


@pytest.mark.parametrize(("left", "right"), [("1Gi", "1G"), ("100m", "1"), ("512Mi", "0.5G")])
def test_different_quantities_stay_different(left: str, right: str) -> None:
    assert canonical_quantity(left) != canonical_quantity(right)


def test_quantity_parsing() -> None:
    assert parse_quantity("1Gi") == 2**30
    assert parse_quantity("-250m") == Fraction(-1, 4)
    assert parse_quantity("12e-3") == Fraction(12, 1000)
    for not_a_quantity in ("web", "1.2.3", "", True, None, "10%"):
        assert parse_quantity(not_a_quantity) is None
    assert canonical_quantity("25%") == "25%"


def test_quantity_spellings_in_resources_are_not_drift_but_a_real_change_is() -> None:
    desired, _, live = scenario("synced")
    container = desired["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"] == {"memory": "1024Mi", "cpu": "0.5"}
    assert compare(desired, None, live).status is SyncStatus.SYNCED
    container["resources"]["limits"]["memory"] = "1G"
    diff = compare(desired, None, live)
    assert diff.changed_paths == ['.spec.template.spec.containers[name="web"].resources.limits.memory']
    assert (diff.changes[0].before, diff.changes[0].after) == ("1Gi", "1G")


def test_quantity_like_strings_outside_quantity_fields_are_kept_verbatim() -> None:
    obj = normalize({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"size": "1024Mi"}})
    assert obj["data"] == {"size": "1024Mi"}


def test_integral_floats_equal_ints_but_strings_and_bools_do_not() -> None:
    desired, _, live = scenario("synced")
    desired["spec"]["replicas"] = 2.0
    assert compare(desired, None, live).status is SyncStatus.SYNCED
    desired["spec"]["replicas"] = "2"
    assert compare(desired, None, live).changed_paths == [".spec.replicas"]
    service, service_live = load("service-desired.yaml"), load("service-live.yaml")
    service["spec"]["ports"][0]["targetPort"] = "8080"  # a port *name*, not the number 8080
    assert compare(service, None, service_live).changed_paths == ['.spec.ports[port=80,protocol="TCP"].targetPort']


def test_empty_values_equal_absent_ones() -> None:
    desired, _, live = scenario("synced")
    pod = desired["spec"]["template"]["spec"]
    pod["volumes"] = []
    pod["nodeSelector"] = {}
    pod["affinity"] = None
    desired["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
    assert compare(desired, None, live).status is SyncStatus.SYNCED


def test_string_data_is_folded_into_data() -> None:
    obj = normalize(load("secret-desired.yaml"))
    assert "stringData" not in obj
    assert obj["data"] == {"username": "YWRtaW4=", "password": "czNjcjN0LWh1bnRlcjI="}
