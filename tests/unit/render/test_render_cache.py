"""The render cache: same inputs render once (even concurrently), different inputs don't collide."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from tests.unit.render.render_helpers import REPO, names, render_app

from trueup.render import RenderCache, RenderError


def _writable(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "plain", root / "plain")
    return root


async def test_same_inputs_are_served_from_the_cache(tmp_path: Path) -> None:
    root, cache = _writable(tmp_path), RenderCache()
    first = await render_app("plain/flat", root=root, cache=cache, cache_key="repo@c1")
    # a file changes on disk, but the commit (cache_key) is the same: the result must not change
    (root / "plain/flat/extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n")
    second = await render_app("plain/flat", root=root, cache=cache, cache_key="repo@c1")
    assert (cache.hits, cache.misses) == (1, 1)
    assert not first.cached and second.cached
    assert names(second) == names(first)
    third = await render_app("plain/flat", root=root, cache=cache, cache_key="repo@c2")  # new commit
    assert "ConfigMap/extra" in names(third) and cache.misses == 2


async def test_options_app_and_namespace_are_part_of_the_key() -> None:
    cache = RenderCache()
    await render_app("plain/nested", cache=cache, cache_key="k")
    recursed = await render_app("plain/nested", {"directory": {"recurse": True}}, cache=cache, cache_key="k")
    assert len(recursed.manifests) == 4
    await render_app("plain/nested", cache=cache, cache_key="k", namespace="other")
    await render_app("plain/nested", {"directory": {"recurse": False}}, cache=cache, cache_key="k")
    assert (cache.hits, cache.misses) == (0, 4)


async def test_concurrent_identical_renders_run_once() -> None:
    cache = RenderCache()
    results = await asyncio.gather(*(render_app("helm/web", cache=cache, cache_key="k") for _ in range(5)))
    assert cache.misses == 1 and cache.hits == 4
    assert all(names(r) == names(results[0]) for r in results)


async def test_lru_is_bounded() -> None:
    cache = RenderCache(max_entries=2)
    for key in ("a", "b", "c"):
        await render_app("plain/nested", cache=cache, cache_key=key)
    assert len(cache) == 2
    await render_app("plain/nested", cache=cache, cache_key="a")  # evicted: renders again
    assert cache.misses == 4


async def test_errors_are_raised_every_time_and_never_cached_as_empty() -> None:
    cache = RenderCache()
    for _ in range(2):
        with pytest.raises(RenderError):
            await render_app("plain/bad-yaml", cache=cache, cache_key="k")
    assert len(cache) == 0 and cache.misses == 2


async def test_copy_gives_mutable_objects_without_touching_the_cache() -> None:
    cache = RenderCache()
    result = await render_app("plain/nested", cache=cache, cache_key="k")
    mine = result.copy()
    mine[0].obj["metadata"]["name"] = "changed"
    again = await render_app("plain/nested", cache=cache, cache_key="k")
    assert names(again) == ["ConfigMap/top"]
