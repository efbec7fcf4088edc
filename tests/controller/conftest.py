"""The controller against an in-process embedded cluster with its controllers (Deployments become
Available), reached through a kubeconfig like any cluster; Git repos made with `GitRepo`.

One cluster and one Controller per module; every test uses its own app names and destination
namespace (tracking ids name the app, so names are unique per test)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.gitrepo import GitRepo
from trueup.controller import APPLICATIONS, Controller
from trueup.kube import Client, load_config
from trueup.localcluster.cluster import LocalCluster
from trueup.source import RepoCache

Obj = dict[str, Any]
NAMESPACE = "trueup"


async def until(check: Callable[[], Any], limit_s: float = 15.0, what: str = "condition") -> Any:
    """Await `check()` (sync or async) until truthy (returned), with a deadline; never a fixed sleep."""
    deadline = time.monotonic() + limit_s
    last: Any = None
    while True:
        try:
            last = check()
            if asyncio.iscoroutine(last):
                last = await last
            if last:
                return last
        except (AssertionError, KeyError, IndexError, TypeError) as exc:
            last = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit_s}s waiting for {what} (last: {last!r})")
        await asyncio.sleep(0.05)


def deployment(name: str, replicas: int = 1, image: str = "nginx:1.27") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: web
          image: {image}
"""


def configmap(name: str, **data: str) -> str:
    body = "".join(f"  {k}: {v!r}\n" for k, v in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n{body}"


def application(name: str, repo: GitRepo, dest_ns: str, *, automated: Obj | None = None, path: str = "app",
                **spec: Any) -> Obj:
    policy: Obj = {"syncOptions": ["CreateNamespace=true"]}
    if automated is not None:
        policy["automated"] = automated
    return {"apiVersion": "trueup.dev/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"project": "default",
                     "source": {"repoURL": str(repo.path), "targetRevision": "main", "path": path},
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": dest_ns},
                     "syncPolicy": policy, **spec}}


class Kit:
    """One test's view: its client, repo, unique names, and readers of its Application."""

    def __init__(self, client: Client, controller: Controller, tmp: Path) -> None:
        self.client = client
        self.controller = controller
        self.tmp = tmp
        self.name = f"a-{uuid.uuid4().hex[:8]}"
        self.ns = self.name
        self.repo = GitRepo(tmp / "repo")

    async def create(self, doc: Obj) -> None:
        await self.client.create(APPLICATIONS, NAMESPACE, doc, field_manager="kubectl")

    async def app(self) -> Obj:
        doc = await self.client.get(APPLICATIONS, NAMESPACE, self.name)
        assert doc is not None
        return doc

    async def status(self) -> Obj:
        return dict((await self.app()).get("status") or {})

    async def conditions(self, type_: str) -> list[str]:
        return [c["message"] for c in (await self.status()).get("conditions") or [] if c["type"] == type_]

    async def synced(self, revision: str, health: str = "Healthy") -> Obj:
        async def check() -> Obj | None:
            s = await self.status()
            ok = (s.get("sync") or {}).get("status") == "Synced" and s["sync"].get("revision") == revision \
                and (s.get("health") or {}).get("status") == health
            assert ok, s
            return s
        result: Obj = await until(check, what=f"{self.name} Synced/{health} at {revision[:8]}")
        return result


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalCluster]:
    async with LocalCluster(tmp_path_factory.mktemp("ctl") / "cluster") as c:
        yield c


@pytest.fixture(scope="module")
async def client(cluster: LocalCluster) -> AsyncIterator[Client]:
    c = Client.from_config(load_config(cluster.kubeconfig), user_agent="kubectl")
    yield c
    await c.close()


@pytest.fixture(scope="module")
async def controller(cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Controller]:
    c = Client.from_config(load_config(cluster.kubeconfig), user_agent="trueup")
    repos = RepoCache(tmp_path_factory.mktemp("git"), min_fetch_interval=0)
    async with Controller(c, repos, namespace=NAMESPACE, poll_interval=60.0, wave_timeout=30.0) as ctl:
        yield ctl
    await c.close()


@pytest.fixture
def kit(client: Client, controller: Controller, tmp_path: Path) -> Kit:
    return Kit(client, controller, tmp_path)
