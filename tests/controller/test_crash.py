"""Crash recovery with a real `kill -9`: `trueup up` killed mid-sync (wave 1 waiting on a Deployment
that takes seconds to become Available), then restarted. An operation in progress is resumed or
marked failed, never left half-applied without a word; no bogus history entry; every object once.

Three apps are mid-sync when the process dies: an automated one (resumed: auto-sync would redo it),
one whose auto-sync is turned off while trueup is down (marked Failed, not redone) and a manual
`operation.sync` (still requested, so resumed and then cleared)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningCluster, eventually, start_cluster, stop_cluster
from tests.controller.upproc import UpProcess
from tests.e2e.gitrepo import GitRepo

TRACKING = "trueup.dev/tracking-id"


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[RunningCluster]:
    c = start_cluster(tmp_path / "cluster", timeout=60)
    yield c
    stop_cluster(c)


def _waves(prefix: str) -> dict[str, str]:
    """wave 0: a ConfigMap; wave 1: a Deployment Available only after minReadySeconds; wave 2: a ConfigMap."""
    return {
        f"{prefix}/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n"
                            "  annotations: {argocd.argoproj.io/sync-wave: '0'}\ndata: {k: v}\n",
        f"{prefix}/b.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: slow
  annotations: {argocd.argoproj.io/sync-wave: '1'}
spec:
  replicas: 1
  minReadySeconds: 15
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
""",
        f"{prefix}/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last\n"
                            "  annotations: {argocd.argoproj.io/sync-wave: '2'}\ndata: {k: v}\n",
    }


def _app(name: str, repo: GitRepo, path: str, dest: str, automated: bool = True) -> str:
    policy: dict[str, Any] = {"syncOptions": ["CreateNamespace=true"]}
    if automated:
        policy["automated"] = {"prune": True, "selfHeal": True}
    return json.dumps({
        "apiVersion": "trueup.dev/v1alpha1", "kind": "Application", "metadata": {"name": name, "namespace": "trueup"},
        "spec": {"project": "default", "source": {"repoURL": str(repo.path), "targetRevision": "main", "path": path},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": dest},
                 "syncPolicy": policy}})


def _status(kube: RunningCluster, name: str) -> Any:
    return kube.get_json("applications.trueup.dev", name, "-n", "trueup").get("status") or {}


def _tracked(kube: RunningCluster, kind: str, ns: str) -> list[str]:
    items = kube.get_json(kind, "-n", ns)["items"]
    return sorted(i["metadata"]["name"] for i in items if TRACKING in (i["metadata"].get("annotations") or {}))


def test_kill_9_mid_sync_then_restart_resumes_or_fails_the_operation(kube: RunningCluster, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    resumed, stopped, manual = f"resumed-{tag}", f"stopped-{tag}", f"manual-{tag}"
    repo = GitRepo(tmp_path / "repo")
    sha = repo.write({**_waves("one"), **_waves("two"), **_waves("three")})
    kube.kubectl("create", "namespace", "trueup")
    up = UpProcess(kube.kubeconfig, tmp_path / "up")
    try:
        up.wait_for("became leader")
        kube.kubectl("apply", "-f", "-", input=_app(resumed, repo, "one", resumed))
        kube.kubectl("apply", "-f", "-", input=_app(stopped, repo, "two", stopped))
        kube.kubectl("apply", "-f", "-", input=_app(manual, repo, "three", manual, automated=False))
        kube.kubectl("patch", "applications.trueup.dev", manual, "-n", "trueup", "--type=merge", "-p",
                     json.dumps({"operation": {"sync": {}, "initiatedBy": {"username": "carol"}}}))

        def mid_sync() -> bool:  # every sync is in wave 1: the Deployment applied, wave 2 not yet
            for name in (resumed, stopped, manual):
                op = _status(kube, name).get("operationState") or {}
                assert op.get("phase") == "Running", op
                assert _tracked(kube, "deployments", name) == ["slow"]
                assert _tracked(kube, "configmaps", name) == ["first"]
            return True
        eventually(mid_sync, timeout=60, what="the three apps mid-sync, waiting on wave 1")
        up.kill9()
    finally:
        if up.proc.poll() is None:
            up.kill9()
    # what the crash left: half-applied, status still claiming Running
    assert _status(kube, resumed)["operationState"]["phase"] == "Running"
    assert _tracked(kube, "configmaps", resumed) == ["first"]
    uid = kube.get_json("deployment", "slow", "-n", resumed)["metadata"]["uid"]
    # while trueup is down, someone turns auto-sync off for the other app: its operation must not rerun
    kube.kubectl("patch", "applications.trueup.dev", stopped, "-n", "trueup", "--type=merge",
                 "-p", json.dumps({"spec": {"syncPolicy": {"automated": None}}}))

    again = UpProcess(kube.kubeconfig, tmp_path / "up")
    try:
        again.wait_for("became leader", timeout=90)  # after the killed leader's Lease expires

        def settled() -> Any:
            s = _status(kube, resumed)
            assert (s.get("sync") or {}).get("status") == "Synced", s
            assert (s.get("health") or {}).get("status") == "Healthy", s
            assert (s.get("operationState") or {}).get("phase") == "Succeeded", s
            return s
        status = eventually(settled, timeout=90, what="the interrupted app Synced and Healthy")
        op = status["operationState"]
        assert f"resumes the operation of {sha[:12]} started " in op["message"], op
        assert "interrupted when the controller stopped" in op["message"], op
        assert op["syncResult"]["revision"] == sha
        assert [(h["id"], h["revision"]) for h in status["history"]] == [(0, sha)]  # one sync, one entry
        assert _tracked(kube, "configmaps", resumed) == ["first", "last"]
        assert _tracked(kube, "deployments", resumed) == ["slow"]
        assert kube.get_json("deployment", "slow", "-n", resumed)["metadata"]["uid"] == uid  # not recreated
        replicasets = kube.get_json("replicasets", "-n", resumed)["items"]
        assert len(replicasets) == 1
        events = kube.get_json("events", "-n", "trueup", "--field-selector", f"involvedObject.name={resumed}")
        interrupted = [e["message"] for e in events["items"] if e["reason"] == "OperationInterrupted"]
        assert len(interrupted) == 1 and interrupted[0].endswith("; it is run again"), interrupted

        # the manual operation is still requested: it is resumed, then cleared
        def manual_done() -> Any:
            s = _status(kube, manual)
            assert (s.get("operationState") or {}).get("phase") == "Succeeded", s
            return s
        mstatus = eventually(manual_done, timeout=90, what="the interrupted manual operation resumed")
        assert "interrupted when the controller stopped" in mstatus["operationState"]["message"]
        assert mstatus["operationState"]["operation"]["initiatedBy"] == {"username": "carol"}
        assert [(h["revision"], h["initiator"]) for h in mstatus["history"]] == [(sha, "carol")]
        assert "operation" not in kube.get_json("applications.trueup.dev", manual, "-n", "trueup")
        assert _tracked(kube, "configmaps", manual) == ["first", "last"]

        def failed() -> Any:
            op = _status(kube, stopped).get("operationState") or {}
            assert op.get("phase") == "Failed", op
            return op
        op = eventually(failed, timeout=60, what="the other app's operation marked Failed")
        assert op["message"].startswith("interrupted: the controller stopped during this operation (started ")
        assert "it did not finish and is not retried" in op["message"]
        left = _status(kube, stopped)
        assert "history" not in left or left["history"] == []
        assert _tracked(kube, "configmaps", stopped) == ["first"]  # said so, and not silently redone
        eventually(lambda: _status(kube, stopped).get("sync", {}).get("status") == "OutOfSync", timeout=60,
                   what="the half-applied app reported OutOfSync")
    finally:
        assert again.stop() == 0, again.output
