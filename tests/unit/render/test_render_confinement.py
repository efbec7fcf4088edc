"""Every path a render reads stays inside the repository: `..`, absolute paths, symlinks."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.render.render_helpers import copy_repo, names, render_app

from trueup.render import RenderError


async def test_app_path_escaping_with_dotdot_is_refused() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("plain/../../..")
    assert "spec.source.path" in str(err.value) and "outside the repository" in str(err.value)


async def test_absolute_value_file_is_refused() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("helm/web", {"helm": {"valueFiles": ["/etc/hostname"]}})
    assert "absolute path" in str(err.value)


async def test_symlinked_manifest_leading_outside_is_refused(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    (root / "plain/flat/stolen.yaml").symlink_to(tmp_path / "outside/secret.yaml")
    with pytest.raises(RenderError) as err:
        await render_app("plain/flat", root=root)
    assert err.value.file == "plain/flat/stolen.yaml" and "symlink" in str(err.value)
    assert "hunter2" not in str(err.value)


async def test_symlink_inside_the_repository_is_fine(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    (root / "plain/flat/link.yaml").symlink_to(root / "plain/nested/top.yaml")
    result = await render_app("plain/flat", root=root)
    assert "ConfigMap/top" in names(result)


async def test_symlinked_app_directory_leading_outside_is_refused(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    (root / "apps").symlink_to(tmp_path / "outside", target_is_directory=True)
    with pytest.raises(RenderError) as err:
        await render_app("apps", root=root)
    assert "outside the repository" in str(err.value)


async def test_symlinked_value_file_leading_outside_is_refused(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    (root / "shared-values.yaml").symlink_to(tmp_path / "outside/secret.yaml")
    with pytest.raises(RenderError) as err:
        await render_app("helm/web", {"helm": {"valueFiles": ["../../shared-values.yaml"]}}, root=root)
    assert err.value.file == "shared-values.yaml"
    assert "symlink" in str(err.value) and "valueFiles" in str(err.value)


async def test_symlink_inside_a_chart_leading_outside_is_refused(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    (root / "helm/web/templates/stolen.yaml").symlink_to(tmp_path / "outside/secret.yaml")
    with pytest.raises(RenderError) as err:
        await render_app("helm/web", root=root)
    assert err.value.file == "helm/web/templates/stolen.yaml"


async def test_kustomize_resource_symlinked_outside_is_refused(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    (root / "kustomize/base/stolen").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "kustomize/base/kustomization.yaml").write_text("resources:\n  - deployment.yaml\n  - stolen\n")
    with pytest.raises(RenderError) as err:
        await render_app("kustomize/base", root=root)
    assert "outside the repository" in str(err.value)
    assert "hunter2" not in str(err.value)


async def test_jsonnet_import_through_a_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    (root / "jsonnet/list/secret.libsonnet").symlink_to(tmp_path / "outside/secret.yaml")
    (root / "jsonnet/list/read.jsonnet").write_text(
        "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'r'}, data: {s: importstr 'secret.libsonnet'}}")
    with pytest.raises(RenderError) as err:
        await render_app("jsonnet/list", root=root)
    assert "outside the repository" in str(err.value)
