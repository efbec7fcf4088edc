"""No event lost, none repeated: across a dropped connection, an API server restart and a 410 relist."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from trueup.cache import ClusterCache
from trueup.kube import Client, Discovery, load_config
from trueup.kube.resources import CONFIGMAPS, NAMESPACES
from trueup.localcluster.cluster import LocalCluster

from .conftest import ANN, Recorder, configmap, until

CM = ("", "ConfigMap")
NS = "shop"


async def started(cluster: LocalCluster) -> tuple[Client, ClusterCache]:
    """A writer client (the test's kubectl) and a synced cache of ConfigMaps, with namespace `shop`."""
    writer = Client.from_config(load_config(cluster.kubeconfig), user_agent="kubectl")
    await writer.create(NAMESPACES, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
                        field_manager="kubectl")
    for name in ("a", "b", "c", "d"):
        await writer.create(CONFIGMAPS, NS, configmap(name, NS, v="0"), field_manager="trueup")
    reader = Client.from_config(load_config(cluster.kubeconfig), user_agent="trueup-cache")
    cache = ClusterCache(reader, Discovery(reader))
    await cache.watch_kinds({CM})
    await cache.wait_synced(5)
    assert len(cache.objects_of(NS)) == 4
    return writer, cache


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[LocalCluster]:
    async with LocalCluster(tmp_path / "cluster", controllers=False, history_limit=3) as c:
        yield c


async def test_a_dropped_connection_resumes_without_loss_or_repeat(cluster: LocalCluster) -> None:
    writer, cache = await started(cluster)
    seen = Recorder(NS)
    cache.subscribe(seen)
    await cache.client.close()  # the watch's connection goes away under it
    await writer.patch(CONFIGMAPS, NS, "a", {"data": {"v": "1"}}, field_manager="kubectl")
    await writer.delete(CONFIGMAPS, NS, "b")
    await writer.create(CONFIGMAPS, NS, configmap("e", NS), field_manager="trueup")
    await until(lambda: len(seen.changes) >= 3, what="the three changes")
    await writer.patch(CONFIGMAPS, NS, "c", {"data": {"v": "1"}}, field_manager="kubectl")
    await until(lambda: len(seen.changes) >= 4, what="a change after the resume")
    assert seen.summary() == [("ADDED", "e"), ("DELETED", "b"), ("MODIFIED", "a"), ("MODIFIED", "c")]
    stats = cache.stats().kinds[CM].informer
    assert stats.watch_restarts >= 1 and stats.relists == 0  # resumed, not relisted
    await cache.stop()
    await cache.client.close()
    await writer.close()


async def test_an_api_server_restart_resumes_from_the_last_resource_version(tmp_path: Path) -> None:
    first = LocalCluster(tmp_path / "cluster", controllers=False)
    await first.start()
    writer, cache = await started(first)
    seen = Recorder(NS)
    cache.subscribe(seen)
    port = first.port
    await first.stop()
    async with LocalCluster(tmp_path / "cluster", controllers=False, port=port) as again:
        await writer.close()
        writer = Client.from_config(load_config(again.kubeconfig), user_agent="kubectl")
        await writer.patch(CONFIGMAPS, NS, "a", {"data": {"v": "1"}}, field_manager="kubectl")
        await writer.delete(CONFIGMAPS, NS, "b")
        await until(lambda: len(seen.changes) >= 2, limit_s=10, what="the changes made after the restart")
        assert seen.summary() == [("DELETED", "b"), ("MODIFIED", "a")]
        assert cache.get(seen.changes[-1].key) is None
        assert cache.stats().kinds[CM].informer.relists == 0
        await cache.stop()
        await cache.client.close()
        await writer.close()


async def test_410_relists_and_reports_exactly_the_missed_changes(cluster: LocalCluster) -> None:
    writer, cache = await started(cluster)
    seen = Recorder(NS)
    cache.subscribe(seen)
    inf = cache.informer(CM)
    assert inf is not None
    await inf.stop()  # a long pause (or a partition): the cache keeps its resume point
    before_a = cache.objects_of(NS)[0]
    await writer.patch(CONFIGMAPS, NS, "a", {"data": {"v": "1"}}, field_manager="kubectl")
    await writer.patch(CONFIGMAPS, NS, "a", {"data": {"v": "2"}}, field_manager="kubectl")
    await writer.delete(CONFIGMAPS, NS, "b")
    await writer.create(CONFIGMAPS, NS, configmap("e", NS), field_manager="trueup")
    await writer.patch(CONFIGMAPS, NS, "d", {"metadata": {"annotations": {ANN: None}}}, field_manager="kubectl")
    for i in range(5):  # untracked churn, and enough writes to push the resume point out of the history
        await writer.create(CONFIGMAPS, NS, configmap(f"noise-{i}", NS, app=None), field_manager="kubectl")
    assert cluster.store is not None
    cluster.store.compact()
    assert cluster.store.compacted_rv > int(inf.resource_version)
    inf.start()
    await until(lambda: inf.stats.relists == 1 and len(seen.changes) >= 4, what="the relist")
    assert seen.summary() == [("ADDED", "e"), ("DELETED", "b"), ("DELETED", "d"), ("MODIFIED", "a")]
    by_name = {c.key.name: c for c in seen.changes}
    assert by_name["a"].old is before_a and by_name["a"].new is not None  # two edits, one net change
    assert by_name["a"].new["data"] == {"v": "2"}
    assert by_name["d"].untracked and not by_name["b"].untracked
    assert inf.stats.expired == 1
    # and the watch goes on from the relist: the next change arrives once
    await writer.patch(CONFIGMAPS, NS, "c", {"data": {"v": "1"}}, field_manager="kubectl")
    await until(lambda: len(seen.changes) >= 5, what="a change after the relist")
    assert [(c.type, c.key.name) for c in seen.changes[4:]] == [("MODIFIED", "c")]
    assert sorted(o["metadata"]["name"] for o in cache.objects_of(NS)) == ["a", "c", "e"]
    await cache.stop()
    await cache.client.close()
    await writer.close()
