"""Argo CD's own Applications (argoproj.io/v1alpha1) in the cluster, with `trueup up` as a real
process and the real kubectl: reconciled (synced, healed, cascade-deleted, status in Argo CD's
field names) when no Argo CD controller runs, left alone when one does, taken on when it goes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningCluster, eventually, start_cluster, stop_cluster
from tests.controller.conftest import configmap, deployment
from tests.controller.upproc import UpProcess
from tests.e2e.gitrepo import GitRepo

CRD = Path(__file__).with_name("argocd-crd.yaml")


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[RunningCluster]:
    """A cluster of this test's own: whether Argo CD runs is a cluster-wide fact."""
    c = start_cluster(tmp_path / "cluster", timeout=60)
    yield c
    stop_cluster(c)


def argo_app(name: str, repo: GitRepo, dest: str) -> str:
    """An Argo CD Application as users write it for Argo CD, untouched."""
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: default
  source:
    repoURL: {repo.path}
    targetRevision: HEAD
    path: guestbook
  destination:
    server: https://kubernetes.default.svc
    namespace: {dest}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
"""


def _install_argocd_crd(kube: RunningCluster) -> None:
    kube.kubectl("apply", "-f", str(CRD))
    kube.kubectl("wait", "--for=condition=Established", "crd/applications.argoproj.io", "--timeout=60s")
    kube.kubectl("create", "namespace", "argocd")


def _app(kube: RunningCluster, name: str) -> Any:
    return kube.get_json("applications.argoproj.io", name, "-n", "argocd")


def test_argocd_application_is_synced_healed_and_cascade_deleted(kube: RunningCluster, tmp_path: Path) -> None:
    name, dest = f"guestbook-{uuid.uuid4().hex[:6]}", f"gb-{uuid.uuid4().hex[:6]}"
    repo = GitRepo(tmp_path / "repo")
    sha = repo.write({"guestbook/ui.yaml": deployment("guestbook-ui", replicas=1),
                      "guestbook/cm.yaml": configmap("guestbook-config", color="blue"),
                      "smoke/cm.yaml": configmap("smoke-config")})
    _install_argocd_crd(kube)
    up = UpProcess(kube.kubeconfig, tmp_path / "up")
    try:
        line = up.wait_for("argoproj.io Applications:")
        assert "reconciled (CRD installed, no Argo CD application controller found)" in line
        assert "namespaces trueup, argocd" in line
        # an Argo CD app that depends on it says so with the annotation (Argo CD's schema has no dependsOn);
        # applied first, it must still sync second
        smoke = argo_app(f"{name}-smoke", repo, f"{dest}-smoke").replace("path: guestbook", "path: smoke").replace(
            "  finalizers:\n", f"  annotations:\n    trueup.dev/depends-on: {name}\n  finalizers:\n")
        kube.kubectl("apply", "-f", "-", input=smoke)
        kube.kubectl("apply", "-f", "-", input=argo_app(name, repo, dest))

        def synced() -> Any:
            s = _app(kube, name).get("status") or {}
            assert (s.get("sync") or {}).get("status") == "Synced" and s["health"]["status"] == "Healthy", s
            return s
        status = eventually(synced, timeout=90, what="the Argo CD Application Synced and Healthy")
        # Argo CD's field names, as its UI and CLI read them
        assert status["sync"]["revision"] == sha
        assert status["operationState"]["phase"] == "Succeeded"
        assert status["operationState"]["syncResult"]["revision"] == sha
        history = [(h["id"], h["revision"], h["initiatedBy"]) for h in status["history"]]
        assert history == [(0, sha, {"automated": True})]
        rows = {(r["kind"], r["name"]): r for r in status["resources"]}
        assert rows[("Deployment", "guestbook-ui")]["status"] == "Synced"
        assert rows[("Deployment", "guestbook-ui")]["health"]["status"] == "Healthy"
        assert _app(kube, name)["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]
        smoked = eventually(lambda: kube.get_json("configmap", "smoke-config", "-n", f"{dest}-smoke"), timeout=60,
                            what="the dependent Argo CD app synced")
        first = kube.get_json("configmap", "guestbook-config", "-n", dest)
        assert int(smoked["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])

        # selfHeal: an out-of-band change is put back
        kube.kubectl("scale", "deployment/guestbook-ui", "-n", dest, "--replicas=3")
        eventually(lambda: kube.get_json("deployment", "guestbook-ui", "-n", dest)["spec"]["replicas"] == 1,
                   timeout=60, what="replicas healed back to 1")

        def recorded() -> bool:  # the heal is recorded in status once the sync's status write lands
            drifts = _app(kube, name)["status"].get("driftHistory") or []
            assert any(d["name"] == "guestbook-ui" and "spec.replicas" in " ".join(d["fields"]) for d in drifts), drifts
            return True
        eventually(recorded, timeout=60, what="the heal in status.driftHistory")

        # the resources finalizer: deleting the app deletes what it deployed
        kube.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")
        eventually(lambda: kube.kubectl("get", "applications.argoproj.io", name, "-n", "argocd",
                                        check=False).returncode != 0, timeout=60, what="the app gone")
        gone = kube.kubectl("get", "deployment,configmap", "-n", dest, "-o", "name", check=False).stdout
        assert "guestbook-ui" not in gone and "guestbook-config" not in gone
    finally:
        assert up.stop() == 0, up.output


def test_auto_mode_leaves_argocd_applications_to_a_running_argocd(kube: RunningCluster, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    sha = repo.write({"guestbook/cm.yaml": configmap("guestbook-config", color="blue"),
                      "canary/cm.yaml": configmap("canary-config")})
    # `on` without Argo CD's CRD: a clear error, not a controller waiting forever
    refused = UpProcess(kube.kubeconfig, tmp_path / "refused", "--argocd-apps", "on")
    assert refused.proc.wait(timeout=60) != 0
    refused.stop()
    assert "applications.argoproj.io is not installed" in refused.output

    _install_argocd_crd(kube)
    fake = json.loads(kube.kubectl("create", "deployment", "argocd-application-controller", "-n", "argocd",
                                   "--image=quay.io/argoproj/argocd:v3.6.0", "-o", "json").stdout)
    assert fake["metadata"]["name"] == "argocd-application-controller"
    applied = json.loads(kube.kubectl("apply", "-f", "-", "-o", "json",
                                      input=argo_app("guestbook", repo, "gb-left-alone")).stdout)
    up = UpProcess(kube.kubeconfig, tmp_path / "up")
    try:
        line = up.wait_for("argoproj.io Applications:")
        assert "left to Argo CD" in line and "Deployment argocd/argocd-application-controller" in line
        # a trueup.dev app in the same run is reconciled: the controller is working, not idle
        canary = {"apiVersion": "trueup.dev/v1alpha1", "kind": "Application",
                  "metadata": {"name": "canary", "namespace": "trueup"},
                  "spec": {"source": {"repoURL": str(repo.path), "targetRevision": "main", "path": "canary"},
                           "destination": {"server": "https://kubernetes.default.svc", "namespace": "canary"},
                           "syncPolicy": {"automated": {}, "syncOptions": ["CreateNamespace=true"]}}}
        kube.kubectl("apply", "-f", "-", input=json.dumps(canary))
        eventually(lambda: (kube.get_json("applications.trueup.dev", "canary", "-n", "trueup").get("status") or {})
                   .get("sync", {}).get("revision") == sha, timeout=60, what="the canary app synced")
        untouched = _app(kube, "guestbook")
        assert "status" not in untouched
        assert untouched["metadata"]["resourceVersion"] == applied["metadata"]["resourceVersion"]  # never written
        assert kube.kubectl("get", "namespace", "gb-left-alone", check=False).returncode != 0

        # Argo CD goes away while trueup runs: the next check (every 10 s) takes its Applications on
        kube.kubectl("delete", "deployment", "argocd-application-controller", "-n", "argocd")
        line = up.wait_for("changed since the last check", timeout=60)
        assert "argoproj.io Applications: reconciled" in line and "namespaces trueup, argocd" in line
        eventually(lambda: (_app(kube, "guestbook").get("status") or {}).get("sync", {}).get("revision") == sha,
                   timeout=60, what="the Argo CD app reconciled once Argo CD is gone")
        assert kube.get_json("configmap", "guestbook-config", "-n", "gb-left-alone")["data"]["color"] == "blue"
    finally:
        assert up.stop() == 0, up.output
