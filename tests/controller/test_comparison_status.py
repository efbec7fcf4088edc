"""Status-only changes keep the comparison: a status write on a managed Deployment (as its controllers
make while it rolls out; each a new resourceVersion) does not make the next refresh compare again.
Counted on the API server's side (`LocalCluster(audit=...)`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.controller.audit import Audit
from tests.controller.conftest import Kit, application, deployment
from tests.controller.test_comparison_cache import _refresh_and_wait
from trueup.kube.resources import DEPLOYMENTS
from trueup.localcluster.cluster import LocalCluster

AUDIT = Audit()


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalCluster]:
    async with LocalCluster(tmp_path_factory.mktemp("cmps") / "cluster", audit=AUDIT) as c:  # controllers on
        yield c


async def test_a_status_only_write_keeps_the_comparison(kit: Kit) -> None:
    sha = kit.repo.write({"app/web.yaml": deployment("web", replicas=2)})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(sha)  # Healthy: the rollout's status writes reached the app's status
    await _refresh_and_wait(kit)  # the first comparison after the sync is kept
    live = await kit.client.get(DEPLOYMENTS, kit.ns, "web")
    assert live is not None
    mark = AUDIT.mark()
    hits = kit.controller.comparisons.stats.hits
    # a status-only write, as the deployment controller makes: new resourceVersion, no spec change
    status = {**live["status"], "conditions": [*live["status"].get("conditions", []),
                                               {"type": "Bench", "status": "True", "reason": "Test"}]}
    await kit.client.patch(DEPLOYMENTS, kit.ns, "web", {"status": status}, field_manager="kube-controller-manager",
                           subresource="status")
    await _refresh_and_wait(kit)
    assert AUDIT.dry_runs(mark, kit.ns) == []
    assert kit.controller.comparisons.stats.hits > hits
    st = await kit.status()
    assert st["sync"]["status"] == "Synced" and st["health"]["status"] == "Healthy"
