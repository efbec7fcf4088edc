"""`trueup up` inside a pod: the service account, never an embedded cluster.

The selection rules are checked one by one (cli/target.py), then `trueup up` runs as a process
with a service-account directory made from the session cluster's own CA and token and
$KUBERNETES_SERVICE_HOST/_PORT pointing at it, as the kubelet would set them in a pod: it must
reconcile that cluster (take the leader Lease there) and start no embedded cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import RunningCluster, eventually
from tests.e2e.gitrepo import GitRepo
from trueup.cli.target import TargetError, choose_target

TRUEUP = str(Path(sys.executable).parent / "trueup")


def service_account(tmp: Path, token: str = "sa-token", namespace: str = "trueup") -> Path:
    sa = tmp / "serviceaccount"
    sa.mkdir(parents=True, exist_ok=True)
    (sa / "token").write_text(token)
    (sa / "ca.crt").write_text("not used by the selection")
    (sa / "namespace").write_text(namespace)
    return sa


POD_ENV = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}


def test_outside_a_pod_without_kubeconfig_is_the_embedded_cluster(tmp_path: Path) -> None:
    assert choose_target(None, None, {}, service_account(tmp_path)).mode == "embedded"


def test_in_a_pod_the_service_account_is_chosen_automatically(tmp_path: Path) -> None:
    sa = service_account(tmp_path, namespace="gitops")
    target = choose_target(None, None, POD_ENV, sa)
    assert target.mode == "in-cluster" and target.config is not None
    assert target.config.server == "https://10.96.0.1:443"
    assert target.config.token_file == str(sa / "token") and target.config.ca_file == str(sa / "ca.crt")
    assert target.config.namespace == "gitops"
    assert "sa-token" not in repr(target)


def test_ipv6_service_host_is_bracketed(tmp_path: Path) -> None:
    env = {"KUBERNETES_SERVICE_HOST": "fd00:10:96::1", "KUBERNETES_SERVICE_PORT": "443"}
    target = choose_target(None, True, env, service_account(tmp_path))
    assert target.config is not None and target.config.server == "https://[fd00:10:96::1]:443"


def test_a_kubeconfig_wins_over_the_pod_and_conflicts_with_in_cluster(tmp_path: Path) -> None:
    sa = service_account(tmp_path)
    kubeconfig = tmp_path / "kubeconfig"
    assert choose_target(kubeconfig, None, POD_ENV, sa).kubeconfig == kubeconfig
    from_env = choose_target(None, None, {**POD_ENV, "KUBECONFIG": f"{kubeconfig}{os.pathsep}/other"}, sa)
    assert (from_env.mode, from_env.kubeconfig) == ("kubeconfig", kubeconfig)
    with pytest.raises(TargetError, match="--in-cluster and a kubeconfig"):
        choose_target(kubeconfig, True, POD_ENV, sa)


def test_in_cluster_outside_a_pod_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(TargetError) as err:
        choose_target(None, True, {}, tmp_path / "nowhere")
    message = str(err.value)
    assert "KUBERNETES_SERVICE_HOST" in message and "KUBERNETES_SERVICE_PORT" in message
    assert str(tmp_path / "nowhere" / "token") in message


def test_a_pod_without_a_token_is_an_error_not_an_embedded_cluster(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=r"looks like a pod.*--no-in-cluster"):
        choose_target(None, None, POD_ENV, tmp_path / "nowhere")
    assert choose_target(None, False, POD_ENV, tmp_path / "nowhere").mode == "embedded"


def _env(home: Path, **extra: str) -> dict[str, str]:
    drop = ("KUBECONFIG", "TRUEUP_API_TOKEN", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "HOME": str(home), **extra}


def test_up_in_a_pod_without_token_exits_2_and_starts_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data" / "cluster"
    proc = subprocess.run([TRUEUP, "up", "--data-dir", str(data), "--listen", "none", "--service-account-dir",
                           str(tmp_path / "nowhere")], env=_env(tmp_path, **POD_ENV),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "looks like a pod" in proc.stderr and "embedded cluster ready" not in proc.stdout
    assert not data.exists()


def test_up_in_cluster_leads_and_syncs_apps_in_the_cluster_its_service_account_reaches(cluster: RunningCluster,
                                                                         tmp_path: Path) -> None:
    namespace = f"tu-{uuid.uuid4().hex[:8]}"
    sa = service_account(tmp_path, token=cluster.token, namespace=namespace)
    shutil.copy(cluster.data_dir / "pki" / "ca.crt", sa / "ca.crt")
    url = urlsplit(cluster.url)
    data = tmp_path / "state" / "cluster"
    env = _env(tmp_path, KUBERNETES_SERVICE_HOST=str(url.hostname), KUBERNETES_SERVICE_PORT=str(url.port))
    proc = subprocess.Popen([TRUEUP, "up", "--data-dir", str(data), "--namespace", namespace, "--listen", "none",
                             "--service-account-dir", str(sa)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any("watching Applications" in line for line in lines):
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        out = "".join(lines)
        assert f"trueup in-cluster: service account at {sa}, API server {cluster.url}" in out
        assert "embedded cluster" not in out and cluster.token not in out
        lease = eventually(lambda: cluster.get_json("lease", "trueup-controller", "-n", namespace),
                           timeout=60, what="the leader Lease in the cluster the service account reaches")
        assert lease["spec"]["holderIdentity"]
        repo = GitRepo(tmp_path / "repo")
        repo.write({"app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-git}\ndata: {k: v}\n"})
        app = {"apiVersion": "trueup.dev/v1alpha1", "kind": "Application",
               "metadata": {"name": "in-pod", "namespace": namespace},
               "spec": {"project": "default",
                        "source": {"repoURL": str(repo.path), "targetRevision": "main", "path": "app"},
                        "destination": {"server": "https://kubernetes.default.svc", "namespace": f"{namespace}-app"},
                        "syncPolicy": {"automated": {}, "syncOptions": ["CreateNamespace=true"]}}}
        cluster.kubectl("apply", "-f", "-", input=json.dumps(app))
        synced = eventually(lambda: cluster.get_json("configmap", "from-git", "-n", f"{namespace}-app"),
                            timeout=60, what="the Application synced by the in-cluster controller")
        assert synced["data"] == {"k": "v"}
        assert not data.exists(), "no embedded cluster data may be created in a pod"
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out + rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
