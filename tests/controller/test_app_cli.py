"""`trueup app …` in-process (click's CliRunner, in a thread: the verbs run their own event loop)
against the embedded cluster and the module's Controller; everything goes through Application objects."""

from __future__ import annotations

import asyncio
import getpass
import json

from click.testing import CliRunner, Result

from tests.controller.conftest import Kit, application, configmap, until
from trueup.cli.main import cli
from trueup.controller import APPLICATIONS
from trueup.kube.resources import CONFIGMAPS
from trueup.localcluster.cluster import LocalCluster


async def app(cluster: LocalCluster, *args: str) -> Result:
    argv = ["app", *args, "--kubeconfig", str(cluster.kubeconfig)]
    return await asyncio.to_thread(CliRunner().invoke, cli, argv)


async def test_list_and_get_show_sync_and_health(kit: Kit, cluster: LocalCluster) -> None:
    sha = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(sha)
    listed = await app(cluster, "list", "-o", "wide")
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.stdout.splitlines() if line.startswith(kit.name))
    assert row.split()[1:5] == ["Synced", "Healthy", sha[:8], str(kit.repo.path)]
    got = await app(cluster, "get", kit.name)
    assert got.exit_code == 0, got.output
    assert f"Synced ({sha[:8]})" in got.stdout and "Healthy" in got.stdout
    assert "ConfigMap" in got.stdout and "settings" in got.stdout
    as_json = await app(cluster, "get", kit.name, "-o", "json")
    assert json.loads(as_json.stdout)["status"]["sync"]["status"] == "Synced"
    history = await app(cluster, "history", kit.name)
    assert sha[:12] in history.stdout and "automated" in history.stdout


async def test_sync_is_performed_by_the_controller_and_diff_reports_drift(kit: Kit, cluster: LocalCluster) -> None:
    sha = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns))
    await until(lambda: _sync_is(kit, "OutOfSync"), what="OutOfSync")
    diff = await app(cluster, "diff", kit.name)
    assert diff.exit_code == 1, diff.output
    assert "ConfigMap" in diff.stdout and "settings: OutOfSync" in diff.stdout
    synced = await app(cluster, "sync", kit.name, "--wait", "--timeout", "20")
    assert synced.exit_code == 0, synced.output
    assert "Succeeded" in synced.stdout
    status = await kit.synced(sha)
    assert [(h["revision"], h["initiator"]) for h in status["history"]] == [(sha, getpass.getuser())]
    assert await kit.client.get(CONFIGMAPS, kit.ns, "settings") is not None
    diff = await app(cluster, "diff", kit.name)
    assert diff.exit_code == 0, diff.output


async def test_wait_returns_when_synced_healthy_and_times_out_otherwise(kit: Kit, cluster: LocalCluster) -> None:
    kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    ok = await app(cluster, "wait", kit.name, "--sync", "--health", "--timeout", "20")
    assert ok.exit_code == 0, ok.output
    assert "sync Synced" in ok.stdout and "health Healthy" in ok.stdout
    # without automated sync nothing is deployed: never Synced nor Healthy
    other = f"{kit.name}-manual"
    await kit.create(application(other, kit.repo, other))
    await until(lambda: _sync_is(kit, "OutOfSync", other), what="OutOfSync")
    late = await app(cluster, "wait", other, "--sync", "--health", "--timeout", "1")
    assert late.exit_code == 1, late.output
    assert f"timed out after 1s waiting for {other}: sync OutOfSync" in late.stderr


async def test_rollback_is_refused_with_auto_sync_and_works_when_disabling_it(kit: Kit, cluster: LocalCluster) -> None:
    first = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(first)
    second = kit.repo.write({"app/cm.yaml": configmap("settings", mode="b")})
    refreshed = await app(cluster, "refresh", kit.name)
    assert refreshed.exit_code == 0, refreshed.output
    await kit.synced(second)
    refused = await app(cluster, "rollback", kit.name, "0")
    assert refused.exit_code == 2
    assert "automated sync" in refused.stderr and "--disable-auto-sync" in refused.stderr
    missing = await app(cluster, "rollback", kit.name, "7", "--disable-auto-sync")
    assert missing.exit_code == 2 and "no history id 7 (ids: 0, 1)" in missing.stderr
    done = await app(cluster, "rollback", kit.name, "0", "--disable-auto-sync", "--wait", "--timeout", "20")
    assert done.exit_code == 0, done.output
    doc = await kit.app()
    assert "automated" not in doc["spec"]["syncPolicy"]
    assert doc["status"]["history"][-1]["revision"] == first
    cm = await kit.client.get(CONFIGMAPS, kit.ns, "settings")
    assert cm is not None and cm["data"] == {"mode": "a"}


async def test_unknown_app_is_a_clear_error(cluster: LocalCluster) -> None:
    for verb in (["get", "nope"], ["wait", "nope", "--timeout", "1"], ["sync", "nope"], ["delete", "nope"]):
        result = await app(cluster, *verb)
        assert result.exit_code == 2, (verb, result.output)
        assert result.stderr.strip() == "error: application 'nope' not found in namespace 'trueup'"


async def test_delete_without_cascade_keeps_resources(kit: Kit, cluster: LocalCluster) -> None:
    sha = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(sha)
    deleted = await app(cluster, "delete", kit.name, "--no-cascade")
    assert deleted.exit_code == 0, deleted.output
    await until(lambda: _gone(kit), what="Application deleted")
    assert await kit.client.get(CONFIGMAPS, kit.ns, "settings") is not None


async def _sync_is(kit: Kit, want: str, name: str | None = None) -> bool:
    doc = await kit.client.get(APPLICATIONS, "trueup", name or kit.name)
    return bool(doc and ((doc.get("status") or {}).get("sync") or {}).get("status") == want)


async def _gone(kit: Kit) -> bool:
    return await kit.client.get(APPLICATIONS, "trueup", kit.name) is None
