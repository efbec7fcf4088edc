"""The controller on trueup.cache: drift that happens while its watch is down (a dropped connection,
a 410 after compaction) is still healed; untracked objects of a managed kind are not held; after a
restart, the start-up scan finds tracked objects of kinds the app no longer renders (and prunes them).

Each test has its own embedded cluster (no built-in controllers: ConfigMaps and Services need none)
with a short watch history, so compaction can push a resume point out of it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.gitrepo import GitRepo
from trueup.controller import APPLICATIONS, Controller
from trueup.kube import Client, load_config
from trueup.kube.resources import CONFIGMAPS, SERVICES
from trueup.localcluster.cluster import LocalCluster
from trueup.source import RepoCache

Obj = dict[str, Any]
NAMESPACE = "trueup"
CM = ("", "ConfigMap")


def configmap(name: str, value: str = "1") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  v: {value!r}\n"


def service(name: str) -> str:
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  ports:\n    - port: 80\n"
            f"  selector: {{app: {name}}}\n")


def application(name: str, repo: GitRepo, dest: str) -> Obj:
    return {"apiVersion": "trueup.dev/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"project": "default",
                     "source": {"repoURL": str(repo.path), "targetRevision": "main", "path": "app"},
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": dest},
                     "syncPolicy": {"automated": {"prune": True, "selfHeal": True},
                                    "syncOptions": ["CreateNamespace=true"]}}}


class Env:
    def __init__(self, cluster: LocalCluster, tmp: Path) -> None:
        self.cluster = cluster
        self.tmp = tmp
        self.name = f"a-{uuid.uuid4().hex[:8]}"
        self.repo = GitRepo(tmp / "repo")
        self.writer = Client.from_config(load_config(cluster.kubeconfig), user_agent="kubectl")

    def controller(self) -> Controller:
        client = Client.from_config(load_config(self.cluster.kubeconfig), user_agent="trueup")
        repos = RepoCache(self.tmp / f"git-{uuid.uuid4().hex[:6]}", min_fetch_interval=0)
        return Controller(client, repos, namespace=NAMESPACE, poll_interval=3600.0, wave_timeout=30.0)

    async def synced(self, sha: str) -> None:
        async def check() -> bool:
            doc = await self.writer.get(APPLICATIONS, NAMESPACE, self.name)
            s = (doc or {}).get("status") or {}
            return (s.get("sync") or {}).get("status") == "Synced" and s["sync"].get("revision") == sha
        await until_async(check, what=f"{self.name} Synced at {sha[:8]}")

    async def value(self, name: str) -> str | None:
        cm = await self.writer.get(CONFIGMAPS, self.name, name)
        return None if cm is None else str((cm.get("data") or {}).get("v"))


async def until_async(check: Any, limit_s: float = 60.0, what: str = "condition") -> Any:
    import asyncio
    import time
    deadline = time.monotonic() + limit_s
    while True:
        last = await check()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit_s}s waiting for {what} (last: {last!r})")
        await asyncio.sleep(0.05)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with LocalCluster(tmp_path / "cluster", controllers=False, history_limit=5) as cluster:
        e = Env(cluster, tmp_path)
        yield e
        await e.writer.close()


async def test_drift_while_the_watch_was_expired_is_healed_after_the_relist(env: Env) -> None:
    sha = env.repo.write({f"app/cm{i}.yaml": configmap(f"cm{i}") for i in range(3)})
    async with env.controller() as ctl:
        await env.writer.create(APPLICATIONS, NAMESPACE, application(env.name, env.repo, env.name),
                                field_manager="kubectl")
        await env.synced(sha)
        inf = ctl.cache.informer(CM)
        assert inf is not None
        await inf.stop()  # a long partition: the watch is down, the cache keeps its resume point
        await env.writer.patch(CONFIGMAPS, env.name, "cm1", {"data": {"v": "drift"}}, field_manager="kubectl-edit")
        await env.writer.delete(CONFIGMAPS, env.name, "cm2")
        for i in range(8):  # unrelated writes push the resume point out of the 5-event history
            await env.writer.patch(CONFIGMAPS, env.name, "cm0", {"metadata": {"labels": {"n": str(i)}}},
                                   field_manager="kubectl-label")
        assert env.cluster.store is not None
        env.cluster.store.compact()
        assert env.cluster.store.compacted_rv > int(inf.resource_version)
        inf.start()
        await until_async(lambda: _all_healed(env), what="cm1 and cm2 healed after the relist")
        assert inf.stats.relists >= 1 and inf.stats.expired >= 1
    await ctl.client.close()


async def _all_healed(env: Env) -> bool:
    return await env.value("cm1") == "1" and await env.value("cm2") == "1"


async def test_drift_across_an_api_server_restart_is_healed_on_resume(tmp_path: Path) -> None:
    """Every connection drops; the controller's watches resume from their last resourceVersion
    (no relist) and the drift written meanwhile is healed."""
    first = LocalCluster(tmp_path / "cluster", controllers=False)
    await first.start()
    env = Env(first, tmp_path)
    sha = env.repo.write({"app/cm0.yaml": configmap("cm0")})
    async with env.controller() as ctl:
        await env.writer.create(APPLICATIONS, NAMESPACE, application(env.name, env.repo, env.name),
                                field_manager="kubectl")
        await env.synced(sha)
        inf = ctl.cache.informer(CM)
        assert inf is not None
        restarts = inf.stats.watch_restarts
        port = first.port
        await first.stop()
        async with LocalCluster(tmp_path / "cluster", controllers=False, port=port) as again:
            await env.writer.close()
            env.writer = Client.from_config(load_config(again.kubeconfig), user_agent="kubectl")
            await env.writer.patch(CONFIGMAPS, env.name, "cm0", {"data": {"v": "drift"}},
                                   field_manager="kubectl-edit")
            await until_async(lambda: _is(env, "cm0", "1"), what="cm0 healed after the watch resumed")
            assert inf.stats.watch_restarts > restarts and inf.stats.relists == 0
            await ctl.stop()
    await ctl.client.close()
    await env.writer.close()


async def _is(env: Env, name: str, value: str) -> bool:
    return await env.value(name) == value


async def test_untracked_objects_of_a_managed_kind_are_not_held(env: Env) -> None:
    sha = env.repo.write({f"app/cm{i}.yaml": configmap(f"cm{i}") for i in range(3)})
    async with env.controller() as ctl:
        await env.writer.create(APPLICATIONS, NAMESPACE, application(env.name, env.repo, env.name),
                                field_manager="kubectl")
        await env.synced(sha)
        for i in range(100):  # someone else's ConfigMaps, in the app's namespace and elsewhere
            obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"other-{i}"},
                   "data": {"blob": "x" * 2048}}
            await env.writer.create(CONFIGMAPS, env.name if i % 2 else "default", obj, field_manager="kubectl")
        last = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "last"}, "data": {}}
        await env.writer.create(CONFIGMAPS, "default", last, field_manager="kubectl")
        inf = ctl.cache.informer(CM)
        assert inf is not None
        await until_async(lambda: _dropped(inf.stats.dropped), what="the watch saw the untracked objects")
        assert len(inf) == 3  # only the app's own
        assert [o["metadata"]["name"] for o in ctl.cache.objects_of(env.name)] == ["cm0", "cm1", "cm2"]
        assert ctl.cache.memory_bytes() < 3 * 8192
        assert set(ctl.cache.watched()) == {CM}  # only the kinds apps manage
    await ctl.client.close()


async def _dropped(n: int) -> bool:
    return n >= 101


async def test_after_a_restart_a_kind_no_longer_rendered_is_still_found_and_pruned(tmp_path: Path) -> None:
    async with LocalCluster(tmp_path / "cluster") as cluster:  # its garbage collector finishes the prune
        env = Env(cluster, tmp_path)
        await _restart_and_prune(env)
        await env.writer.close()


async def _restart_and_prune(env: Env) -> None:
    sha = env.repo.write({"app/cm0.yaml": configmap("cm0"), "app/svc.yaml": service("svc")})
    async with env.controller() as first:
        await env.writer.create(APPLICATIONS, NAMESPACE, application(env.name, env.repo, env.name),
                                field_manager="kubectl")
        await env.synced(sha)
    await first.client.close()
    (env.repo.path / "app/svc.yaml").unlink()  # Git stops rendering any Service while no controller runs
    sha = env.repo.write({})
    async with env.controller() as second:  # never renders a Service: the start-up scan finds it
        assert ("", "Service") in second.cache.watched()
        await env.synced(sha)
        assert await env.writer.get(SERVICES, env.name, "svc") is None
    await second.client.close()
