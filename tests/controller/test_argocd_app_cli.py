"""`trueup app …` and the HTTP API with Argo CD's Applications served beside trueup's: listed with
their API, found by name in either, a name in both refused until `--api` (or `?api=`) chooses.
The embedded cluster with Argo CD's CRD installed; the controller follows Argo CD's apps."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
import yaml
from click.testing import CliRunner, Result

from tests.controller.argo import argo_app, argo_synced, controller_following_argocd, get_argo
from tests.controller.conftest import NAMESPACE, Kit, application, configmap, until
from trueup.cli.main import cli
from trueup.controller import APPLICATIONS, Controller
from trueup.controller.operate import ARGO_APPLICATIONS
from trueup.controller.serving import server_hooks
from trueup.kube.resources import CONFIGMAPS
from trueup.localcluster.cluster import LocalCluster
from trueup.server import Running, ServerConfig, build_app, serve

TOKEN = "test-api-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalCluster]:
    async with LocalCluster(tmp_path_factory.mktemp("argocli") / "cluster") as c:
        yield c


@pytest.fixture(scope="module")
async def controller(cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Controller]:
    async with controller_following_argocd(cluster.kubeconfig, tmp_path_factory.mktemp("git")) as ctl:
        yield ctl


@pytest.fixture(scope="module")
async def server(controller: Controller) -> AsyncIterator[Running]:
    running = await serve(build_app(ServerConfig(api_tokens=(TOKEN,)), server_hooks(controller), controller.metrics),
                          "127.0.0.1:0")
    yield running
    await running.stop()


async def app(cluster: LocalCluster, *args: str) -> Result:
    argv = ["app", *args, "--kubeconfig", str(cluster.kubeconfig)]
    return await asyncio.to_thread(CliRunner().invoke, cli, argv)


async def _trueup_and_argo(kit: Kit) -> str:
    """trueup.dev app `<name>-t` and Argo CD app `<name>-a`, both in namespace trueup, Synced."""
    sha = kit.repo.write({"t/cm.yaml": configmap("t-cm", v="1"), "a/cm.yaml": configmap("a-cm", v="1")})
    await kit.create(application(f"{kit.name}-t", kit.repo, f"{kit.ns}-t", automated={}, path="t"))
    await kit.client.create(ARGO_APPLICATIONS, NAMESPACE,
                            argo_app(f"{kit.name}-a", NAMESPACE, kit.repo, f"{kit.ns}-a", "a"), field_manager="kubectl")
    await argo_synced(kit.client, NAMESPACE, f"{kit.name}-a", sha)
    await until(lambda: _trueup_synced(kit, f"{kit.name}-t", sha), limit_s=60, what="the trueup.dev app Synced")
    return sha


async def test_list_get_and_verbs_cover_argocd_applications(kit: Kit, cluster: LocalCluster) -> None:
    sha = await _trueup_and_argo(kit)
    listed = await app(cluster, "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["NAME", "API", "SYNC"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows[f"{kit.name}-a"][1:5] == ["argoproj.io", "Synced", "Healthy", sha[:8]]
    assert rows[f"{kit.name}-t"][1:5] == ["trueup.dev", "Synced", "Healthy", sha[:8]]
    as_yaml = yaml.safe_load((await app(cluster, "list", "-o", "yaml")).stdout)
    assert as_yaml["kind"] == "List"
    versions = {i["metadata"]["name"]: i["apiVersion"] for i in as_yaml["items"]}
    assert versions[f"{kit.name}-a"] == "argoproj.io/v1alpha1"
    assert versions[f"{kit.name}-t"] == "trueup.dev/v1alpha1"
    only = await app(cluster, "list", "--api", "trueup.dev")
    assert only.exit_code == 0 and "API" not in only.stdout.splitlines()[0] and f"{kit.name}-a" not in only.stdout

    got = await app(cluster, "get", f"{kit.name}-a")
    assert got.exit_code == 0, got.output
    assert "argoproj.io" in got.stdout and f"Synced ({sha[:8]})" in got.stdout and "a-cm" in got.stdout
    history = await app(cluster, "history", f"{kit.name}-a")
    assert history.exit_code == 0 and sha[:12] in history.stdout
    diff = await app(cluster, "diff", f"{kit.name}-a")
    assert diff.exit_code == 0, diff.output

    # an out-of-band change the Argo CD app heals: wait sees it back in sync; refresh --wait is processed
    refreshed = await app(cluster, "refresh", f"{kit.name}-a", "--hard", "--wait", "--timeout", "60")
    assert refreshed.exit_code == 0, refreshed.output
    assert "refresh" not in str((await get_argo(kit.client, NAMESPACE, f"{kit.name}-a"))["metadata"]
                                .get("annotations") or {})
    waited = await app(cluster, "wait", f"{kit.name}-a", "--revision", sha, "--timeout", "60")
    assert waited.exit_code == 0, waited.output

    # sync goes to the Argo CD app's operation; the controller runs it
    synced = await app(cluster, "sync", f"{kit.name}-a", "--wait", "--timeout", "60")
    assert synced.exit_code == 0, synced.output
    status = (await get_argo(kit.client, NAMESPACE, f"{kit.name}-a"))["status"]
    assert [h["initiatedBy"] for h in status["history"]][-1].get("username")

    # delete (no cascade) removes the Argo CD Application, its objects stay
    deleted = await app(cluster, "delete", f"{kit.name}-a", "--no-cascade")
    assert deleted.exit_code == 0, deleted.output
    await until(lambda: _argo_gone(kit, f"{kit.name}-a"), limit_s=60, what="the Argo CD app gone")
    assert await kit.client.get(CONFIGMAPS, f"{kit.ns}-a", "a-cm") is not None
    assert await kit.client.get(APPLICATIONS, NAMESPACE, f"{kit.name}-t") is not None


async def test_a_name_in_both_apis_needs_api_to_choose(kit: Kit, cluster: LocalCluster, server: Running) -> None:
    kit.repo.write({"t/cm.yaml": configmap("t-cm", v="1")})
    await kit.create(application(kit.name, kit.repo, kit.ns, path="t"))  # manual sync: nothing deployed
    await kit.client.create(ARGO_APPLICATIONS, NAMESPACE, argo_app(kit.name, NAMESPACE, kit.repo, kit.ns, "t"),
                            field_manager="kubectl")
    for verb in (["get"], ["sync"], ["wait", "--timeout", "1"], ["history"], ["diff"], ["refresh"],
                 ["delete"], ["rollback", kit.name]):
        args = [verb[0], kit.name, *verb[1:]] if verb[0] != "rollback" else ["rollback", kit.name, "0"]
        refused = await app(cluster, *args)
        assert refused.exit_code == 2, (verb, refused.output)
        assert "both a trueup.dev and an argoproj.io Application" in refused.stderr, refused.stderr
        assert "--api trueup.dev or --api argoproj.io" in refused.stderr
    assert await kit.client.get(APPLICATIONS, NAMESPACE, kit.name) is not None  # refused: nothing changed
    assert (await get_argo(kit.client, NAMESPACE, kit.name)).get("operation") is None
    chosen = await app(cluster, "get", kit.name, "--api", "argoproj.io", "-o", "json")
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.stdout)["apiVersion"] == "argoproj.io/v1alpha1"
    chosen = await app(cluster, "get", kit.name, "--api", "trueup.dev", "-o", "json")
    assert json.loads(chosen.stdout)["apiVersion"] == "trueup.dev/v1alpha1"
    bad = await app(cluster, "get", kit.name, "--api", "example.com")
    assert bad.exit_code == 2 and "--api" in bad.stderr

    # the HTTP API: both listed with their API; by name, 409 until ?api= chooses
    async with aiohttp.ClientSession() as http:
        async def listed() -> list[str]:
            async with http.get(f"{server.url}/api/v1/applications", headers=AUTH) as resp:
                items = (await resp.json())["items"]
            found = sorted(i["api"] for i in items if i["name"] == kit.name)
            assert found == ["argoproj.io", "trueup.dev"], items
            return found
        await until(listed, limit_s=30, what="both apps in the API")
        async with http.get(f"{server.url}/api/v1/applications/{kit.name}", headers=AUTH) as resp:
            assert resp.status == 409
            assert "?api=" in (await resp.json())["error"]
        async with http.get(f"{server.url}/api/v1/applications/{kit.name}?api=argoproj.io", headers=AUTH) as resp:
            assert resp.status == 200 and (await resp.json())["api"] == "argoproj.io"
        async with http.get(f"{server.url}/api/v1/applications/{kit.name}?api=nope", headers=AUTH) as resp:
            assert resp.status == 400


async def _trueup_synced(kit: Kit, name: str, sha: str) -> bool:
    doc = await kit.client.get(APPLICATIONS, NAMESPACE, name)
    s = (doc or {}).get("status") or {}
    return (s.get("sync") or {}).get("status") == "Synced" and s["sync"].get("revision") == sha \
        and (s.get("health") or {}).get("status") == "Healthy"


async def _argo_gone(kit: Kit, name: str) -> bool:
    return await kit.client.get(ARGO_APPLICATIONS, NAMESPACE, name) is None
