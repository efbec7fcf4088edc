"""Resolving every kind of target revision against a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.source.gitrepo import GitRepo

from trueup.source import RepoCache, RevisionKind, RevisionNotFound, SourceError


@pytest.fixture
def history(origin: GitRepo) -> dict[str, str]:
    """main: c1 -> c2 -> c3; branch feature at c2; tags incl. semver, pre-release and an annotated tag."""
    c1 = origin.commit({"app/cm.yaml": "v: 1\n"})
    c2 = origin.commit({"app/cm.yaml": "v: 2\n"})
    c3 = origin.commit({"app/cm.yaml": "v: 3\n"})
    origin.branch("feature/login", c2)
    origin.tag("v1.0.0", c1)
    origin.tag("v1.2.0", c2)
    origin.tag("v2.0.0-rc.1", c3)
    origin.annotated_tag("v1.3.0", c3)
    origin.tag("stable", c1)
    return {"c1": c1, "c2": c2, "c3": c3}


async def test_head_is_the_default_branch(cache: RepoCache, origin: GitRepo, history: dict[str, str]) -> None:
    for revision in ("HEAD", ""):
        r = await cache.resolve(origin.url, revision)
        assert (r.commit_sha, r.ref_name, r.kind) == (history["c3"], "refs/heads/main", RevisionKind.HEAD)


async def test_branch_names(cache: RepoCache, origin: GitRepo, history: dict[str, str]) -> None:
    r = await cache.resolve(origin.url, "feature/login")
    assert (r.commit_sha, r.ref_name, r.kind) == (history["c2"], "refs/heads/feature/login", RevisionKind.BRANCH)
    r = await cache.resolve(origin.url, "refs/heads/main")
    assert (r.commit_sha, r.kind) == (history["c3"], RevisionKind.BRANCH)


async def test_tags_lightweight_and_annotated(cache: RepoCache, origin: GitRepo, history: dict[str, str]) -> None:
    r = await cache.resolve(origin.url, "stable")
    assert (r.commit_sha, r.ref_name, r.kind) == (history["c1"], "refs/tags/stable", RevisionKind.TAG)
    annotated = await cache.resolve(origin.url, "v1.3.0")  # a plain version is an exact tag name
    assert (annotated.commit_sha, annotated.kind) == (history["c3"], RevisionKind.TAG)
    assert (await cache.resolve(origin.url, "refs/tags/v1.0.0")).commit_sha == history["c1"]


async def test_full_and_short_commit_shas(cache: RepoCache, origin: GitRepo, history: dict[str, str]) -> None:
    full = await cache.resolve(origin.url, history["c1"])
    assert (full.commit_sha, full.ref_name, full.kind) == (history["c1"], "", RevisionKind.COMMIT)
    short = await cache.resolve(origin.url, history["c2"][:8])
    assert (short.commit_sha, short.kind) == (history["c2"], RevisionKind.COMMIT)
    upper = await cache.resolve(origin.url, history["c3"].upper())
    assert upper.commit_sha == history["c3"]


@pytest.mark.parametrize(("constraint", "tag", "commit"), [
    ("1.*", "v1.3.0", "c3"), ("^1.0", "v1.3.0", "c3"), ("~1.2.0", "v1.2.0", "c2"), (">=1.0.0 <1.2.0", "v1.0.0", "c1"),
    (">=2.0.0-0", "v2.0.0-rc.1", "c3"),
])
async def test_semver_ranges_pick_the_highest_tag(cache: RepoCache, origin: GitRepo, history: dict[str, str],
                                                  constraint: str, tag: str, commit: str) -> None:
    r = await cache.resolve(origin.url, constraint)
    assert (r.commit_sha, r.ref_name, r.kind) == (history[commit], f"refs/tags/{tag}", RevisionKind.SEMVER)


async def test_semver_ranges_never_match_branches(cache: RepoCache, origin: GitRepo) -> None:
    c = origin.commit({"a": "1"})
    origin.branch("3.0.0", c)  # a branch named like a version
    with pytest.raises(RevisionNotFound, match=r"no tag .* matches the semver constraint '\^3.0'"):
        await cache.resolve(origin.url, "^3.0")


async def test_unknown_revision_names_it_and_suggests(cache: RepoCache, origin: GitRepo,
                                                      history: dict[str, str]) -> None:
    with pytest.raises(RevisionNotFound) as info:
        await cache.resolve(origin.url, "feature/logn")
    message = str(info.value)
    assert "'feature/logn'" in message and origin.url in message
    assert "feature/login" in info.value.candidates and "feature/login" in message
    assert "targetRevision" in message


async def test_missing_sha_is_not_found(cache: RepoCache, origin: GitRepo, history: dict[str, str]) -> None:
    missing = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(RevisionNotFound, match=missing):
        await cache.resolve(origin.url, missing)


async def test_missing_repository_names_it_without_the_password(cache: RepoCache) -> None:
    with pytest.raises(SourceError) as info:
        await cache.resolve("https://bob:hunter2@127.0.0.1:9/team/missing.git", "main")
    message = str(info.value)
    assert "hunter2" not in message and "bob" not in message
    assert "127.0.0.1:9/team/missing.git" in message


async def test_missing_local_repository_leaves_no_mirror(cache: RepoCache, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"nope\.git not found"):
        await cache.resolve(f"{tmp_path}/nope.git", "main")
    repos = cache.root / "repos"
    assert not repos.exists() or not any(repos.iterdir())
