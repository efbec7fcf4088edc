"""The comparison cache, counted on the API server's side: a no-change refresh makes no server-side
dry run and reads no live object over the API (diff and health come from the watch cache); a
change on either side (an out-of-band edit, a new commit) is compared again.

The cluster here records every request it serves (`LocalCluster(audit=...)`), so the counts are
what the server saw, not what the client says it sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.controller.audit import Audit
from tests.controller.conftest import NAMESPACE, Kit, application, configmap, until
from trueup.controller import APPLICATIONS
from trueup.controller.status import now_iso
from trueup.kube.resources import CONFIGMAPS
from trueup.localcluster.cluster import LocalCluster

REFRESH = "argocd.argoproj.io/refresh"


AUDIT = Audit()


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalCluster]:
    async with LocalCluster(tmp_path_factory.mktemp("cmp") / "cluster", controllers=False, audit=AUDIT) as c:
        yield c


async def _refresh_and_wait(kit: Kit) -> str:
    """Set the refresh annotation (as `trueup app refresh` does); return the newer reconciledAt the
    controller writes after it."""
    doc = await kit.app()
    before = str((doc.get("status") or {}).get("reconciledAt") or "")
    # reconciledAt has a resolution of one second: refresh once the clock has passed the last one
    await until(lambda: now_iso() > before, limit_s=5, what="the next second")
    ann = (doc["metadata"].get("annotations") or {}).get(REFRESH)
    patched = await kit.client.patch(APPLICATIONS, NAMESPACE, kit.name, {"metadata": {"annotations": {
        REFRESH: "hard" if ann == "normal" else "normal"}}}, field_manager="kubectl")
    after = int(patched["metadata"]["resourceVersion"])

    async def written() -> str | None:
        now = await kit.app()
        at = str((now.get("status") or {}).get("reconciledAt") or "")
        return at if int(now["metadata"]["resourceVersion"]) > after and at > before else None

    result: str = await until(written, limit_s=60, what="a reconcile after the refresh")
    return result


def _files(n: int, value: str = "1") -> dict[str, str]:
    return {f"app/cm{i}.yaml": configmap(f"cm{i}", v=value) for i in range(n)}


async def test_a_no_change_refresh_makes_no_dry_run_and_reads_nothing(kit: Kit) -> None:
    sha = kit.repo.write(_files(5))
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"prune": True}))
    await kit.synced(sha)
    await _refresh_and_wait(kit)  # the first comparison after the sync settles the cache entry
    hits = kit.controller.comparisons.stats.hits
    mark = AUDIT.mark()
    for _ in range(3):
        await _refresh_and_wait(kit)
    assert AUDIT.dry_runs(mark, kit.ns) == []
    assert AUDIT.live_reads(mark, kit.ns) == []
    assert kit.controller.comparisons.stats.hits >= hits + 3
    status = await kit.status()
    assert status["sync"]["status"] == "Synced" and status["health"]["status"] == "Healthy"
    assert sorted(r["name"] for r in status["resources"]) == [f"cm{i}" for i in range(5)]


async def test_an_out_of_band_edit_is_compared_again_then_cached(kit: Kit) -> None:
    sha = kit.repo.write(_files(3))
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))  # no selfHeal: drift is reported
    await kit.synced(sha)
    mark = AUDIT.mark()
    await kit.client.patch(CONFIGMAPS, kit.ns, "cm1", {"data": {"v": "2"}}, field_manager="kubectl-edit")
    messages = await until(lambda: kit.conditions("DriftDetected"), limit_s=60, what="DriftDetected")
    assert ".data.v" in messages[0] and "kubectl-edit" in messages[0]
    assert len(AUDIT.dry_runs(mark, kit.ns)) >= 3  # the edit invalidated the comparison: all compared again
    mark = AUDIT.mark()
    await _refresh_and_wait(kit)
    assert AUDIT.dry_runs(mark, kit.ns) == []  # the drifted comparison is itself reused
    status = await kit.status()
    assert status["sync"]["status"] == "OutOfSync"
    assert await kit.conditions("DriftDetected")


async def test_a_new_commit_is_compared_and_synced(kit: Kit) -> None:
    kit.repo.write(_files(2))
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"prune": True}))
    await kit.synced(kit.repo.write(_files(2)))
    mark = AUDIT.mark()
    sha = kit.repo.write(_files(2, value="2"))
    await _refresh_and_wait(kit)
    await kit.synced(sha)
    assert len(AUDIT.dry_runs(mark, kit.ns)) >= 2
    cm = await kit.client.get(CONFIGMAPS, kit.ns, "cm0")
    assert cm is not None and cm["data"] == {"v": "2"}
