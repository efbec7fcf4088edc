"""Fixtures for the Git source tests: an origin repository and a cache with a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.source.gitrepo import GitRepo

from trueup.source import RepoCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def origin(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "origin.git")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(tmp_path: Path, clock: FakeClock) -> RepoCache:
    return RepoCache(tmp_path / "cache", min_fetch_interval=60, clock=clock)
