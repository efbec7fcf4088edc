"""Drift: what a user sees after syncing, and after each kind of out-of-band change."""

from __future__ import annotations

import pytest
from tests.unit.diff.helpers import load, scenario

from trueup.diff import ChangeAction, DiffError, DiffMode, SyncStatus, compare
from trueup.model import Manifest, ResourceKey

WEB = ResourceKey("apps", "Deployment", "shop", "web")


@pytest.mark.parametrize("predicted", [True, False], ids=["server-side", "legacy"])
def test_deployment_as_the_api_server_defaults_it_is_synced(predicted: bool) -> None:
    desired, prediction, live = scenario("synced")
    diff = compare(desired, prediction if predicted else None, live)
    assert diff.key == WEB
    assert diff.status is SyncStatus.SYNCED
    assert diff.changes == ()
    assert diff.mode is (DiffMode.SERVER_SIDE if predicted else DiffMode.LEGACY)


def test_older_server_output_with_status_last_applied_and_null_timestamps_is_synced() -> None:
    diff = compare(load("deployment-desired.yaml"), None, load("deployment-old-server-live.yaml"))
    assert diff.status is SyncStatus.SYNCED, [c.path for c in diff.changes]


# (scenario, human path, JSON pointer, live value, desired value, manager)
KUBECTL_CHANGES = [
    ("set-image", '.spec.template.spec.containers[name="web"].image', "/spec/template/spec/containers/0/image",
     "registry.example/web:1.5.0-hotfix", "registry.example/web:1.4.2", "kubectl-set"),
    ("scale", ".spec.replicas", "/spec/replicas", 5, 2, "kubectl"),
    ("label-overwrite", ".metadata.labels.app", "/metadata/labels/app", "web-canary", "web", "kubectl-label"),
    ("edit", '.spec.template.spec.containers[name="web"].env[name="MODE"].value',
     "/spec/template/spec/containers/0/env/0/value", "debug", "production", "kubectl-edit"),
    ("hpa", ".spec.replicas", "/spec/replicas", 4, 2, "horizontal-pod-autoscaler"),
]


@pytest.mark.parametrize("predicted", [True, False], ids=["server-side", "legacy"])
@pytest.mark.parametrize(("name", "path", "pointer", "before", "after", "manager"), KUBECTL_CHANGES,
                         ids=[c[0] for c in KUBECTL_CHANGES])
def test_out_of_band_change_is_exactly_that_field_and_names_who_made_it(
    predicted: bool, name: str, path: str, pointer: str, before: object, after: object, manager: str,
) -> None:
    desired, prediction, live = scenario(name)
    diff = compare(desired, prediction if predicted else None, live)
    assert diff.status is SyncStatus.OUT_OF_SYNC
    assert diff.changed_paths == [path]
    (change,) = diff.changes
    assert change.pointer == pointer
    assert change.action is ChangeAction.CHANGED
    assert (change.before, change.after) == (before, after)
    assert change.changed_by is not None and change.changed_by.manager == manager
    assert diff.managers == [manager]


def test_scale_is_reported_with_the_scale_subresource() -> None:
    diff = compare(*scenario("scale"))
    owner = diff.changes[0].changed_by
    assert owner is not None
    assert (owner.manager, owner.operation, owner.subresource) == ("kubectl", "Update", "scale")


def test_field_removed_from_git_shows_as_removed_when_the_server_would_prune_it() -> None:
    diff = compare(*scenario("removed-from-git"))
    assert diff.status is SyncStatus.OUT_OF_SYNC
    (change,) = diff.changes
    assert change.path == '.metadata.annotations["example.com/owner"]'
    assert change.pointer == "/metadata/annotations/example.com~1owner"
    assert change.action is ChangeAction.REMOVED
    assert change.before == "team-a"
    assert change.changed_by is not None and change.changed_by.manager == "trueup"


def test_field_removed_from_git_is_invisible_offline_as_in_argo_cd_legacy_diff() -> None:
    desired, _, live = scenario("removed-from-git")
    assert compare(desired, None, live).status is SyncStatus.SYNCED


@pytest.mark.parametrize("predicted", [True, False], ids=["server-side", "legacy"])
def test_label_added_by_another_manager_is_not_drift(predicted: bool) -> None:
    desired, _, live = scenario("synced")
    live["metadata"]["labels"]["team"] = "payments"
    prediction = load("deployment-synced-predicted.yaml")
    prediction["metadata"]["labels"]["team"] = "payments"  # the server keeps another manager's label
    assert compare(desired, prediction if predicted else None, live).status is SyncStatus.SYNCED


def test_service_cluster_ip_and_port_defaults_are_not_drift() -> None:
    diff = compare(load("service-desired.yaml"), None, load("service-live.yaml"))
    assert diff.status is SyncStatus.SYNCED


def test_service_port_is_matched_by_port_and_protocol_not_position() -> None:
    diff = compare(load("service-desired.yaml"), None, load("service-edited-live.yaml"))
    assert diff.status is SyncStatus.OUT_OF_SYNC
    assert diff.changed_paths == ['.spec.ports[port=80,protocol="TCP"].targetPort']
    change = diff.changes[0]
    assert (change.before, change.after) == (8081, 8080)
    assert change.changed_by is not None and change.changed_by.manager == "kubectl-edit"


def test_injected_container_in_live_is_not_drift_offline_but_a_changed_image_is() -> None:
    diff = compare(load("deployment-sidecar-desired.yaml"), None, load("deployment-sidecar-live.yaml"))
    assert diff.changed_paths == ['.spec.template.spec.containers[name="proxy"].image']
    assert diff.changes[0].changed_by is not None
    assert diff.changes[0].changed_by.manager == "mesh-injector"


def test_missing_and_extra() -> None:
    desired, _, live = scenario("synced")
    missing = compare(Manifest(desired, source="apps/web.yaml", line=3), None, None)
    assert missing.status is SyncStatus.MISSING
    assert missing.live is None and missing.target is not None
    assert missing.to_dict()["source"] == "apps/web.yaml:3"
    extra = compare(None, None, live)
    assert extra.status is SyncStatus.EXTRA
    assert extra.key == WEB and extra.target is None
    with pytest.raises(DiffError, match="neither a desired nor a live object"):
        compare(None, None, None)


def test_container_added_in_git_is_one_added_item() -> None:
    desired, _, live = scenario("synced")
    desired["spec"]["template"]["spec"]["containers"].insert(0, {"name": "init-db", "image": "busybox:1.36"})
    diff = compare(desired, None, live)
    (change,) = diff.changes
    assert change.path == '.spec.template.spec.containers[name="init-db"]'
    assert diff.target is not None
    index = int(change.pointer.rsplit("/", 1)[1])  # the pointer locates the item in the target object
    assert change.pointer.startswith("/spec/template/spec/containers/")
    assert diff.target["spec"]["template"]["spec"]["containers"][index]["name"] == "init-db"
    assert change.action is ChangeAction.ADDED
    assert change.after == {"name": "init-db", "image": "busybox:1.36"}
    assert change.changed_by is None


def test_tracking_annotation_of_another_app_is_drift() -> None:
    desired, predicted, live = scenario("synced")
    live["metadata"]["annotations"]["trueup.dev/tracking-id"] = "other:apps/Deployment:shop/web"
    diff = compare(desired, predicted, live)
    assert diff.changed_paths == ['.metadata.annotations["trueup.dev/tracking-id"]']


def test_inputs_are_not_modified() -> None:
    desired, predicted, live = scenario("scale")
    copies = [repr(o) for o in (desired, predicted, live)]
    compare(desired, predicted, live)
    compare(desired, None, live)
    assert [repr(o) for o in (desired, predicted, live)] == copies


def test_field_removed_from_git_but_kept_by_the_server_for_a_co_owner_is_not_drift() -> None:
    desired, _, live = scenario("removed-from-git")
    # another manager also owns the annotation, so the dry run keeps it: a sync would not remove it
    predicted = load("deployment-removed-from-git-live.yaml")
    assert predicted["metadata"]["annotations"]["example.com/owner"] == "team-a"
    assert compare(desired, predicted, live).status is SyncStatus.SYNCED
