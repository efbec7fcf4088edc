"""Jsonnet in directory mode: extVars, TLAs (string and code), libs, lists, errors, confinement."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.render.render_helpers import by_name, names, render_app

from trueup.render import RenderError

JSONNET: dict[str, Any] = {
    "extVars": [{"name": "name", "value": "$ARGOCD_APP_NAME-api"}, {"name": "version", "value": "3.1"},
                {"name": "debug", "value": "1 == 1", "code": True}],
    "tlas": [{"name": "replicas", "value": "1 + 2", "code": True}, {"name": "tier", "value": "frontend"}],
    "libs": ["jsonnet/vendor"],
}


async def test_ext_vars_tlas_and_libs_feed_the_program() -> None:
    result = await render_app("jsonnet/app", {"directory": {"jsonnet": JSONNET}}, app_name="shop")
    assert names(result) == ["Deployment/shop-api", "ServiceAccount/app"]  # main.jsonnet, then plain.yaml
    deployment = by_name(result, "Deployment", "shop-api")
    assert deployment.source == "jsonnet/app/main.jsonnet"
    spec = deployment.obj["spec"]
    container = spec["template"]["spec"]["containers"][0]
    assert spec["replicas"] == 3  # TLA code evaluated
    assert deployment.obj["metadata"]["labels"] == {
        "app.kubernetes.io/name": "shop-api", "app.kubernetes.io/managed-by": "trueup", "tier": "frontend"}
    assert container["image"] == "example/app:3.1"
    assert container["ports"] == [{"containerPort": 8080}]  # import next to the file
    assert container["env"] == [{"name": "DEBUG", "value": "true"}]  # extVar code


async def test_missing_library_path_fails_with_the_import() -> None:
    source = {"directory": {"jsonnet": {**JSONNET, "libs": []}}}
    with pytest.raises(RenderError) as err:
        await render_app("jsonnet/app", source)
    assert err.value.file == "jsonnet/app/main.jsonnet" and err.value.line == 1
    assert "labels.libsonnet" in str(err.value)


async def test_list_and_kind_list_outputs_are_flattened() -> None:
    result = await render_app("jsonnet/list")
    assert names(result) == ["ConfigMap/cm-a", "ConfigMap/cm-b", "ConfigMap/cm-c", "Namespace/from-list"]


async def test_runtime_error_names_file_and_line() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("jsonnet/bad")
    assert (err.value.file, err.value.line) == ("jsonnet/bad/broken.jsonnet", 4)
    assert "name is required" in str(err.value)
    assert err.value.renderer == "jsonnet"


async def test_import_outside_the_repository_is_refused() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("jsonnet/escape")
    assert "outside the repository" in str(err.value)
    assert err.value.file == "jsonnet/escape/steal.jsonnet"


async def test_lib_outside_the_repository_is_refused() -> None:
    source = {"directory": {"jsonnet": {"libs": ["../../.."]}}}
    with pytest.raises(RenderError) as err:
        await render_app("jsonnet/list", source)
    assert "spec.source.directory.jsonnet.libs" in str(err.value)
