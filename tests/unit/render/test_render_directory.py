"""Plain directories: YAML/JSON, multi-document, List, recurse, include/exclude, bad input."""

from __future__ import annotations

import pytest
from tests.unit.render.render_helpers import by_name, names, render_app

from trueup.render import RenderError


async def test_flat_directory_renders_yaml_json_and_lists_in_file_order() -> None:
    result = await render_app("plain/flat")
    assert result.renderer == "directory"
    # files sorted by name (app.yaml, list.yaml, service.json), documents in file order, List flattened
    assert names(result) == ["ConfigMap/settings", "Deployment/web", "ServiceAccount/runner", "Secret/token",
                             "Service/web"]
    deployment = by_name(result, "Deployment", "web")
    assert (deployment.source, deployment.line) == ("plain/flat/app.yaml", 12)
    assert by_name(result, "Service", "web").source == "plain/flat/service.json"


async def test_non_manifest_files_are_ignored_and_reported() -> None:
    result = await render_app("plain/flat")
    # README.md and notes.txt are not even read; config.yaml has no apiVersion/kind at all
    assert result.ignored_files == ("plain/flat/config.yaml",)


async def test_values_read_as_kubernetes_reads_them() -> None:
    result = await render_app("plain/flat")
    data = by_name(result, "ConfigMap", "settings").obj["data"]
    assert data == {"started": "2024-01-01", "enabled": "true"}  # a date stays a string
    # a trailing TAB after a value (accepted by Go's YAML reader) is accepted
    assert by_name(result, "Secret", "token").obj["metadata"]["name"] == "token"


async def test_without_recurse_only_the_top_directory_is_read() -> None:
    result = await render_app("plain/nested")
    assert names(result) == ["ConfigMap/top"]


async def test_recurse_reads_subdirectories_in_path_order() -> None:
    result = await render_app("plain/nested", {"directory": {"recurse": True}})
    assert names(result) == ["ConfigMap/bottom", "ConfigMap/middle", "ConfigMap/skip-me", "ConfigMap/top"]
    assert by_name(result, "ConfigMap", "bottom").source == "plain/nested/sub/deeper/bottom.yml"


async def test_exclude_glob_matches_at_any_depth() -> None:
    result = await render_app("plain/nested", {"directory": {"recurse": True, "exclude": "*skip-*"}})
    assert names(result) == ["ConfigMap/bottom", "ConfigMap/middle", "ConfigMap/top"]


async def test_include_with_brace_alternatives() -> None:
    source = {"directory": {"recurse": True, "include": "{top.yaml,sub/deeper/*}"}}
    result = await render_app("plain/nested", source)
    assert names(result) == ["ConfigMap/bottom", "ConfigMap/top"]


async def test_empty_directory_is_a_successful_empty_render() -> None:
    result = await render_app("plain/empty")
    assert result.empty and result.manifests == ()


async def test_malformed_yaml_names_file_and_line() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("plain/bad-yaml")
    assert err.value.file == "plain/bad-yaml/broken.yaml"
    assert err.value.line == 7
    assert "invalid YAML" in str(err.value)


async def test_duplicate_key_names_the_key_and_line() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("plain/dup-keys")
    assert (err.value.file, err.value.line) == ("plain/dup-keys/cm.yaml", 8)
    assert "duplicate key 'color' (first at line 6)" in str(err.value)


async def test_duplicate_resource_names_both_files() -> None:
    # one.yaml has no namespace: in the app namespace team-a it is the same object as two.yaml's
    with pytest.raises(RenderError) as err:
        await render_app("plain/dup-resources", namespace="team-a")
    message = str(err.value)
    assert err.value.file == "plain/dup-resources/two.yaml" and err.value.line == 6
    assert "ConfigMap team-a/shared" in message and "plain/dup-resources/one.yaml:1" in message


async def test_same_name_in_different_namespaces_is_not_a_duplicate() -> None:
    result = await render_app("plain/dup-resources", namespace="team-b")
    assert len(result.manifests) == 4


async def test_document_without_kind_in_a_manifest_file_is_an_error() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("plain/partial")
    assert (err.value.file, err.value.line) == ("plain/partial/cm.yaml", 6)
    assert "no kind" in str(err.value)


async def test_missing_path_is_an_error_not_an_empty_render() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("plain/does-not-exist")
    assert err.value.file == "plain/does-not-exist" and "spec.source.path" in str(err.value)


async def test_bad_glob_names_the_option() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("plain/nested", {"directory": {"include": "{a.yaml,b.yaml"}})
    assert "spec.source.directory.include" in str(err.value)
