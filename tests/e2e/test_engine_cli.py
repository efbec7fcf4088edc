"""`trueup render|diff|sync|health APP.yaml` against `trueup cluster up`, with Git repos the tests create."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import RunningCluster
from tests.e2e.gitrepo import GitRepo

TRUEUP = str(Path(sys.executable).parent / "trueup")

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80}]
"""
SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
"""
CONFIG = """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {greeting: hello}
"""


def app_file(tmp_path: Path, repo: Path, ns: str, name: str = "web", **policy: Any) -> Path:
    doc = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {"project": "default",
                 "source": {"repoURL": str(repo), "targetRevision": "main", "path": "app"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
                 "syncPolicy": {"syncOptions": ["CreateNamespace=true"], **policy}},
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def trueup(cluster: RunningCluster, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRUEUP, *args, "--kubeconfig", str(cluster.kubeconfig), "--cache-dir",
                           str(tmp_path / "cache")], capture_output=True, text=True, timeout=120)


def test_sync_then_no_drift_then_each_out_of_band_change_is_reported(cluster: RunningCluster, tmp_path: Path) -> None:
    ns = f"e{time.monotonic_ns() % 10**8}"
    repo = GitRepo(tmp_path / "repo")
    repo.write({"app/deployment.yaml": DEPLOYMENT, "app/service.yaml": SERVICE, "app/config.yaml": CONFIG})
    app = app_file(tmp_path, repo.path, ns)

    rendered = subprocess.run([TRUEUP, "render", str(app), "--cache-dir", str(tmp_path / "cache")],
                              capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    assert {d["kind"] for d in yaml.safe_load_all(rendered.stdout)} == {"Deployment", "Service", "ConfigMap"}

    synced = trueup(cluster, tmp_path, "sync", str(app), "--wait")
    assert synced.returncode == 0, synced.stderr + synced.stdout
    assert "Succeeded" in synced.stdout and "3 created" in synced.stdout
    deploy = cluster.get_json("deploy", "web", "-n", ns)
    assert deploy["metadata"]["annotations"]["trueup.dev/tracking-id"] == f"web:apps/Deployment:{ns}/web"
    assert deploy["status"]["availableReplicas"] == 2  # --wait: the sync waited for health

    clean = trueup(cluster, tmp_path, "diff", str(app))
    assert clean.returncode == 0, clean.stdout + clean.stderr

    health = trueup(cluster, tmp_path, "health", str(app))
    assert health.returncode == 0 and health.stdout.strip().endswith("app Healthy"), health.stdout

    cluster.kubectl("scale", "deploy/web", "-n", ns, "--replicas=5")
    drift = trueup(cluster, tmp_path, "diff", str(app), "-o", "json")
    assert drift.returncode == 1
    report = json.loads(drift.stdout)
    changed = [(r["key"]["kind"] if isinstance(r.get("key"), dict) else r.get("kind"), c["path"], c.get("changedBy"))
               for r in report["resources"] for c in r.get("changes", [])]
    assert [(k, p) for k, p, _ in changed] == [("Deployment", ".spec.replicas")], report
    assert "kubectl" in json.dumps(changed)

    cluster.kubectl("set", "image", "deploy/web", "-n", ns, "web=nginx:1.28")
    drift = trueup(cluster, tmp_path, "diff", str(app), "--no-color")
    assert drift.returncode == 1
    assert "image: nginx:1.27" in drift.stdout and "image: nginx:1.28" in drift.stdout

    resynced = trueup(cluster, tmp_path, "sync", str(app))
    assert resynced.returncode == 0, resynced.stderr
    after = cluster.get_json("deploy", "web", "-n", ns)
    assert after["spec"]["replicas"] == 2
    assert after["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert trueup(cluster, tmp_path, "diff", str(app)).returncode == 0


def test_prune_removes_what_git_dropped_and_bad_input_changes_nothing(cluster: RunningCluster,
                                                                        tmp_path: Path) -> None:
    ns = f"p{time.monotonic_ns() % 10**8}"
    repo = GitRepo(tmp_path / "repo")
    repo.write({"app/config.yaml": CONFIG, "app/extra.yaml": CONFIG.replace("settings", "extra")})
    app = app_file(tmp_path, repo.path, ns, name="pruner")
    assert trueup(cluster, tmp_path, "sync", str(app)).returncode == 0
    assert cluster.kubectl("get", "cm", "extra", "-n", ns, check=False).returncode == 0

    # Malformed YAML in Git: a clear error naming the file, exit 2, nothing changed or pruned.
    repo.write({"app/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra\n"}, "break")
    broken = trueup(cluster, tmp_path, "sync", str(app), "--prune")
    assert broken.returncode == 2
    assert "app/extra.yaml" in broken.stderr
    assert cluster.kubectl("get", "cm", "extra", "-n", ns, check=False).returncode == 0

    (repo.path / "app/extra.yaml").unlink()
    repo.write({}, "drop extra")
    pruned = trueup(cluster, tmp_path, "sync", str(app), "--prune")
    assert pruned.returncode == 0, pruned.stderr
    assert "1 pruned" in pruned.stdout
    deadline = time.monotonic() + 20
    while cluster.kubectl("get", "cm", "extra", "-n", ns, check=False).returncode == 0:
        assert time.monotonic() < deadline, "pruned ConfigMap still present"
        time.sleep(0.2)
    assert cluster.kubectl("get", "cm", "settings", "-n", ns, check=False).returncode == 0


def test_offline_diff_and_health(tmp_path: Path) -> None:
    desired = yaml.safe_load(DEPLOYMENT)
    live = yaml.safe_load(DEPLOYMENT)
    live["spec"]["replicas"] = 4
    live["status"] = {"observedGeneration": 1, "replicas": 4, "updatedReplicas": 4, "availableReplicas": 4,
                      "readyReplicas": 4}
    live["metadata"]["generation"] = 1
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(desired))
    (tmp_path / "l.yaml").write_text(yaml.safe_dump(live))
    out = subprocess.run([TRUEUP, "diff", "--desired", str(tmp_path / "d.yaml"), "--live", str(tmp_path / "l.yaml"),
                          "--no-color"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "replicas: 2" in out.stdout and "replicas: 4" in out.stdout
    rules = tmp_path / "ignore.yaml"
    rules.write_text(yaml.safe_dump([{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}]))
    ignored = subprocess.run([TRUEUP, "diff", "--desired", str(tmp_path / "d.yaml"), "--live",
                              str(tmp_path / "l.yaml"), "--ignore", str(rules)], capture_output=True, text=True,
                             timeout=60)
    assert ignored.returncode == 0, ignored.stdout
    health = subprocess.run([TRUEUP, "health", "--object", str(tmp_path / "l.yaml"), "-o", "json"],
                            capture_output=True, text=True, timeout=60)
    assert health.returncode == 0 and json.loads(health.stdout)["status"] == "Healthy"
