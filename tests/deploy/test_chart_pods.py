"""The chart's pod, run for real: the rendered container args and mounted files, given to two
`trueup up` processes (two replicas) against the embedded cluster as their in-cluster API server.

The embedded cluster's kubelet only simulates containers, so this is where the args, the token
and webhook Secrets, the probe paths and leader election are exercised together. Two changes
to the pod, both for a test host: every mount path is a temporary directory (the files are the
rendered Secrets' items), and `--listen=0.0.0.0:8080` becomes `127.0.0.1:0` (two replicas on one
host; tests reach only 127.0.0.1). The service account is the cluster's CA and token.
"""

from __future__ import annotations

import base64
import functools
import os
import shutil
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import RunningCluster, eventually
from tests.deploy.chartkit import container, one, render
from tests.processes import CliProcess

TRUEUP = str(Path(sys.executable).parent / "trueup")


def pod_files(objects: list[dict[str, Any]], tmp: Path) -> dict[str, Path]:
    """mountPath -> a temporary directory holding what the kubelet would mount there."""
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts: dict[str, Path] = {}
    for mount in container(objects)["volumeMounts"]:
        target = tmp / mount["name"]
        target.mkdir(parents=True)
        source = volumes[mount["name"]]
        if "secret" in source:
            secret = one(objects, "Secret", source["secret"]["secretName"])
            for item in source["secret"]["items"]:
                (target / item["path"]).write_bytes(base64.b64decode(secret["data"][item["key"]]))
        mounts[mount["mountPath"]] = target
    return mounts


def localize(args: list[str], mounts: dict[str, Path]) -> list[str]:
    out = []
    for arg in args:
        for mount_path, local in sorted(mounts.items(), key=lambda m: -len(m[0])):
            if f"={mount_path}/" in arg:
                arg = arg.replace(f"={mount_path}/", f"={local}/", 1)
                break
        out.append("--listen=127.0.0.1:0" if arg.startswith("--listen=") else arg)
    return out


def http(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def ready(url: str) -> bool:
    return http(f"{url}/readyz") == 200


def test_two_replicas_of_the_charts_pod_elect_one_leader_serve_probes_and_fail_over(
        cluster: RunningCluster, tmp_path: Path) -> None:
    ns = f"tp-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", ns)
    objects, _ = render({"webhooks": {"secrets": {"github": "gh-secret"}}}, release=ns, namespace=ns)
    c = container(objects)
    token = base64.b64decode(one(objects, "Secret", f"{ns}-trueup-api-token")["data"]["token"]).decode()
    sa = tmp_path / "serviceaccount"
    sa.mkdir()
    shutil.copy(cluster.data_dir / "pki" / "ca.crt", sa / "ca.crt")
    (sa / "token").write_text(cluster.token)
    (sa / "namespace").write_text(ns)
    url = urlsplit(cluster.url)
    replicas: list[CliProcess] = []
    try:
        for i in range(2):
            mounts = pod_files(objects, tmp_path / f"pod-{i}")
            env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "TRUEUP_API_TOKEN")}
            env |= {e["name"]: e["value"] for e in c["env"]}
            env |= {"HOME": str(mounts[env["HOME"]]), "KUBERNETES_SERVICE_HOST": str(url.hostname),
                    "KUBERNETES_SERVICE_PORT": str(url.port)}
            replicas.append(CliProcess([TRUEUP, "up", *localize(c["args"], mounts), "--service-account-dir", str(sa)],
                                    env))
        urls = [r.wait_for("trueup server at ").split()[3] for r in replicas]
        for r in replicas:
            r.wait_for("watching Applications")
            assert "refused until a secret is set" not in "".join(r.lines)  # the webhook Secret is mounted
            assert token not in "".join(r.lines) and "gh-secret" not in "".join(r.lines)
        for u in urls:  # the probes' paths, and the API with the token from the chart's Secret
            eventually(functools.partial(ready, u), timeout=60, what=f"{u}/readyz")
            assert http(f"{u}/healthz") == 200
            assert http(f"{u}/api/v1/applications") == 401
            assert http(f"{u}/api/v1/applications", token) == 200
        identities = [r.wait_for("leader election: lease").split(" as ")[1].split()[0] for r in replicas]

        def holder() -> str:
            lease = cluster.get_json("lease", "trueup-controller", "-n", ns)
            return str(lease["spec"].get("holderIdentity") or "")

        leader = eventually(lambda: holder() in identities and holder(), timeout=60, what="one leader")
        first = identities.index(leader)
        replicas[first].wait_for("became leader")
        assert not any("became leader" in line for line in replicas[1 - first].lines)
        replicas[first].stop()
        assert replicas[first].proc.returncode == 0
        replicas[1 - first].wait_for("became leader")
        assert eventually(lambda: holder() == identities[1 - first], timeout=60, what="the standby takes over")
    finally:
        for r in replicas:
            r.stop()
