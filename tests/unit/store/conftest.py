"""Fixtures: every store test runs against an in-memory and a file-backed store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trueup.localcluster.store import Store


@pytest.fixture(params=["memory", "file"])
def store_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path | None:
    return None if request.param == "memory" else tmp_path / "store.db"


@pytest.fixture
def store(store_path: Path | None) -> Iterator[Store]:
    s = Store(store_path)
    yield s
    s.close()
