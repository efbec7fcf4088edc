"""The API-server semantics suites run on the API server alone (no controller writes in between):
in this folder `cluster` and `ns` are the session's controller-less cluster and a namespace in it."""

from __future__ import annotations

import pytest

from tests.conftest import RunningCluster


@pytest.fixture(scope="module")
def cluster(bare_cluster: RunningCluster) -> RunningCluster:
    return bare_cluster


@pytest.fixture
def ns(bare_ns: str) -> str:
    return bare_ns
