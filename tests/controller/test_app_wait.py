"""`trueup app refresh` then `trueup app wait` as a CI pipeline runs them: never done on the status
from before the refresh; `wait --revision` (short SHA, branch) waits for that commit; `refresh
--wait` returns once the controller processed the refresh."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner, Result

from tests.controller.conftest import Kit, application, configmap
from tests.controller.test_operation_progress import job
from trueup.cli.main import cli
from trueup.localcluster.cluster import LocalCluster


async def app(cluster: LocalCluster, cache: Path, *args: str) -> Result:
    argv = ["app", *args, "--kubeconfig", str(cluster.kubeconfig)]
    runner = CliRunner(env={"TRUEUP_CACHE_DIR": str(cache)})
    return await asyncio.to_thread(runner.invoke, cli, argv)


async def test_wait_after_refresh_waits_for_the_new_commit(kit: Kit, cluster: LocalCluster, tmp_path: Path) -> None:
    cache = tmp_path / "cli-cache"
    first = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(first)
    # a commit whose sync takes a few seconds (a Job in wave 0); the controller polls every 60 s
    second = kit.repo.write({"app/cm.yaml": configmap("settings", mode="b"), "app/job.yaml": job("migrate", 2)})
    refreshed = await app(cluster, cache, "refresh", kit.name, "--hard")
    assert refreshed.exit_code == 0, refreshed.output
    waited = await app(cluster, cache, "wait", kit.name, "--sync", "--health", "--timeout", "60")
    assert waited.exit_code == 0, waited.output
    assert f"sync Synced at {second[:8]}, health Healthy" in waited.stdout

    third = kit.repo.write({"app/cm.yaml": configmap("settings", mode="c")})
    early = await app(cluster, cache, "wait", kit.name, "--revision", third[:7], "--timeout", "2")
    assert early.exit_code == 1, early.output  # not refreshed yet: still at the second commit
    assert f"sync Synced at {second[:8]}" in early.stderr
    unknown = await app(cluster, cache, "wait", kit.name, "--revision", "no-such-branch", "--timeout", "2")
    assert unknown.exit_code == 2, unknown.output
    assert "no-such-branch" in unknown.stderr and str(kit.repo.path) in unknown.stderr
    refreshed = await app(cluster, cache, "refresh", kit.name, "--wait", "--timeout", "60")
    assert refreshed.exit_code == 0, refreshed.output
    assert f"at {third[:8]}" in refreshed.stdout  # the comparison the refresh asked for
    by_branch = await app(cluster, cache, "wait", kit.name, "--revision", "main", "--sync", "--timeout", "60")
    assert by_branch.exit_code == 0, by_branch.output
    assert f"waiting for revision main ({third[:12]})" in by_branch.stderr
    assert f"sync Synced at {third[:8]}" in by_branch.stdout
    listed = await app(cluster, cache, "list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith(kit.name))
    assert row.split() == [kit.name, "Synced", "Healthy", third[:8], "Succeeded"]
