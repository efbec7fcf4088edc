"""`apply_is_noop`: skip a server-side apply only when it provably changes nothing.

The live objects below are written the way the embedded API server (and a real one) stores them
after a server-side apply by field manager `trueup`: defaulted fields the manager does not own,
a managed field set that names exactly what it applied, list-map items by key.
"""

from __future__ import annotations

import copy
from typing import Any

from trueup.diff.noop import apply_is_noop

Obj = dict[str, Any]


def deployment() -> Obj:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"},
                         "annotations": {"trueup.dev/tracking-id": "shop:apps/Deployment:shop/web"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{
                                      "name": "app", "image": "web:1.0",
                                      "ports": [{"containerPort": 8080, "name": "http"}],
                                      "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                                      "resources": {"requests": {"cpu": "100m"}}}]}}}}


def deployment_fields() -> Obj:
    container: Obj = {".": {}, "f:name": {}, "f:image": {},
                 "f:ports": {'k:{"containerPort":8080,"protocol":"TCP"}': {".": {}, "f:containerPort": {},
                                                                          "f:name": {}}},
                 "f:env": {'k:{"name":"A"}': {".": {}, "f:name": {}, "f:value": {}},
                           'k:{"name":"B"}': {".": {}, "f:name": {}, "f:value": {}}},
                 "f:resources": {"f:requests": {"f:cpu": {}}}}
    return {"f:metadata": {"f:labels": {"f:app": {}}, "f:annotations": {"f:trueup.dev/tracking-id": {}}},
            "f:spec": {"f:replicas": {}, "f:selector": {},
                       "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
                                      "f:spec": {"f:containers": {'k:{"name":"app"}': container}}}}}


def live_of(desired: Obj, fields: Obj, manager: str = "trueup", **extra_entries: Obj) -> Obj:
    live = copy.deepcopy(desired)
    meta = live["metadata"]
    meta.update(uid="0b6c", resourceVersion="42", generation=1, creationTimestamp="2026-11-26T10:00:00Z")
    entries = [{"manager": manager, "operation": "Apply", "apiVersion": desired["apiVersion"],
                "time": "2026-11-26T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields}]
    for name, f in extra_entries.items():
        entries.append({"manager": name, "operation": "Update", "apiVersion": desired["apiVersion"],
                        "time": "2026-11-26T10:05:00Z", "fieldsType": "FieldsV1", "fieldsV1": f})
    meta["managedFields"] = entries
    if live["kind"] == "Deployment":  # what the server defaults, owned by no one
        spec = live["spec"]
        spec.update(strategy={"type": "RollingUpdate"}, revisionHistoryLimit=10)
        container = spec["template"]["spec"]["containers"][0]
        container["ports"][0]["protocol"] = "TCP"
        container.update(imagePullPolicy="IfNotPresent", terminationMessagePath="/dev/termination-log")
        spec["template"]["spec"]["restartPolicy"] = "Always"
        live["status"] = {"observedGeneration": 1, "replicas": 2}
    return live


def test_the_applied_object_with_server_defaults_is_a_noop() -> None:
    desired = deployment()
    assert apply_is_noop(desired, live_of(desired, deployment_fields()), "trueup")


def test_fields_another_manager_added_beside_ours_do_not_matter() -> None:
    desired = deployment()
    live = live_of(desired, deployment_fields(), kubectl={"f:metadata": {"f:labels": {"f:team": {}}}})
    live["metadata"]["labels"]["team"] = "blue"
    live["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "C", "value": "3"})
    assert apply_is_noop(desired, live, "trueup")


def test_a_field_removed_from_git_is_not_skipped() -> None:
    desired = deployment()
    live = live_of(desired, deployment_fields())
    del desired["spec"]["template"]["spec"]["containers"][0]["env"][1]  # B no longer in Git
    assert not apply_is_noop(desired, live, "trueup")
    desired = deployment()
    del desired["metadata"]["labels"]  # a whole map removed
    assert not apply_is_noop(desired, live, "trueup")


def test_a_field_added_in_git_is_not_skipped_even_if_live_has_that_value() -> None:
    desired = deployment()
    live = live_of(desired, deployment_fields())
    desired["spec"]["revisionHistoryLimit"] = 10  # live holds 10 (defaulted), but trueup would now own it
    assert not apply_is_noop(desired, live, "trueup")


def test_a_value_changed_by_another_manager_is_not_skipped() -> None:
    desired = deployment()
    live = live_of(desired, deployment_fields())
    live["spec"]["replicas"] = 5  # kubectl scale
    assert not apply_is_noop(desired, live, "trueup")
    live = live_of(desired, deployment_fields())
    live["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = "9"
    assert not apply_is_noop(desired, live, "trueup")
    live = live_of(desired, deployment_fields())
    live["spec"]["selector"]["matchLabels"]["extra"] = "x"  # atomic: owned whole, must be equal whole
    assert not apply_is_noop(desired, live, "trueup")


def test_a_value_changed_in_git_is_not_skipped() -> None:
    desired = deployment()
    live = live_of(desired, deployment_fields())
    desired["spec"]["template"]["spec"]["containers"][0]["image"] = "web:1.1"
    assert not apply_is_noop(desired, live, "trueup")


def test_same_value_in_another_form_falls_back_to_the_server() -> None:
    """Quantities, int-or-string and numbers of another JSON type are never guessed equal."""
    desired = deployment()
    live = live_of(desired, deployment_fields())
    desired["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "0.1"
    assert not apply_is_noop(desired, live, "trueup")
    desired = deployment()
    desired["spec"]["replicas"] = 2.0
    assert not apply_is_noop(desired, live, "trueup")
    desired = deployment()
    desired["spec"]["replicas"] = "2"
    assert not apply_is_noop(desired, live, "trueup")


def test_reordered_list_items_fall_back() -> None:
    desired = deployment()
    live = live_of(desired, deployment_fields())
    env = desired["spec"]["template"]["spec"]["containers"][0]["env"]
    env.reverse()
    assert not apply_is_noop(desired, live, "trueup")


def test_no_managed_entry_or_another_manager_or_version_falls_back() -> None:
    desired = deployment()
    assert not apply_is_noop(desired, live_of(desired, deployment_fields(), manager="kubectl"), "trueup")
    live = live_of(desired, deployment_fields())
    live["metadata"]["managedFields"][0]["apiVersion"] = "apps/v1beta2"
    assert not apply_is_noop(desired, live, "trueup")
    live = live_of(desired, deployment_fields())
    del live["metadata"]["managedFields"]
    assert not apply_is_noop(desired, live, "trueup")
    assert not apply_is_noop(desired, None, "trueup")


def test_ownership_taken_by_another_manager_is_not_skipped() -> None:
    """kubectl apply --server-side --force-conflicts set replicas to the same value: trueup no longer owns it."""
    desired = deployment()
    fields = deployment_fields()
    del fields["f:spec"]["f:replicas"]
    live = live_of(desired, fields)
    assert not apply_is_noop(desired, live, "trueup")


def test_null_and_positional_items_fall_back() -> None:
    desired = deployment()
    live = live_of(desired, deployment_fields())
    desired["spec"]["paused"] = None
    assert not apply_is_noop(desired, live, "trueup")
    cm: Obj = {"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "t"}, "items": ["a"]}
    live = live_of(cm, {"f:items": {"i:0": {}}})
    assert not apply_is_noop(cm, live, "trueup")


def test_set_lists_by_value() -> None:
    desired: Obj = {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"},
                    "spec": {"finalizers": ["a", "b"]}}
    fields: Obj = {"f:spec": {"f:finalizers": {'v:"a"': {}, 'v:"b"': {}}}}
    assert apply_is_noop(desired, live_of(desired, fields), "trueup")
    live = live_of(desired, fields)
    live["spec"]["finalizers"] = ["b", "a"]
    assert not apply_is_noop(desired, live, "trueup")
    live["spec"]["finalizers"] = ["a", "c", "b"]  # another manager's item kept where it is
    assert apply_is_noop(desired, live, "trueup")


def secret() -> Obj:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"},
            "type": "Opaque", "stringData": {"password": "s3cret"}}


def secret_live(data: Obj) -> Obj:
    fields: Obj = {"f:type": {}, "f:stringData": {"f:password": {}}}
    live = live_of({k: v for k, v in secret().items() if k != "stringData"}, fields)
    live["data"] = data
    return live


def test_secret_string_data_is_compared_with_its_stored_base64() -> None:
    assert apply_is_noop(secret(), secret_live({"password": "czNjcmV0"}), "trueup")
    assert not apply_is_noop(secret(), secret_live({"password": "b3RoZXI="}), "trueup")  # "other"
    assert not apply_is_noop(secret(), secret_live({}), "trueup")
    both = secret()
    both["data"] = {"password": "czNjcmV0"}
    assert not apply_is_noop(both, secret_live({"password": "czNjcmV0"}), "trueup")


def test_an_object_being_deleted_falls_back() -> None:
    desired = deployment()
    live = live_of(desired, deployment_fields())
    live["metadata"]["deletionTimestamp"] = "2026-11-26T10:10:00Z"
    assert not apply_is_noop(desired, live, "trueup")


def test_identity_must_match() -> None:
    desired = deployment()
    live = live_of(desired, deployment_fields())
    desired["metadata"]["namespace"] = "other"
    assert not apply_is_noop(desired, live, "trueup")
    desired = deployment()
    desired["kind"] = "StatefulSet"
    assert not apply_is_noop(desired, live, "trueup")
