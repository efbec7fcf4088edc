"""Once a workload has settled, no controller writes to it again: they never fight over an object."""

from __future__ import annotations

import json
import time

from tests.conftest import RunningCluster


def _rvs(cluster: RunningCluster, ns: str) -> dict[str, str]:
    out = {}
    for kind in ("deploy", "rs", "pods"):
        for item in cluster.get_json(kind, "-n", ns)["items"]:
            out[f"{kind}/{item['metadata']['name']}"] = item["metadata"]["resourceVersion"]
    return out


def test_settled_deployment_is_left_alone_and_each_field_has_one_writer(cluster: RunningCluster, ns: str) -> None:
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "calm", "namespace": ns},
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "calm"}},
                       "template": {"metadata": {"labels": {"app": "calm"}},
                                    "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}
    cluster.kubectl("apply", "-f", "-", input=json.dumps(deploy))
    cluster.kubectl("-n", ns, "rollout", "status", "deploy/calm", "--timeout=60s")
    time.sleep(1.0)  # let the last status writes land
    before = _rvs(cluster, ns)
    assert len([k for k in before if k.startswith("pods/")]) == 3
    time.sleep(3.0)
    assert _rvs(cluster, ns) == before, "a controller kept rewriting settled objects"
    obj = cluster.get_json("deploy", "calm", "-n", ns, "--show-managed-fields")
    status_writers = {m["manager"] for m in obj["metadata"]["managedFields"] if m.get("subresource") == "status"}
    assert status_writers == {"deployment-controller"}
