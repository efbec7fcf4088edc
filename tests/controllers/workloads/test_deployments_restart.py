"""Deployments pick up where they left off when the embedded cluster restarts mid-rollout."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import start_cluster, stop_cluster

REVISION = "deployment.kubernetes.io/revision"


def test_rollout_interrupted_by_a_restart_completes_without_extra_pods(tmp_path: Path) -> None:
    data = tmp_path / "data"
    c = start_cluster(data)
    try:
        c.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 20, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}}))
        c.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
        c.kubectl("set", "image", "deployment/web", "app=nginx:2")  # and stop right away, mid-rollout
    finally:
        stop_cluster(c)
    c = start_cluster(data)
    try:
        out = c.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
        assert 'deployment "web" successfully rolled out' in out.stdout
        rss = sorted(c.get_json("replicasets", "-l", "app=web")["items"],
                     key=lambda r: r["metadata"]["annotations"][REVISION])
        assert [(r["metadata"]["annotations"][REVISION], r["spec"]["replicas"]) for r in rss] == [("1", 0), ("2", 20)]
        assert rss[1]["status"]["availableReplicas"] == 20
        pods = c.get_json("pods", "-l", "app=web")["items"]
        assert len(pods) == 20
        assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:2"}
        assert c.get_json("deployment", "web")["metadata"]["annotations"][REVISION] == "2"
    finally:
        stop_cluster(c)
