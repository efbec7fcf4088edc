"""The cache against the embedded API server (no controllers), reached through a kubeconfig."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from trueup.cache import Change, ClusterCache
from trueup.kube import Client, Discovery, load_config
from trueup.kube.resources import NAMESPACES
from trueup.localcluster.cluster import LocalCluster

ANN = "trueup.dev/tracking-id"
Obj = dict[str, Any]


async def until(check: Callable[[], Any], limit_s: float = 5.0, what: str = "condition") -> Any:
    """Poll `check` until truthy (returned), with a deadline; never a fixed sleep."""
    deadline = time.monotonic() + limit_s
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit_s}s waiting for {what} (last: {last!r})")
        await asyncio.sleep(0.01)


def configmap(name: str, ns: str, app: str | None = "", **data: str) -> Obj:
    """A ConfigMap; tracked by the app named like its namespace unless `app` is None."""
    app = ns if app == "" else app
    meta: Obj = {"name": name, "namespace": ns}
    if app:
        meta["annotations"] = {ANN: f"{app}:/ConfigMap:{ns}/{name}"}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": dict(data)}


def deployment(name: str, ns: str) -> Obj:
    app = ns
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": labels,
                         "annotations": {ANN: f"{app}:apps/Deployment:{ns}/{name}"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                           "ports": [{"containerPort": 80}],
                                                           "env": [{"name": "MODE", "value": "prod"}]}]}}}}


class Recorder:
    """Every Change a subscriber saw for one app (tests share the server, and caches watch it all)."""

    def __init__(self, app: str) -> None:
        self.app = app
        self.changes: list[Change] = []

    def __call__(self, change: Change) -> None:
        if self.app in change.apps:
            self.changes.append(change)

    def summary(self) -> list[tuple[str, str]]:
        return sorted((c.type, c.key.name) for c in self.changes)


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalCluster]:
    """One API server per module (its teardown waits for open watches); tests keep to their own
    namespace and app, both named by the `ns` fixture."""
    async with LocalCluster(tmp_path_factory.mktemp("cache") / "cluster", controllers=False) as c:
        yield c


@pytest.fixture
async def client(cluster: LocalCluster) -> AsyncIterator[Client]:
    """The test's own client, for writes (the cache has its own)."""
    c = Client.from_config(load_config(cluster.kubeconfig), user_agent="kubectl")
    yield c
    await c.close()


@pytest.fixture
async def ns(client: Client) -> str:
    """A fresh namespace; the test's app has the same name."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    await client.create(NAMESPACES, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                        field_manager="kubectl")
    return name


@pytest.fixture
async def cache(cluster: LocalCluster) -> AsyncIterator[ClusterCache]:
    c = Client.from_config(load_config(cluster.kubeconfig), user_agent="trueup-cache")
    async with ClusterCache(c, Discovery(c)) as cc:
        yield cc
    await c.close()
