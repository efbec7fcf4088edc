"""The real kubectl 1.37 writing to `trueup cluster up`; every case checks the resulting objects."""

from __future__ import annotations

import json
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.conftest import RunningCluster, kubectl_path


def deployment(ns: str, name: str = "web", replicas: int = 2, image: str = "nginx:1.27",
               extra_containers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": image, "ports": [{"containerPort": 80}]},
                                        *(extra_containers or [])]},
            },
        },
    }


def apply(
    cluster: RunningCluster, obj: dict[str, Any], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return cluster.kubectl("apply", *args, "-f", "-", input=json.dumps(obj), check=check)


def test_client_side_apply_create_then_change(cluster: RunningCluster, ns: str) -> None:
    out = apply(cluster, deployment(ns)).stdout
    assert "deployment.apps/web created" in out
    first = cluster.get_json("deploy", "web", "-n", ns)
    assert first["metadata"]["generation"] == 1
    assert "kubectl.kubernetes.io/last-applied-configuration" in first["metadata"]["annotations"]
    # Server-side defaults a real cluster applies.
    spec = first["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert spec["revisionHistoryLimit"] == 10 and spec["progressDeadlineSeconds"] == 600
    container = spec["template"]["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["ports"][0]["protocol"] == "TCP"

    out = apply(cluster, deployment(ns, replicas=5, image="nginx:1.28")).stdout
    assert "deployment.apps/web configured" in out
    second = cluster.get_json("deploy", "web", "-n", ns)
    assert second["spec"]["replicas"] == 5
    assert second["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert second["metadata"]["generation"] == 2
    assert int(second["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])
    out = apply(cluster, deployment(ns, replicas=5, image="nginx:1.28")).stdout
    assert "deployment.apps/web unchanged" in out
    third = cluster.get_json("deploy", "web", "-n", ns)
    # Unchanged: no new generation and the same last-applied configuration (the deployment
    # controller keeps writing status, so resourceVersions move on their own here).
    assert third["metadata"]["generation"] == 2
    assert third["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] == \
        second["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]


def test_client_side_apply_removes_field_dropped_from_manifest(cluster: RunningCluster, ns: str) -> None:
    sidecar = {"name": "sidecar", "image": "busybox:1.36"}
    apply(cluster, deployment(ns, "two", extra_containers=[sidecar]))
    assert len(cluster.get_json("deploy", "two", "-n", ns)["spec"]["template"]["spec"]["containers"]) == 2
    apply(cluster, deployment(ns, "two"))
    containers = cluster.get_json("deploy", "two", "-n", ns)["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["main"]


def test_server_side_apply_conflict_then_force(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, deployment(ns, "ssa", replicas=2), "--server-side")
    obj = cluster.get_json("deploy", "ssa", "-n", ns, "--show-managed-fields")
    managers = {(m["manager"], m["operation"]) for m in obj["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers
    cluster.kubectl("scale", "deploy/ssa", "-n", ns, "--replicas=4")
    proc = apply(cluster, deployment(ns, "ssa", replicas=3), "--server-side", check=False)
    assert proc.returncode != 0
    assert "conflict" in proc.stderr.lower() and ".spec.replicas" in proc.stderr
    assert cluster.get_json("deploy", "ssa", "-n", ns)["spec"]["replicas"] == 4
    apply(cluster, deployment(ns, "ssa", replicas=3), "--server-side", "--force-conflicts")
    after = cluster.get_json("deploy", "ssa", "-n", ns, "--show-managed-fields")
    assert after["spec"]["replicas"] == 3
    apply_entry = next(m for m in after["metadata"]["managedFields"] if m["manager"] == "kubectl")
    assert "f:replicas" in apply_entry["fieldsV1"]["f:spec"]


def test_diff_exit_codes(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, deployment(ns, "d"))
    same = cluster.kubectl("diff", "-f", "-", input=json.dumps(deployment(ns, "d")), check=False)
    assert same.returncode == 0, same.stderr + same.stdout
    changed = cluster.kubectl("diff", "-f", "-", input=json.dumps(deployment(ns, "d", replicas=7)), check=False)
    assert changed.returncode == 1, changed.stderr
    assert "-  replicas: 2" in changed.stdout and "+  replicas: 7" in changed.stdout
    # diff is a dry run: nothing changed.
    assert cluster.get_json("deploy", "d", "-n", ns)["spec"]["replicas"] == 2
    new = cluster.kubectl("diff", "-f", "-", input=json.dumps(deployment(ns, "brand-new")), check=False)
    assert new.returncode == 1
    assert cluster.kubectl("get", "deploy", "brand-new", "-n", ns, check=False).returncode == 1


def test_edit_with_editor_script(cluster: RunningCluster, ns: str, tmp_path: Path) -> None:
    apply(cluster, deployment(ns, "ed"))
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/nginx:1.27/nginx:1.29/' \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    cluster.kubectl("edit", "deploy/ed", "-n", ns, env={"KUBE_EDITOR": str(editor), "EDITOR": str(editor)})
    obj = cluster.get_json("deploy", "ed", "-n", ns, "--show-managed-fields")
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.29"
    assert any(m["manager"] == "kubectl-edit" for m in obj["metadata"]["managedFields"])


def test_scale_and_set_image(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, deployment(ns, "sc"))
    cluster.kubectl("scale", "deploy/sc", "-n", ns, "--replicas=6")
    obj = cluster.get_json("deploy", "sc", "-n", ns, "--show-managed-fields")
    assert obj["spec"]["replicas"] == 6
    scale_entry = [m for m in obj["metadata"]["managedFields"] if m.get("subresource") == "scale"]
    assert scale_entry and scale_entry[0]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    cluster.kubectl("set", "image", "deploy/sc", "-n", ns, "main=nginx:1.30")
    obj = cluster.get_json("deploy", "sc", "-n", ns)
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.30"
    assert obj["metadata"]["generation"] == 3


def test_label_and_annotate(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, deployment(ns, "lb"))
    cluster.kubectl("label", "deploy/lb", "-n", ns, "team=payments")
    cluster.kubectl("annotate", "deploy/lb", "-n", ns, "owner=alice")
    meta = cluster.get_json("deploy", "lb", "-n", ns)["metadata"]
    assert meta["labels"]["team"] == "payments" and meta["annotations"]["owner"] == "alice"
    cluster.kubectl("label", "deploy/lb", "-n", ns, "team-")
    assert "team" not in cluster.get_json("deploy", "lb", "-n", ns)["metadata"]["labels"]


def test_patch_json_merge_strategic(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, deployment(ns, "p", extra_containers=[{"name": "side", "image": "busybox:1"}]))
    cluster.kubectl("patch", "deploy/p", "-n", ns, "--type=json",
                    "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]')
    assert cluster.get_json("deploy", "p", "-n", ns)["spec"]["replicas"] == 4
    cluster.kubectl("patch", "deploy/p", "-n", ns, "--type=merge", "-p", '{"metadata":{"labels":{"m":"1"}}}')
    assert cluster.get_json("deploy", "p", "-n", ns)["metadata"]["labels"]["m"] == "1"
    # Strategic: merges the container list by name (a merge patch would replace the whole list).
    cluster.kubectl("patch", "deploy/p", "-n", ns,
                    "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:2"}]}}}}')
    containers = cluster.get_json("deploy", "p", "-n", ns)["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("main", "nginx:1.27"), ("side", "busybox:2")]
    bad = cluster.kubectl("patch", "deploy/p", "-n", ns, "--type=json",
                          "-p", '[{"op":"test","path":"/spec/replicas","value":99}]', check=False)
    assert bad.returncode != 0
    assert cluster.get_json("deploy", "p", "-n", ns)["spec"]["replicas"] == 4


def test_replace(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, deployment(ns, "r"))
    obj = cluster.get_json("deploy", "r", "-n", ns)
    obj["spec"]["replicas"] = 9
    obj["metadata"]["labels"]["replaced"] = "yes"
    cluster.kubectl("replace", "-f", "-", input=json.dumps(obj))
    after = cluster.get_json("deploy", "r", "-n", ns)
    assert after["spec"]["replicas"] == 9 and after["metadata"]["labels"]["replaced"] == "yes"
    # A stale resourceVersion is refused.
    stale = cluster.kubectl("replace", "-f", "-", input=json.dumps(obj), check=False)
    assert stale.returncode != 0 and "the object has been modified" in stale.stderr


def test_delete_with_finalizer_holds_object_until_removed(cluster: RunningCluster, ns: str) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "held", "namespace": ns, "finalizers": ["example.com/hold"]}}
    apply(cluster, cm)
    cluster.kubectl("delete", "cm", "held", "-n", ns, "--wait=false")
    held = cluster.get_json("cm", "held", "-n", ns)
    assert held["metadata"]["deletionTimestamp"]
    assert held["metadata"]["finalizers"] == ["example.com/hold"]
    cluster.kubectl("patch", "cm", "held", "-n", ns, "--type=json", "-p",
                    '[{"op":"remove","path":"/metadata/finalizers"}]')
    assert cluster.kubectl("get", "cm", "held", "-n", ns, check=False).returncode == 1


def test_delete_propagation_policies(cluster: RunningCluster, ns: str) -> None:
    for name in ("bg", "fg", "or"):
        apply(cluster, deployment(ns, name))
    cluster.kubectl("delete", "deploy", "bg", "-n", ns, "--cascade=background")
    assert cluster.kubectl("get", "deploy", "bg", "-n", ns, check=False).returncode == 1
    cluster.kubectl("delete", "deploy", "fg", "-n", ns, "--cascade=foreground", "--wait=false")
    cluster.kubectl("delete", "deploy", "or", "-n", ns, "--cascade=orphan", "--wait=false")
    remaining = {d["metadata"]["name"]: d["metadata"] for d in cluster.get_json("deploy", "-n", ns)["items"]}
    # Without dependents the garbage collector finishes these at once; until it runs the
    # object carries the propagation finalizer and a deletionTimestamp.
    for name, finalizer in (("fg", "foregroundDeletion"), ("or", "orphan")):
        if name in remaining:
            assert finalizer in remaining[name].get("finalizers", [])
            assert remaining[name]["deletionTimestamp"]


def test_wait_and_rollout_status_follow_status_updates(bare_cluster: RunningCluster, bare_ns: str) -> None:
    """With no controllers running, the test plays the deployment controller by hand."""
    cluster, ns = bare_cluster, bare_ns
    apply(cluster, deployment(ns, "rs", replicas=1))
    base = [kubectl_path(), f"--kubeconfig={cluster.kubeconfig}", f"--cache-dir={cluster.cache_dir}", "-n", ns]
    waiter = subprocess.Popen([*base, "wait", "--for=condition=Available", "deploy/rs", "--timeout=30s"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    roller = subprocess.Popen([*base, "rollout", "status", "deploy/rs", "--timeout=30s"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    assert waiter.poll() is None and roller.poll() is None
    gen = cluster.get_json("deploy", "rs", "-n", ns)["metadata"]["generation"]
    status = {"status": {
        "observedGeneration": gen, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1,
        "availableReplicas": 1,
        "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                        "message": "Deployment has minimum availability."},
                       {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                        "message": "ReplicaSet has successfully progressed."}]}}
    cluster.kubectl("patch", "deploy/rs", "-n", ns, "--subresource=status", "--type=merge", "-p", json.dumps(status))
    w_out, w_err = waiter.communicate(timeout=30)
    r_out, r_err = roller.communicate(timeout=30)
    assert waiter.returncode == 0, w_err
    assert "condition met" in w_out
    assert roller.returncode == 0, r_err
    assert "successfully rolled out" in r_out
    # The status write did not touch the spec.
    assert cluster.get_json("deploy", "rs", "-n", ns)["spec"]["replicas"] == 1


def test_unknown_field_is_rejected_by_strict_validation(cluster: RunningCluster, ns: str) -> None:
    bad = deployment(ns, "strict")
    bad["spec"]["replicaz"] = 3
    proc = apply(cluster, bad, check=False)
    assert proc.returncode != 0
    assert 'unknown field "spec.replicaz"' in proc.stderr
    assert cluster.kubectl("get", "deploy", "strict", "-n", ns, check=False).returncode == 1


def test_invalid_object_is_refused_with_field_path(cluster: RunningCluster, ns: str) -> None:
    bad = deployment(ns, "Invalid_Name")
    proc = apply(cluster, bad, check=False)
    assert proc.returncode != 0
    assert "metadata.name" in proc.stderr
    assert cluster.kubectl("get", "deploy", "-n", ns, "-o", "name").stdout.strip() == ""


def test_apply_list_document_validates_each_item_on_the_server(cluster: RunningCluster, ns: str) -> None:
    items = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"l{i}", "namespace": ns},
              "data": {"i": str(i)}} for i in range(3)]
    out = apply(cluster, {"apiVersion": "v1", "kind": "List", "items": items}).stdout
    assert out.count("created") == 3
    assert [c["data"]["i"] for c in cluster.get_json("cm", "-n", ns)["items"]] == ["0", "1", "2"]
    bad = {"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap",
                                                           "metadata": {"name": "l9", "namespace": ns},
                                                           "datax": {"i": "9"}}]}
    proc = apply(cluster, bad, check=False)
    assert proc.returncode != 0 and 'unknown field "datax"' in proc.stderr


def test_kubectl_create_subcommands_that_send_protobuf(cluster: RunningCluster) -> None:
    """`kubectl create namespace|configmap|secret|deployment` only send protobuf bodies."""
    name = f"pb-{time.monotonic_ns() % 10**8}"
    cluster.kubectl("create", "namespace", name)
    assert cluster.get_json("ns", name)["status"]["phase"] == "Active"
    cluster.kubectl("create", "configmap", "cfg", "-n", name, "--from-literal=a=b", "--from-literal=c=d")
    assert cluster.get_json("cm", "cfg", "-n", name)["data"] == {"a": "b", "c": "d"}
    cluster.kubectl("create", "secret", "generic", "s1", "-n", name, "--from-literal=pw=hunter2")
    secret = cluster.get_json("secret", "s1", "-n", name)
    assert secret["type"] == "Opaque" and secret["data"] == {"pw": "aHVudGVyMg=="}
    cluster.kubectl("create", "deployment", "web", "-n", name, "--image=nginx:1.27", "--replicas=2", "--port=80")
    deploy = cluster.get_json("deploy", "web", "-n", name)
    assert deploy["spec"]["replicas"] == 2
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert (container["name"], container["image"]) == ("nginx", "nginx:1.27")
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert deploy["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    # Kinds the decoder does not know are refused with a message saying what to do, not guessed.
    proc = cluster.kubectl("create", "serviceaccount", "sa1", "-n", name, check=False)
    if proc.returncode != 0:
        assert "send JSON or YAML" in proc.stderr
