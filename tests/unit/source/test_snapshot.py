"""Reading trees at a commit: content, concurrency, confinement, materialized directories."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from tests.unit.source.gitrepo import Executable, GitRepo, Link

from trueup.source import PathError, RepoCache, Snapshot


@pytest.fixture
def layout(origin: GitRepo) -> str:
    return origin.commit({
        "apps/web/deploy.yaml": "kind: Deployment\n",
        "apps/web/values.yaml": "replicas: 2\n",
        "apps/web/shared.yaml": Link("../../common/shared.yaml"),     # inside: followed
        "apps/web/common": Link("../../common"),                      # a directory link inside
        "apps/web/passwd": Link("../../../etc/passwd"),                # escapes through ..
        "apps/api/cm.yaml": "kind: ConfigMap\n",
        "apps/evil/hosts": Link("/etc/hosts"),                         # absolute target
        "apps/evil/chain": Link("../web/passwd"),                      # inside link to an escaping link
        "apps/loop/a": Link("b"), "apps/loop/b": Link("a"),
        "common/shared.yaml": "shared: true\n",
        "base/kustomization.yaml": "resources: []\n",
        "overlays/prod/kustomization.yaml": "resources: [../../base]\n",
        "bin/tool.sh": Executable("#!/bin/sh\n"), "bin/plain.txt": "x\n",
    })


async def snap(cache: RepoCache, origin: GitRepo, sha: str) -> Snapshot:
    return await cache.read_tree(origin.url, sha)


async def test_reads_files_and_follows_inside_symlinks(cache: RepoCache, origin: GitRepo, layout: str) -> None:
    s = await snap(cache, origin, layout)
    assert s.commit_sha == layout
    assert await s.read_text("apps/web/deploy.yaml") == "kind: Deployment\n"
    assert await s.read_text("values.yaml", base="apps/web") == "replicas: 2\n"
    assert await s.read_text("apps/web/shared.yaml") == "shared: true\n"
    assert await s.read_text("apps/web/common/shared.yaml") == "shared: true\n"
    assert await s.read_text("../../common/shared.yaml", base="apps/web") == "shared: true\n"
    assert await s.resolve_path("apps/web/./../web/common") == "common"
    assert await s.exists("apps/web/missing.yaml") is False
    assert await s.is_dir("apps/web") is True


@pytest.mark.parametrize(("path", "base", "named"), [
    ("../outside.yaml", "", "../outside.yaml"),
    ("../../../etc/passwd", "apps/web", "apps/web/../../../etc/passwd"),
    ("/etc/passwd", "", "/etc/passwd"),
    ("apps/web/passwd", "", "apps/web/passwd"),
    ("passwd", "apps/web", "apps/web/passwd"),
    ("apps/evil/hosts", "", "apps/evil/hosts"),
    ("apps/evil/chain", "", "apps/evil/chain"),
    ("apps/loop/a", "", "apps/loop/a"),
])
async def test_confinement_errors_name_the_path(cache: RepoCache, origin: GitRepo, layout: str,
                                                path: str, base: str, named: str) -> None:
    s = await snap(cache, origin, layout)
    for call in (s.read_bytes(path, base), s.exists(path, base), s.resolve_path(path, base)):
        with pytest.raises(PathError) as info:
            await call
        assert f"'{named}'" in str(info.value)
        assert "inside the repository" in str(info.value) or "loop" in str(info.value)


async def test_missing_file_error_names_path_and_commit(cache: RepoCache, origin: GitRepo, layout: str) -> None:
    s = await snap(cache, origin, layout)
    with pytest.raises(PathError) as info:
        await s.read_text("apps/web/nope.yaml")
    assert "'apps/web/nope.yaml'" in str(info.value) and layout[:12] in str(info.value)


async def test_list_files(cache: RepoCache, origin: GitRepo, layout: str) -> None:
    s = await snap(cache, origin, layout)
    assert await s.list_files("apps/api") == ["apps/api/cm.yaml"]
    assert await s.list_files("overlays") == ["overlays/prod/kustomization.yaml"]
    with pytest.raises(PathError, match="'apps/web/passwd'"):
        await s.list_files("apps/web")  # a symlink leading outside is an error, never skipped silently


async def test_concurrent_reads_of_two_commits(cache: RepoCache, origin: GitRepo) -> None:
    old = origin.commit({f"f{i}.yaml": f"old {i}\n" for i in range(20)})
    new = origin.commit({f"f{i}.yaml": f"new {i}\n" for i in range(20)})
    snaps = {sha: await cache.read_tree(origin.url, sha) for sha in (old, new)}

    async def read(sha: str, i: int) -> tuple[str, int, str]:
        return sha, i, await snaps[sha].read_text(f"f{i}.yaml")

    results = await asyncio.gather(*(read(sha, i) for _ in range(5) for sha in (old, new) for i in range(20)))
    assert len(results) == 200
    for sha, i, text in results:
        assert text == (f"old {i}\n" if sha == old else f"new {i}\n")


async def test_materialize_whole_commit_read_only(cache: RepoCache, origin: GitRepo, layout: str) -> None:
    s = await snap(cache, origin, layout)
    overlay = await s.materialize("overlays/prod")
    assert overlay.name == "prod" and (overlay / "kustomization.yaml").read_text() == "resources: [../../base]\n"
    assert (overlay / "../../base/kustomization.yaml").resolve().is_file()  # kustomize can reach its base
    root = overlay.parent.parent
    assert os.stat(root / "bin/tool.sh").st_mode & 0o111 and not os.stat(root / "bin/plain.txt").st_mode & 0o111
    assert not os.access(overlay / "kustomization.yaml", os.W_OK) or os.geteuid() == 0
    assert not (os.stat(overlay).st_mode & 0o222)
    assert not (os.stat(overlay / "kustomization.yaml").st_mode & 0o222)
    # escaping symlinks are never written; links inside are
    for refused in ("apps/web/passwd", "apps/evil/hosts", "apps/evil/chain"):
        assert not (root / refused).is_symlink() and not (root / refused).exists(), refused
    assert (root / "apps/web/common").is_symlink()
    assert (root / "apps/web/shared.yaml").read_text() == "shared: true\n"
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            if p.is_symlink():
                assert p.resolve().is_relative_to(root.resolve()), p


async def test_materialize_refuses_subtree_with_escaping_symlink(cache: RepoCache, origin: GitRepo,
                                                                 layout: str) -> None:
    s = await snap(cache, origin, layout)
    with pytest.raises(PathError, match="symlink 'apps/web/passwd'"):
        await s.materialize("apps/web")
    with pytest.raises(PathError, match=r"'\.\./x'"):
        await s.materialize("../x")
    with pytest.raises(PathError, match="not a directory"):
        await s.materialize("apps/api/cm.yaml")


async def test_materialize_is_shared_and_written_once(cache: RepoCache, origin: GitRepo) -> None:
    sha = origin.commit({"app/a.yaml": "a\n", "other/b.yaml": "b\n"})
    s1 = await cache.read_tree(origin.url, sha)
    s2 = await cache.read_tree(origin.url, sha)
    dirs = await asyncio.gather(*(s.materialize("app") for s in (s1, s2) for _ in range(5)))
    assert len(set(dirs)) == 1
    first = dirs[0]
    inode = os.stat(first / "a.yaml").st_ino
    again = await RepoCache(cache.root).read_tree(origin.url, sha)  # another cache, same root: reused
    assert os.stat((await again.materialize("app")) / "a.yaml").st_ino == inode
    assert [p.name for p in (cache.root / "trees").iterdir()] == [sha]  # no temporary leftovers


async def test_materialize_two_commits_apart(cache: RepoCache, origin: GitRepo) -> None:
    old = origin.commit({"app/a.yaml": "old\n"})
    new = origin.commit({"app/a.yaml": "new\n"})
    d_old, d_new = await asyncio.gather((await cache.read_tree(origin.url, old)).materialize("app"),
                                        (await cache.read_tree(origin.url, new)).materialize("app"))
    assert (d_old / "a.yaml").read_text() == "old\n" and (d_new / "a.yaml").read_text() == "new\n"


async def test_read_tree_needs_a_commit(cache: RepoCache, origin: GitRepo, layout: str) -> None:
    with pytest.raises(Exception, match="resolve the revision first"):
        await cache.read_tree(origin.url, "main")
