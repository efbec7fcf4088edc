"""`trueup sync|diff` open the cluster connections and read discovery while Git is rendered: a
cluster that cannot be reached is still one clear error, and a render that fails is reported
first (nothing about the cluster, nothing written)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.e2e.gitrepo import GitRepo
from tests.e2e.test_engine_cli import CONFIG, TRUEUP, app_file


def unreachable_kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "gone",
        "clusters": [{"name": "gone", "cluster": {"server": "https://127.0.0.1:1", "insecure-skip-tls-verify": True}}],
        "users": [{"name": "me", "user": {"token": "t"}}],
        "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "me"}}]}))
    return path


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRUEUP, *args, "--kubeconfig", str(unreachable_kubeconfig(tmp_path)),
                           "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True, timeout=120)


def test_an_unreachable_cluster_is_one_error_and_a_failed_render_is_reported_first(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write({"app/config.yaml": CONFIG})
    app = app_file(tmp_path, repo.path, "nowhere")
    for verb in ("sync", "diff"):
        done = run(tmp_path, verb, str(app))
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("error:") and "127.0.0.1:1" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr

    repo.write({"app/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n"}, "break")
    broken = run(tmp_path, "sync", str(app))
    assert broken.returncode == 2
    assert "app/config.yaml" in broken.stderr and "127.0.0.1:1" not in broken.stderr, broken.stderr
