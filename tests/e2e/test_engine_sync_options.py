"""Every sync option of the Application (and per resource), proven on the embedded cluster."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import RunningCluster
from tests.e2e.engine_kit import Sandbox, current_rv, writes_since


def cm(name: str, annotations: dict[str, str] | None = None, **data: str) -> str:
    meta: dict[str, object] = {"name": name}
    if annotations:
        meta["annotations"] = annotations
    return yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data})


def managers(obj: dict[str, object]) -> set[tuple[str, str]]:
    return {(str(m["manager"]), str(m["operation"]))  # type: ignore[index]
            for m in obj["metadata"]["managedFields"]}  # type: ignore[index]


def test_create_namespace_with_managed_namespace_metadata(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({"app/cm.yaml": cm("one", a="1")})
    app = box.app(spec={"syncPolicy": {
        "syncOptions": ["CreateNamespace=true"],
        "managedNamespaceMetadata": {"labels": {"team": "shop"}, "annotations": {"owner": "ops@example.com"}}}})
    assert not box.namespace_exists()
    box.sync(app)
    ns = cluster.get_json("namespace", box.ns)
    assert ns["metadata"]["labels"]["team"] == "shop"
    assert ns["metadata"]["annotations"]["owner"] == "ops@example.com"
    assert box.get("cm", "one")["data"] == {"a": "1"}
    box.assert_no_drift(app)

    # Without CreateNamespace the namespace is not created: the sync fails before any write.
    other = box.app("nocreate", ns=box.ns + "-missing", spec={"syncPolicy": {"syncOptions": []}})
    run = box.trueup("sync", str(other))
    assert run.code == 1, run.out
    assert box.ns + "-missing" in run.out
    assert not box.namespace_exists(box.ns + "-missing")


def test_server_side_apply_is_the_default_and_replace_puts_the_whole_object(cluster: RunningCluster,
                                                                             tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({"app/cm.yaml": cm("ssa", a="1")})
    app = box.app(options=["ServerSideApply=true"])
    box.sync(app)
    assert ("trueup", "Apply") in managers(box.get("cm", "ssa"))

    # A label someone else added survives a server-side apply (the field is theirs)...
    box.kubectl("label", "cm/ssa", "-n", box.ns, "extra=kept")
    box.repo.write({"app/cm.yaml": cm("ssa", a="2")})
    box.sync(app)
    live = box.get("cm", "ssa")
    assert live["data"] == {"a": "2"} and live["metadata"]["labels"] == {"extra": "kept"}

    # ...and Replace=true replaces the whole object (PUT, operation Update): the label is gone.
    replace = box.app(options=["Replace=true"])
    box.repo.write({"app/cm.yaml": cm("ssa", a="3")})
    run = box.sync(replace, "-o", "json")
    entry = json.loads(run.stdout)["resources"][0]
    assert entry["action"] == "configured" and "replaced" in entry["message"]
    live = box.get("cm", "ssa")
    assert live["data"] == {"a": "3"} and "labels" not in live["metadata"]
    assert ("trueup", "Update") in managers(live)
    box.assert_no_drift(replace)

    # Per resource: the sync-options annotation Replace=true on one object only.
    box.repo.write({"app/cm.yaml": cm("ssa", a="4"),
                    "app/put.yaml": cm("put", {"argocd.argoproj.io/sync-options": "Replace=true"}, b="1")})
    plain = box.app()
    box.sync(plain)
    assert ("trueup", "Update") in managers(box.get("cm", "put"))
    assert ("trueup", "Apply") in managers(box.get("cm", "ssa"))


def test_apply_out_of_sync_only_writes_only_what_drifted(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({"app/a.yaml": cm("a", v="1"), "app/b.yaml": cm("b", v="1"), "app/c.yaml": cm("c", v="1")})
    ignore = [{"kind": "ConfigMap", "name": "c", "jsonPointers": ["/data/v"]}]
    app = box.app(options=["ApplyOutOfSyncOnly=true"], spec={"ignoreDifferences": ignore})
    box.sync(app)
    rv_before = {n: box.get("cm", n)["metadata"]["resourceVersion"] for n in "abc"}

    box.kubectl("patch", "cm/b", "-n", box.ns, "--type=merge", "-p", '{"data":{"v":"changed"}}')
    box.kubectl("patch", "cm/c", "-n", box.ns, "--type=merge", "-p", '{"data":{"v":"ignored"}}')
    rv_changed = {n: box.get("cm", n)["metadata"]["resourceVersion"] for n in "bc"}
    start = current_rv(cluster)
    run = box.sync(app, "-o", "json")
    actions = {r["name"]: r["action"] for r in json.loads(run.stdout)["resources"]}
    assert actions == {"a": "skipped", "b": "configured", "c": "skipped"}, run.stdout
    writes = writes_since(cluster, start, [f"/api/v1/namespaces/{box.ns}/configmaps"])
    assert [o["metadata"]["name"] for _, _, o in writes] == ["b"], writes
    assert box.get("cm", "a")["metadata"]["resourceVersion"] == rv_before["a"]
    assert box.get("cm", "b")["data"] == {"v": "1"}
    # c differs only in an ignored field: it is in sync, so it is not written and the change stays.
    assert box.get("cm", "c")["metadata"]["resourceVersion"] == rv_changed["c"]
    assert box.get("cm", "c")["data"] == {"v": "ignored"}

    # Without the option, c is applied and the ignored field is set back (Argo CD does the same
    # unless RespectIgnoreDifferences is set).
    full = box.app()
    box.sync(full)
    assert box.get("cm", "c")["data"] == {"v": "1"}


DEPLOY_WAVE1 = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: late, annotations: {argocd.argoproj.io/sync-wave: "1"}}
spec:
  replicas: 1
  selector: {matchLabels: {app: late}}
  template:
    metadata: {labels: {app: late}}
    spec: {containers: [{name: c, image: "nginx:1.27"}]}
"""


def test_prune_last_and_per_resource_prune_false(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    keep = {"argocd.argoproj.io/sync-options": "Prune=false"}
    box.repo.write({"app/gone.yaml": cm("gone", v="1"), "app/kept.yaml": cm("kept", keep, v="1"),
                    "app/stay.yaml": cm("stay", v="1")})
    app = box.app(options=["PruneLast=true"])
    box.sync(app)

    for f in ("gone.yaml", "kept.yaml"):
        (box.repo.path / "app" / f).unlink()
    box.repo.write({"app/late.yaml": DEPLOY_WAVE1, "app/stay.yaml": cm("stay", v="2")}, "drop two, add wave 1")
    start = current_rv(cluster)
    run = box.sync(app, "--prune", "-o", "json")
    result = {r["name"]: r for r in json.loads(run.stdout)["resources"]}
    assert result["gone"]["action"] == "pruned"
    assert result["kept"]["action"] == "skipped" and "Prune=false" in result["kept"]["message"]
    assert box.exists("cm", "kept") and not box.exists("cm", "gone")

    # PruneLast: the prune happened after every wave, the wave-1 Deployment's rollout included.
    writes = writes_since(cluster, start, [f"/api/v1/namespaces/{box.ns}/configmaps",
                                           f"/apis/apps/v1/namespaces/{box.ns}/deployments"])
    pruned_at = min(rv for rv, t, o in writes if o["metadata"]["name"] == "gone")
    available_at = min(rv for rv, t, o in writes if o["kind"] == "Deployment"
                       and (o.get("status") or {}).get("availableReplicas") == 1)
    stay_at = min(rv for rv, t, o in writes if o["metadata"]["name"] == "stay")
    assert stay_at < available_at < pruned_at, writes
    # What Prune=false kept is still reported (it is no longer in Git), as Argo CD reports it.
    assert box.statuses(app) == {"ConfigMap/kept": "Extra", "ConfigMap/stay": "Synced",
                                 "Deployment/late": "Synced"}


def test_validate_false_accepts_an_unknown_field(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.kubectl("apply", "-f", "-", input=json.dumps(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": box.ns}}))
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "typo"}, "data": {"a": "1"},
           "dta": {"b": "2"}}
    box.repo.write({"app/ok.yaml": cm("fine", a="1"), "app/typo.yaml": yaml.safe_dump(bad)})
    strict = box.app()
    run = box.trueup("sync", str(strict))
    assert run.code == 1, run.out
    assert "dta" in run.out and "app/typo.yaml" in run.out
    assert not box.exists("cm", "typo") and not box.exists("cm", "fine")  # nothing written

    lenient = box.app(options=["Validate=false"])
    box.sync(lenient)
    live = box.get("cm", "typo")
    assert live["data"] == {"a": "1"} and "dta" not in live
    assert box.exists("cm", "fine")
