"""The trueup chart on the embedded cluster: applied with kubectl it rolls out and every object is
Healthy by trueup's own checks; and trueup manages its own chart through an Application.

Release names are the test's namespace, so the cluster-scoped RBAC objects of two tests never clash.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import RunningCluster, eventually
from tests.deploy.chartkit import CHART, render
from tests.e2e.gitrepo import GitRepo
from trueup.health import assess

TRUEUP = str(Path(sys.executable).parent / "trueup")


def namespace(cluster: RunningCluster, name: str) -> str:
    cluster.kubectl("create", "namespace", name)
    return name


def live(cluster: RunningCluster, obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj["kind"] if obj["apiVersion"] in ("v1", "apps/v1") else \
        f"{obj['kind'].lower()}.{obj['apiVersion'].split('/')[0]}"
    args = [kind, obj["metadata"]["name"]]
    if obj["metadata"].get("namespace"):
        args += ["-n", obj["metadata"]["namespace"]]
    doc: dict[str, Any] = cluster.get_json(*args)
    return doc


def all_healthy(cluster: RunningCluster, objects: list[dict[str, Any]]) -> dict[str, str]:
    """kind/name -> trueup's health status for every object that has a check; asserts each is Healthy."""
    statuses: dict[str, str] = {}
    for obj in objects:
        result = assess(live(cluster, obj))
        if result is not None:
            statuses[f"{obj['kind']}/{obj['metadata']['name']}"] = str(result.status)
    assert set(statuses.values()) == {"Healthy"}, statuses
    return statuses


def install(cluster: RunningCluster, values: dict[str, Any], ns: str) -> list[dict[str, Any]]:
    objects, _ = render(values, release=ns, namespace=ns)
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(objects), timeout=120)
    rollout = cluster.kubectl("rollout", "status", f"deployment/{ns}-trueup", "-n", ns, "--timeout=120s",
                              timeout=150, check=False)
    assert rollout.returncode == 0, rollout.stderr + rollout.stdout
    assert "successfully rolled out" in rollout.stdout
    return objects


def test_default_chart_rolls_out_two_ready_replicas_and_is_healthy(cluster: RunningCluster) -> None:
    ns = namespace(cluster, f"tc-{uuid.uuid4().hex[:8]}")
    objects = install(cluster, {}, ns)
    deployment = cluster.get_json("deployment", f"{ns}-trueup", "-n", ns)
    assert deployment["status"]["readyReplicas"] == 2 and deployment["status"]["availableReplicas"] == 2
    statuses = eventually(lambda: all_healthy(cluster, objects), timeout=60, what="every chart object Healthy")
    assert statuses[f"Deployment/{ns}-trueup"] == "Healthy"
    pods = cluster.get_json("pods", "-n", ns, "-l", "app.kubernetes.io/name=trueup")["items"]
    assert len(pods) == 2
    assert {p["spec"]["serviceAccountName"] for p in pods} == {f"{ns}-trueup"}
    endpoints = cluster.get_json("endpoints", f"{ns}-trueup", "-n", ns)
    assert len(endpoints["subsets"][0]["addresses"]) == 2
    assert endpoints["subsets"][0]["ports"][0]["port"] == 8080


def test_non_default_chart_with_existing_secret_ingress_and_namespaced_rbac_is_healthy(
        cluster: RunningCluster) -> None:
    ns = namespace(cluster, f"tc-{uuid.uuid4().hex[:8]}")
    shop = namespace(cluster, f"{ns}-shop")
    cluster.kubectl("create", "secret", "generic", "ops-token", "-n", ns, "--from-literal=api=from-ops")
    values = {"replicaCount": 3, "apiToken": {"existingSecret": "ops-token", "existingSecretKey": "api"},
              "webhooks": {"secrets": {"github": "gh-secret"}},
              "ingress": {"enabled": True, "className": "alb",
                          "hosts": [{"host": "trueup.example.org", "paths": [{"path": "/", "pathType": "Prefix"}]}]},
              "rbac": {"clusterWide": False, "managedNamespaces": [shop]},
              "server": {"listen": "0.0.0.0:9090"}}
    objects = install(cluster, values, ns)
    statuses = eventually(lambda: all_healthy(cluster, objects), timeout=60, what="every chart object Healthy")
    assert statuses[f"Ingress/{ns}-trueup"] == "Healthy"  # the simulated ALB gave it an address
    assert cluster.get_json("deployment", f"{ns}-trueup", "-n", ns)["status"]["availableReplicas"] == 3
    assert cluster.get_json("role", f"{ns}-trueup-managed", "-n", shop)["rules"][0]["verbs"] == ["*"]
    hooks = cluster.get_json("secret", f"{ns}-trueup-webhooks", "-n", ns)
    assert set(hooks["data"]) == {"webhook-secrets.yaml"}


def test_trueup_manages_its_own_chart_through_an_application(cluster: RunningCluster, tmp_path: Path) -> None:
    ns = namespace(cluster, f"ts-{uuid.uuid4().hex[:8]}")
    cluster.kubectl("create", "secret", "generic", "trueup-token", "-n", ns, "--from-literal=token=t0ken")
    repo = GitRepo(tmp_path / "infra")
    shutil.copytree(CHART, repo.path / "deploy" / "helm" / "trueup")
    repo.write({}, "the trueup chart")
    app = {
        "apiVersion": "trueup.dev/v1alpha1", "kind": "Application",
        "metadata": {"name": ns, "namespace": "trueup"},
        "spec": {"project": "default",
                 "source": {"repoURL": str(repo.path), "targetRevision": "main", "path": "deploy/helm/trueup",
                            # a generated token would differ at every render: GitOps installs name a Secret
                            "helm": {"valuesObject": {"apiToken": {"existingSecret": "trueup-token"}}}},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": ns}},
    }
    app_file = tmp_path / "trueup-app.yaml"
    app_file.write_text(yaml.safe_dump(app))

    def trueup(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([TRUEUP, *args, "--kubeconfig", str(cluster.kubeconfig), "--cache-dir",
                               str(tmp_path / "cache")], capture_output=True, text=True, timeout=240)

    synced = trueup("sync", str(app_file), "--wait", "--timeout", "120")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert f"Deployment/{ns}-trueup" in synced.stderr or f"{ns}-trueup" in synced.stderr
    diff = trueup("diff", str(app_file), "-o", "json")
    assert diff.returncode == 0, diff.stdout + diff.stderr
    report = json.loads(diff.stdout)
    assert report["summary"]["total"] == report["summary"]["Synced"] >= 10, report["summary"]
    health = trueup("health", str(app_file), "-o", "json")
    assert health.returncode == 0, health.stdout + health.stderr
    assert json.loads(health.stdout)["status"] == "Healthy"
    deployment = cluster.get_json("deployment", f"{ns}-trueup", "-n", ns)
    assert deployment["status"]["availableReplicas"] == 2
    assert "t0ken" not in synced.stdout + synced.stderr + diff.stdout + health.stdout
