"""Helm through the SDK: values layering, file:// dependencies, CRDs, hooks, required, errors."""

from __future__ import annotations

import pytest
from tests.unit.render.render_helpers import REPO, by_name, names, render_app

from trueup.render import ARGO_EXTRA, RenderError


async def test_chart_with_file_dependency_renders_offline() -> None:
    before = sorted(p.name for p in (REPO / "helm" / "web").iterdir())
    result = await render_app("helm/web", app_name="shop", namespace="prod")
    assert result.renderer == "helm"
    assert names(result) == [
        "CustomResourceDefinition/widgets.example.com",  # crds/ first
        "ConfigMap/shop-banner",  # subchart from file://../library
        "ConfigMap/shop-capabilities", "ConfigMap/shop-settings", "Deployment/shop-web",
        "Job/shop-migrate", "Job/shop-notify", "Pod/shop-smoke",
    ]
    banner = by_name(result, "ConfigMap", "shop-banner")
    assert banner.obj["data"] == {"banner": "from-parent"}
    assert banner.source == "helm/library/templates/banner.yaml"
    deployment = by_name(result, "Deployment", "shop-web")
    assert deployment.source == "helm/web/templates/deployment.yaml"
    assert deployment.obj["metadata"]["namespace"] == "prod"
    assert deployment.obj["spec"]["template"]["spec"]["containers"][0]["image"] == "example/web:1.0"
    # the dependency was built in a temporary copy: no charts/ or Chart.lock appeared in the source
    assert sorted(p.name for p in (REPO / "helm" / "web").iterdir()) == before


async def test_values_layers_in_argo_order() -> None:
    source = {"helm": {
        "releaseName": "rel",
        "valueFiles": ["values/prod.yaml", "values/absent.yaml"], "ignoreMissingValueFiles": True,
        "values": "greeting: from-values-string\n",
        "valuesObject": {"greeting": "from-values-object", "image": {"tag": "3.0"}},
        "parameters": [{"name": "image.tag", "value": "4.0"}, {"name": "version", "value": "1,5", "forceString": True},
                       {"name": "replicas", "value": "7"}],
        "fileParameters": [{"name": "certificate", "path": "values/cert.pem"}],
        "skipCrds": True,
    }}
    result = await render_app("helm/web", source)
    assert "CustomResourceDefinition/widgets.example.com" not in names(result)
    deployment = by_name(result, "Deployment", "rel-web")
    assert deployment.obj["spec"]["replicas"] == 7  # parameter over value file (5) and defaults (1)
    assert deployment.obj["metadata"]["labels"] == {"greeting": "from-values-object"}  # object wins over string
    assert deployment.obj["spec"]["template"]["spec"]["containers"][0]["image"] == "example/web:4.0"
    settings = by_name(result, "ConfigMap", "rel-settings").obj["data"]
    assert settings == {"version": "1,5", "certificate": "secret: from-a-file\n"}


async def test_helm_hooks_map_to_argo_annotations_in_extra() -> None:
    result = await render_app("helm/web", app_name="shop")
    migrate = by_name(result, "Job", "shop-migrate")
    assert migrate.extra[ARGO_EXTRA] == {
        "argocd.argoproj.io/hook": "PreSync",
        "argocd.argoproj.io/sync-wave": "-3",
        "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded",
    }
    assert "argocd.argoproj.io/hook" not in migrate.obj["metadata"]["annotations"]  # object untouched
    # an explicit Argo CD annotation wins: nothing derived for it
    assert ARGO_EXTRA not in by_name(result, "Job", "shop-notify").extra
    assert by_name(result, "Pod", "shop-smoke").extra[ARGO_EXTRA] == {"argocd.argoproj.io/hook": "Skip"}
    assert ARGO_EXTRA not in by_name(result, "Deployment", "shop-web").extra


async def test_skip_tests_drops_test_hooks() -> None:
    result = await render_app("helm/web", {"helm": {"skipTests": True}}, app_name="shop")
    assert "Pod/shop-smoke" not in names(result)


async def test_required_value_missing_names_template_and_line() -> None:
    source = {"helm": {"valuesObject": {"image": {"repository": None}}}}
    with pytest.raises(RenderError) as err:
        await render_app("helm/web", source)
    assert (err.value.file, err.value.line) == ("helm/web/templates/deployment.yaml", 18)
    assert "image.repository is required" in str(err.value)


async def test_schema_violation_names_the_schema_and_the_value() -> None:
    source = {"helm": {"parameters": [{"name": "replicas", "value": "many", "forceString": True}]}}
    with pytest.raises(RenderError) as err:
        await render_app("helm/web", source)
    assert "/replicas" in str(err.value) and err.value.file == "helm/web/values.schema.json"


async def test_skip_schema_validation_is_reported_unsupported() -> None:
    result = await render_app("helm/web", {"helm": {"skipSchemaValidation": True}})
    assert result.unsupported == ("spec.source.helm.skipSchemaValidation",)


async def test_kube_version_and_api_versions_reach_capabilities() -> None:
    source = {"helm": {"kubeVersion": "1.31.4", "apiVersions": ["example.com/v1/Widget"]}}
    result = await render_app("helm/web", source)
    assert by_name(result, "ConfigMap", "demo-capabilities").obj["data"] == {
        "kubeVersion": "v1.31.4", "hasWidgets": "true"}
    default = await render_app("helm/web")
    assert by_name(default, "ConfigMap", "demo-capabilities").obj["data"]["hasWidgets"] == "false"


async def test_missing_value_file_is_an_error() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("helm/web", {"helm": {"valueFiles": ["values/absent.yaml"]}})
    assert err.value.file == "helm/web/values/absent.yaml" and "ignoreMissingValueFiles" in str(err.value)


async def test_value_file_escaping_the_repository_is_refused() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("helm/web", {"helm": {"valueFiles": ["../../../../outside.yaml"]}})
    assert "outside the repository" in str(err.value) and "valueFiles" in str(err.value)


async def test_value_file_with_duplicate_key_names_its_line() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("helm/web", {"helm": {"valueFiles": ["values/bad.yaml"]}})
    assert (err.value.file, err.value.line) == ("helm/web/values/bad.yaml", 2)


async def test_missing_remote_dependency_is_an_error_not_silently_skipped() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("helm/missing-dep")
    assert err.value.file == "helm/missing-dep/Chart.yaml"
    assert "'redis'" in str(err.value) and "missing" in str(err.value)


async def test_vendored_dependency_is_used_as_is() -> None:
    result = await render_app("helm/vendored", app_name="v")
    assert names(result) == ["ConfigMap/v-sidecar", "ConfigMap/v-main"]
    assert by_name(result, "ConfigMap", "v-sidecar").source == "helm/vendored/charts/sidecar/templates/cm.yaml"


async def test_helm_block_on_a_directory_without_chart_is_an_error() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("plain/flat", {"helm": {"releaseName": "x"}})
    assert "Chart.yaml" in str(err.value)
