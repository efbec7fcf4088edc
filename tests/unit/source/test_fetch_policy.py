"""When the shared mirror fetches: known SHAs never, refs at most once per interval, force always."""

from __future__ import annotations

import asyncio

from tests.unit.source.conftest import FakeClock
from tests.unit.source.gitrepo import GitRepo

from trueup.source import RepoCache, RevisionNotFound


async def test_known_sha_never_fetches(cache: RepoCache, origin: GitRepo, clock: FakeClock) -> None:
    sha = origin.commit({"a.yaml": "1"})
    await cache.resolve(origin.url, "main")
    assert cache.fetch_count(origin.url) == 1
    clock.advance(3600)
    for revision in (sha, sha[:10]):
        assert (await cache.resolve(origin.url, revision)).commit_sha == sha
    await cache.read_tree(origin.url, sha)
    assert cache.fetch_count(origin.url) == 1


async def test_new_commit_seen_after_interval_not_before(cache: RepoCache, origin: GitRepo, clock: FakeClock) -> None:
    first = origin.commit({"a.yaml": "1"})
    assert (await cache.resolve(origin.url, "main")).commit_sha == first
    second = origin.commit({"a.yaml": "2"})
    clock.advance(30)
    assert (await cache.resolve(origin.url, "main")).commit_sha == first  # within min_fetch_interval
    assert cache.fetch_count(origin.url) == 1
    clock.advance(31)
    assert (await cache.resolve(origin.url, "main")).commit_sha == second
    assert cache.fetch_count(origin.url) == 2


async def test_force_fetches_within_interval(cache: RepoCache, origin: GitRepo) -> None:
    origin.commit({"a.yaml": "1"})
    await cache.resolve(origin.url, "HEAD")
    second = origin.commit({"a.yaml": "2"})
    assert (await cache.resolve(origin.url, "HEAD", force=True)).commit_sha == second
    assert cache.fetch_count(origin.url) == 2


async def test_new_sha_fetches_at_once(cache: RepoCache, origin: GitRepo) -> None:
    origin.commit({"a.yaml": "1"})
    await cache.resolve(origin.url, "main")
    pushed = origin.commit({"a.yaml": "2"})
    assert (await cache.resolve(origin.url, pushed)).commit_sha == pushed
    assert cache.fetch_count(origin.url) == 2


async def test_new_branch_found_with_one_fetch(cache: RepoCache, origin: GitRepo) -> None:
    sha = origin.commit({"a.yaml": "1"})
    await cache.resolve(origin.url, "main")
    origin.branch("hotfix", sha)
    assert (await cache.resolve(origin.url, "hotfix")).commit_sha == sha
    assert cache.fetch_count(origin.url) == 2


async def test_deleted_branch_disappears_after_fetch(cache: RepoCache, origin: GitRepo, clock: FakeClock) -> None:
    sha = origin.commit({"a.yaml": "1"})
    origin.branch("old", sha)
    await cache.resolve(origin.url, "old")
    origin.delete_branch("old")
    clock.advance(61)
    try:
        await cache.resolve(origin.url, "old")
    except RevisionNotFound as exc:
        assert "'old'" in str(exc)
    else:
        raise AssertionError("a branch deleted on the remote still resolved")


async def test_concurrent_resolves_share_one_clone(cache: RepoCache, origin: GitRepo) -> None:
    sha = origin.commit({"a.yaml": "1"})
    results = await asyncio.gather(*(cache.resolve(origin.url, "main") for _ in range(20)))
    assert {r.commit_sha for r in results} == {sha}
    assert cache.fetch_count(origin.url) == 1
    assert len(list((cache.root / "repos").iterdir())) == 1


async def test_url_spellings_share_the_mirror(cache: RepoCache, origin: GitRepo) -> None:
    origin.commit({"a.yaml": "1"})
    await cache.resolve(origin.url, "main")
    await cache.resolve(f"file://{origin.url}", "main")
    await cache.resolve(origin.url + "/", "main")
    assert cache.fetch_count(origin.url) == 1
    assert cache.mirror_path(origin.url) == cache.mirror_path(f"file://{origin.url}")
