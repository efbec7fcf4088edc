"""Helpers of the infra controller e2e tests: apply objects, poll with a deadline."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import RunningCluster, eventually


def apply(cluster: RunningCluster, *objs: dict[str, Any]) -> None:
    cluster.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objs)}))


def get(cluster: RunningCluster, *args: str) -> dict[str, Any] | None:
    proc = cluster.kubectl("get", *args, "-o", "json", check=False)
    if proc.returncode != 0:
        assert "NotFound" in proc.stderr or "not found" in proc.stderr, proc.stderr
        return None
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def names(cluster: RunningCluster, kind: str, ns: str) -> list[str]:
    items = cluster.get_json(kind, "-n", ns)["items"]
    return sorted(i["metadata"]["name"] for i in items)


wait_for = eventually


def configmap(ns: str, name: str, owners: list[dict[str, Any]] | None = None,
              finalizers: list[str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns}
    if owners:
        meta["ownerReferences"] = owners
    if finalizers:
        meta["finalizers"] = finalizers
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}}


def owner_ref(obj: dict[str, Any], block: bool = True, controller: bool = False) -> dict[str, Any]:
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "blockOwnerDeletion": block, "controller": controller}
