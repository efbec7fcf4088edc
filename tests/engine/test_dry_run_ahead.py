"""Dry runs started while the render is still reading files (`engine.ahead.DryRunAhead`): the sync
reuses them instead of dry-running again, never before every object has passed, and never for
an object already live (that is the no-op check's to decide). Counted on the API server's side."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from tests.controller.audit import Audit
from tests.e2e.gitrepo import GitRepo
from trueup.app import parse_application
from trueup.engine import Engine
from trueup.engine.ahead import DryRunAhead
from trueup.kube import Client, load_config
from trueup.localcluster.cluster import LocalCluster
from trueup.source import RepoCache
from trueup.sync import SyncResult


def config_maps(count: int, *, bad: str = "") -> dict[str, str]:
    files = {}
    for f in range(count // 5):
        docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{f}-{i}"},
                 "data": {"file": str(f), "doc": str(i)}} for i in range(5)]
        files[f"app/file-{f:02d}.yaml"] = yaml.safe_dump_all(docs)
    if bad:
        files["app/zz-bad.yaml"] = yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap",
                                                   "metadata": {"name": bad}, "data": {"x": "1"}})
    return files


@pytest.fixture
async def audited(tmp_path: Path) -> AsyncIterator[tuple[LocalCluster, Audit, Client]]:
    audit = Audit()
    async with LocalCluster(tmp_path / "cluster", controllers=False, audit=audit) as cluster:
        client = Client.from_config(load_config(cluster.kubeconfig), user_agent="trueup-tests")
        yield cluster, audit, client
        await client.close()


async def sync_ahead(client: Client, tmp_path: Path, repo: GitRepo, ns: str) -> SyncResult:
    app = parse_application({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "ahead"},
        "spec": {"source": {"repoURL": str(repo.path), "targetRevision": "main", "path": "app"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": ns}}})
    engine = Engine(client, RepoCache(tmp_path / "git", min_fetch_interval=0))
    ahead = DryRunAhead(engine, app)
    try:
        desired = await engine.render(app, on_manifests=ahead.feed)
        return await engine.sync(app, desired, ahead=ahead)
    finally:
        await ahead.close()


async def test_first_sync_dry_runs_each_object_once_then_a_resync_dry_runs_none(
        audited: tuple[LocalCluster, Audit, Client], tmp_path: Path) -> None:
    _, audit, client = audited
    await client.request("POST", "/api/v1/namespaces", body={"metadata": {"name": "shop"}})
    repo = GitRepo(tmp_path / "repo")
    repo.write(config_maps(40))

    start = audit.mark()
    result = await sync_ahead(client, tmp_path, repo, "shop")
    assert result.ok, result.message
    assert result.count("created") == 40
    dry_runs = audit.dry_runs(start, "shop")
    assert len(dry_runs) == 40 and len({path for _, path, _ in dry_runs}) == 40  # each once: the sync reused them
    assert len(audit.writes(start, "shop")) == 40

    again = audit.mark()
    result = await sync_ahead(client, tmp_path, repo, "shop")
    assert result.count("unchanged") == 40
    assert audit.dry_runs(again, "shop") == [] and audit.writes(again, "shop") == []


async def test_one_invalid_object_still_means_no_write_at_all(audited: tuple[LocalCluster, Audit, Client],
                                                             tmp_path: Path) -> None:
    _, audit, client = audited
    await client.request("POST", "/api/v1/namespaces", body={"metadata": {"name": "shop"}})
    repo = GitRepo(tmp_path / "repo")
    repo.write(config_maps(20, bad="Not_Valid"))

    start = audit.mark()
    result = await sync_ahead(client, tmp_path, repo, "shop")
    assert not result.ok
    assert "nothing was changed" in result.message
    assert "app/zz-bad.yaml: ConfigMap shop/Not_Valid" in result.message
    assert audit.writes(start, "shop") == []
