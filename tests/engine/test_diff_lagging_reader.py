"""The engine's diff with a watch cache that lags the API server: the dry run answers from the
object as stored now, the cache from an older version. A field Git never set (written meanwhile
by another manager, like the deployment controller's revision annotation) must not show as drift,
and a field Git does set, changed meanwhile, still must."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.controller.conftest import application, configmap
from tests.e2e.gitrepo import GitRepo
from trueup.app import parse_application
from trueup.engine import Engine
from trueup.kube import Client, load_config
from trueup.kube.resources import CONFIGMAPS
from trueup.localcluster.cluster import LocalCluster
from trueup.model import ResourceKey
from trueup.source import RepoCache

Obj = dict[str, Any]


class Snapshot:
    """A reader frozen at the moment it was made (what a cache that has not seen the latest events holds)."""

    def __init__(self, objects: list[Obj]) -> None:
        self.objects = {ResourceKey.of(o): o for o in objects}

    def covers(self, group: str, kind: str) -> bool:
        return True

    def get(self, key: ResourceKey) -> Obj | None:
        return self.objects.get(key)

    def tracked_objects(self, app: str) -> list[Obj] | None:
        return list(self.objects.values())


@pytest.fixture
async def engine(api_only: LocalCluster, tmp_path: Path) -> AsyncIterator[Engine]:
    client = Client.from_config(load_config(api_only.kubeconfig), user_agent="trueup-tests")
    yield Engine(client, RepoCache(tmp_path / "cache"))
    await client.close()


async def test_a_lagging_reader_shows_only_the_drift_of_fields_git_sets(engine: Engine, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    app = parse_application(application("lagging", repo, "default"))
    desired = await engine.render(app)
    assert (await engine.sync(app, desired)).ok
    client = engine.client
    snapshot = await client.get(CONFIGMAPS, "default", "settings")
    assert snapshot is not None
    engine.live = Snapshot([snapshot])

    await client.patch(CONFIGMAPS, "default", "settings", {"metadata": {"annotations": {"other/revision": "4"}}},
                       field_manager="other-controller", patch_type="merge")
    diffs = await engine.diff(app, desired)
    assert [(str(d.key), d.in_sync) for d in diffs] == [("ConfigMap default/settings", True)], \
        [c.path for d in diffs for c in d.changes]

    await client.patch(CONFIGMAPS, "default", "settings", {"data": {"mode": "b"}}, field_manager="kubectl-edit",
                       patch_type="merge")
    (diff,) = await engine.diff(app, desired)
    assert not diff.in_sync
    assert [(c.path, c.changed_by.manager if c.changed_by else None) for c in diff.changes] == \
        [(".data.mode", "kubectl-edit")]
