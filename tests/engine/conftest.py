"""The engine against the embedded cluster, reached only through a kubeconfig, like any cluster."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from trueup.kube import Client, Discovery, load_config
from trueup.localcluster.cluster import LocalCluster


@pytest.fixture
async def api_only(tmp_path: Path) -> AsyncIterator[LocalCluster]:
    """An embedded API server without controllers: objects keep exactly the state tests give them."""
    async with LocalCluster(tmp_path / "cluster", controllers=False) as c:
        yield c


@pytest.fixture
async def kube(api_only: LocalCluster) -> AsyncIterator[tuple[Client, Discovery]]:
    client = Client.from_config(load_config(api_only.kubeconfig), user_agent="trueup-tests")
    yield client, Discovery(client)
    await client.close()
