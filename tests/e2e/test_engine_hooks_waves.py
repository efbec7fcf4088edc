"""Hook and wave order, asserted from the order of writes the API server saw (one global
resourceVersion orders every write; a watch from the resourceVersion before the sync replays them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import RunningCluster
from tests.e2e.engine_kit import Sandbox, current_rv, writes_since


def cm(name: str, wave: int) -> str:
    return yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": name, "annotations": {"argocd.argoproj.io/sync-wave": str(wave)}},
                           "data": {"wave": str(wave)}})


def job(hook: str, *, name: str = "", generate: str = "", policy: str = "", exit_code: int = 0,
        wave: int | None = None) -> str:
    ann = {"argocd.argoproj.io/hook": hook}
    if policy:
        ann["argocd.argoproj.io/hook-delete-policy"] = policy
    if wave is not None:
        ann["argocd.argoproj.io/sync-wave"] = str(wave)
    meta: dict[str, Any] = {"annotations": ann}
    if name:
        meta["name"] = name
    else:
        meta["generateName"] = generate
    pod_meta: dict[str, Any] = {"annotations": {"sim.trueup.dev/exit-code": str(exit_code)}} if exit_code else {}
    return yaml.safe_dump({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": {
        "backoffLimit": 0,
        "template": {"metadata": pod_meta, "spec": {"restartPolicy": "Never",
                                                     "containers": [{"name": "c", "image": "busybox"}]}}}})


DB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, annotations: {argocd.argoproj.io/sync-wave: "-1"}}
spec:
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "postgres:16"}]}
"""


def paths(ns: str) -> list[str]:
    return [f"/api/v1/namespaces/{ns}/configmaps", f"/apis/apps/v1/namespaces/{ns}/deployments",
            f"/apis/batch/v1/namespaces/{ns}/jobs"]


def first(events: list[tuple[int, str, dict[str, Any]]], name: str, type_: str = "ADDED") -> int:
    found = [rv for rv, t, o in events if t == type_ and o["metadata"]["name"].startswith(name)]
    assert found, f"no {type_} of {name} in {[(rv, t, o['metadata']['name']) for rv, t, o in events]}"
    return found[0]


def done(events: list[tuple[int, str, dict[str, Any]]], name: str) -> int:
    found = [rv for rv, _, o in events if o["kind"] == "Job" and o["metadata"]["name"].startswith(name)
             and (o.get("status") or {}).get("succeeded")]
    assert found, f"job {name} never succeeded"
    return found[0]


def test_phases_and_waves_in_order_each_wave_waiting_for_health(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({
        "app/pre.yaml": job("PreSync", generate="pre-", policy="HookSucceeded"),
        "app/db.yaml": DB,
        "app/first.yaml": cm("first", -1),
        "app/middle.yaml": cm("middle", 0),
        "app/last.yaml": cm("last", 1),
        "app/post.yaml": job("PostSync", name="post"),  # default policy: BeforeHookCreation
        "app/sync-hook.yaml": job("Sync", name="synchook", policy="HookFailed"),
    })
    app = box.app()
    start = current_rv(cluster)
    run = box.sync(app, "-o", "json")
    ev = writes_since(cluster, start, paths(box.ns))

    pre_added, pre_done = first(ev, "pre-"), done(ev, "pre-")
    db_available = min(rv for rv, _, o in ev if o["kind"] == "Deployment"
                       and (o.get("status") or {}).get("availableReplicas") == 2)
    order = [pre_added, pre_done, first(ev, "first"), first(ev, "db"), db_available, first(ev, "middle"),
             first(ev, "last"), first(ev, "post")]
    assert order == sorted(order), list(zip(["pre", "pre done", "first", "db", "db available", "middle", "last",
                                             "post"], order, strict=True))
    assert first(ev, "first") < db_available  # same wave: -1
    # The Sync hook runs in the Sync phase (wave 0), after wave -1 is healthy and before wave 1.
    assert db_available < first(ev, "synchook") < first(ev, "last")

    # HookSucceeded: the generateName hook is deleted once it succeeded; the others stay.
    pre_names = {o["metadata"]["name"] for _, _, o in ev if o["metadata"]["name"].startswith("pre-")}
    assert len(pre_names) == 1 and first(ev, "pre-", "DELETED") > pre_done
    assert sorted(box.names("jobs")) == ["post", "synchook"]
    result = json.loads(run.stdout)
    assert sorted((r["phase"], r["action"]) for r in result["resources"] if r["kind"] == "Job") == [
        ("PostSync", "hook-succeeded"), ("PreSync", "hook-succeeded"), ("Sync", "hook-succeeded")], result
    box.assert_no_drift(app)  # hooks are not part of the app's resources

    # Second sync: generateName gives a fresh name; BeforeHookCreation deletes the old `post` first.
    post_uid = box.get("job", "post")["metadata"]["uid"]
    again = current_rv(cluster)
    box.sync(app)
    ev2 = writes_since(cluster, again, paths(box.ns))
    pre2 = {o["metadata"]["name"] for _, _, o in ev2 if o["metadata"]["name"].startswith("pre-")}
    assert len(pre2) == 1 and pre2.isdisjoint(pre_names)
    assert first(ev2, "post", "DELETED") < first(ev2, "post")
    assert box.get("job", "post")["metadata"]["uid"] != post_uid
    # HookFailed: the succeeded Sync hook is kept, applied again unchanged (same object).
    assert box.exists("job", "synchook")


def test_failing_presync_hook_fails_the_sync_writes_nothing_and_runs_sync_fail(cluster: RunningCluster,
                                                                               tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({
        "app/migrate.yaml": job("PreSync", name="migrate", exit_code=1),
        "app/doomed.yaml": job("PreSync", name="doomed", exit_code=1, policy="HookFailed"),
        "app/db.yaml": DB,
        "app/config.yaml": cm("config", 0),
        "app/cleanup.yaml": job("SyncFail", generate="cleanup-"),
        "app/notify.yaml": job("PostSync", name="notify"),
    })
    app = box.app()
    start = current_rv(cluster)
    run = box.trueup("sync", str(app), "-o", "json")
    assert run.code == 1, run.out
    result = json.loads(run.stdout)
    assert result["phase"] == "Failed" and "PreSync" in result["message"] and "migrate" in result["message"]

    ev = writes_since(cluster, start, paths(box.ns))
    written = {o["metadata"]["name"] for _, _, o in ev}
    assert "db" not in written and "config" not in written and "notify" not in written, written
    assert not box.exists("deploy", "db") and not box.exists("cm", "config")
    # The failed hook is kept for inspection (default policy); HookFailed deleted the other one.
    failed = box.get("job", "migrate")
    assert any(c["type"] == "Failed" and c["status"] == "True" for c in failed["status"]["conditions"])
    assert first(ev, "doomed", "DELETED") > first(ev, "doomed")
    assert not box.exists("job", "doomed")
    # SyncFail hooks ran after the failure, to completion.
    migrate_failed = min(rv for rv, _, o in ev if o["metadata"]["name"] == "migrate"
                         and (o.get("status") or {}).get("failed"))
    assert migrate_failed < first(ev, "cleanup-") < done(ev, "cleanup-")
    assert [r["phase"] for r in result["resources"] if r["action"] == "hook-succeeded"] == ["SyncFail"]


NEVER_READY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 1
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}, annotations: {sim.trueup.dev/behavior: never-ready}}
    spec: {containers: [{name: app, image: "nginx:1.27"}]}
"""


def test_the_last_wave_is_not_waited_for_unless_asked(cluster: RunningCluster, tmp_path: Path) -> None:
    """As in Argo CD, a sync whose last wave runs no hook has succeeded once that wave is applied,
    even if its objects never become healthy; `--wait` waits for them and exits 1 if they don't."""
    box = Sandbox(cluster, tmp_path)
    box.repo.write({"app/stuck.yaml": NEVER_READY, "app/settings.yaml": cm("settings", 0)})
    app = box.app()
    run = box.sync(app, "-o", "json")
    result = json.loads(run.stdout)
    assert (result["phase"], result["message"]) == ("Succeeded", "successfully synced (all tasks run)"), result
    assert "notHealthy" not in result
    assert sorted((r["kind"], r["action"]) for r in result["resources"]) == [
        ("ConfigMap", "created"), ("Deployment", "created")]
    health = box.trueup("health", str(app), "-o", "json")
    assert health.code == 1 and json.loads(health.stdout)["status"] == "Progressing", health.out

    waited = box.trueup("sync", str(app), "--wait", "--timeout", "2", "-o", "json")
    assert waited.code == 1, waited.out
    again = json.loads(waited.stdout)
    assert again["phase"] == "Succeeded" and "timed out waiting for health" in again["notHealthy"], again
    assert "not healthy yet" in again["message"]
    text = box.trueup("sync", str(app), "--wait", "--timeout", "1")
    assert text.code == 1 and "not healthy yet" in text.out, text.out
