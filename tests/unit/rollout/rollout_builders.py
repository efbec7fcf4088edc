"""Builders for the pure rollout tests: Deployments, ReplicaSets and Pods as the API returns them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trueup.localcluster.controllers import deployment_util as du
from trueup.localcluster.controllers.replicaset_pods import format_time

Obj = dict[str, Any]
NOW = 1_750_000_000.0
TESTDATA = Path(__file__).parent / "testdata"


def load(name: str) -> list[Obj]:
    data: list[Obj] = yaml.safe_load((TESTDATA / name).read_text())
    return data


def template(image: str = "nginx:1.25") -> Obj:
    return {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": image}], "restartPolicy": "Always"}}


def deployment(replicas: int = 3, *, image: str = "nginx:1.25", surge: Any = "25%", unavailable: Any = "25%",
               strategy: str = "RollingUpdate", generation: int = 1, status: Obj | None = None,
               revision: str | None = None, paused: bool = False, deadline: int | None = 600,
               history: int = 10, min_ready: int = 0) -> Obj:
    spec: Obj = {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": template(image),
                 "strategy": {"type": strategy}, "revisionHistoryLimit": history}
    if strategy == "RollingUpdate":
        spec["strategy"]["rollingUpdate"] = {"maxSurge": surge, "maxUnavailable": unavailable}
    if deadline is not None:
        spec["progressDeadlineSeconds"] = deadline
    if paused:
        spec["paused"] = True
    if min_ready:
        spec["minReadySeconds"] = min_ready
    meta: Obj = {"name": "web", "namespace": "default", "uid": "d-uid", "generation": generation,
                 "resourceVersion": "10", "creationTimestamp": format_time(NOW - 1000)}
    if revision is not None:
        meta["annotations"] = {du.REVISION: revision}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec, "status": status or {}}


def replicaset(d: Obj, *, image: str | None = None, name: str | None = None, revision: int = 1, replicas: int = 3,
               available: int | None = None, ready: int | None = None, status_replicas: int | None = None,
               desired: int | None = None, max_replicas: int | None = None, age: float = 100,
               generation: int = 1) -> Obj:
    tmpl = template(image) if image is not None else dict(d["spec"]["template"])
    h = du.template_hash(tmpl)
    tmpl = du.template_with_hash(tmpl, h)
    available = replicas if available is None else available
    ready = available if ready is None else ready
    want = d["spec"]["replicas"]
    ann = {du.REVISION: str(revision), du.DESIRED_REPLICAS: str(desired if desired is not None else want),
           du.MAX_REPLICAS: str(max_replicas if max_replicas is not None else want + du.max_surge(d))}
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name or f"web-{h}", "namespace": "default", "uid": f"uid-{name or h}",
                     "generation": generation, "resourceVersion": "5", "annotations": ann,
                     "labels": dict(tmpl["metadata"]["labels"]),
                     "creationTimestamp": format_time(NOW - age),
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                          "uid": "d-uid", "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"replicas": replicas, "selector": du.selector_with_hash(d["spec"]["selector"], h),
                 "template": tmpl},
        "status": {"replicas": status_replicas if status_replicas is not None else replicas,
                   "readyReplicas": ready, "availableReplicas": available, "observedGeneration": generation},
    }


def pod(name: str, *, node: str = "trueup-node-1", phase: str = "Running", ready: bool = True,
        ready_since: float = NOW - 60, created: float = NOW - 120, restarts: int = 0,
        labels: Obj | None = None) -> Obj:
    conds = [{"type": "Ready", "status": "True" if ready else "False",
              "lastTransitionTime": format_time(ready_since)}]
    spec: Obj = {"containers": [{"name": "web", "image": "nginx"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": labels or {"app": "web"},
                         "creationTimestamp": format_time(created), "uid": f"uid-{name}"},
            "spec": spec,
            "status": {"phase": phase, "conditions": conds,
                       "containerStatuses": [{"name": "web", "restartCount": restarts}]}}
