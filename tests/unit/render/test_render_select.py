"""Choosing the renderer like Argo CD, and the package surface."""

from __future__ import annotations

import pytest
from tests.unit.render.render_helpers import render_app

import trueup.render
from trueup.render import RENDERERS, RenderError


@pytest.mark.parametrize(("path", "renderer"), [
    ("helm/web", "helm"), ("kustomize/overlay", "kustomize"), ("plain/flat", "directory"),
    ("jsonnet/list", "directory"),
])
async def test_detection(path: str, renderer: str) -> None:
    assert (await render_app(path)).renderer == renderer


async def test_explicit_directory_block_wins_over_detection() -> None:
    # a chart directory rendered as plain YAML: templates/ is not read without recurse, Chart.yaml and
    # values.yaml have no kind → nothing to deploy, and that is a successful empty result
    result = await render_app("helm/library", {"directory": {"recurse": False}})
    assert result.renderer == "directory" and result.empty
    assert result.ignored_files == ("helm/library/Chart.yaml", "helm/library/values.yaml")


async def test_empty_blocks_do_not_count_as_explicit() -> None:
    assert (await render_app("helm/web", {"kustomize": {}, "directory": None})).renderer == "helm"


async def test_two_source_types_are_an_error() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("helm/web", {"helm": {"releaseName": "x"}, "kustomize": {"namePrefix": "y"}})
    assert "more than one source type" in str(err.value)


async def test_plugin_sources_are_refused_clearly() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("plain/flat", {"plugin": {"name": "cdk8s"}})
    assert err.value.file == "spec.source.plugin"


def test_registry_and_exports() -> None:
    assert set(RENDERERS) == {"helm", "kustomize", "directory"}
    assert sorted(trueup.render.__all__) == sorted(
        ["ARGO_EXTRA", "DEFAULT_CACHE", "RENDERERS", "RenderCache", "RenderError", "RenderResult",
         "RenderSettings", "render"])
    for name in trueup.render.__all__:
        assert getattr(trueup.render, name) is not None
