"""Kustomize through the real kustomize in kubectl: base + overlay, Argo CD options, errors."""

from __future__ import annotations

import pytest
from tests.unit.render.render_helpers import REPO, by_name, names, render_app

from trueup.render import RenderError


def _image(result: object, name: str) -> str:
    deployment = by_name(result, "Deployment", name)  # type: ignore[arg-type]
    return str(deployment.obj["spec"]["template"]["spec"]["containers"][0]["image"])


async def test_overlay_applies_prefix_image_and_patch_and_names_origin_files() -> None:
    result = await render_app("kustomize/overlay")
    assert result.renderer == "kustomize"
    assert [n.split("/")[0] for n in names(result)] == ["ConfigMap", "Service", "Deployment"]
    assert "Service/staging-web" in names(result)
    deployment = by_name(result, "Deployment", "staging-web")
    assert deployment.obj["spec"]["replicas"] == 2
    assert _image(result, "staging-web") == "nginx:1.26"
    # the origin annotation named the file, then was removed from the object
    assert deployment.source == "kustomize/base/deployment.yaml"
    assert "annotations" not in deployment.obj["metadata"]
    config = next(m for m in result.manifests if m.obj["kind"] == "ConfigMap")
    assert config.obj["metadata"]["name"].startswith("staging-web-config-")
    assert config.source == "kustomize/base/kustomization.yaml"  # generated: where it is configured


async def test_argo_options_become_an_overlay_without_touching_the_source() -> None:
    before = {p: p.read_bytes() for p in (REPO / "kustomize").rglob("*") if p.is_file()}
    source = {"kustomize": {
        "namePrefix": "$ARGOCD_APP_NAME-", "nameSuffix": "-v2", "namespace": "shop",
        "images": ["nginx=registry.local/nginx:1.27"],
        "replicas": [{"name": "staging-web", "count": 4}],
        "commonLabels": {"team": "payments"}, "commonAnnotations": {"owner": "alice"},
        "components": ["../component"],
        "version": "v5", "kubeVersion": "1.30",
    }}
    result = await render_app("kustomize/overlay", source, app_name="shop")
    deployment = by_name(result, "Deployment", "shop-staging-web-v2")
    meta = deployment.obj["metadata"]
    assert meta["namespace"] == "shop"
    assert meta["labels"] == {"team": "payments"}
    assert meta["annotations"] == {"owner": "alice", "team": "platform"}  # option + component
    assert deployment.obj["spec"]["selector"]["matchLabels"] == {"app": "web", "team": "payments"}
    assert _image(result, "shop-staging-web-v2") == "registry.local/nginx:1.27"
    # replicas names the object as the overlay sees it (before our prefix/suffix)
    assert deployment.obj["spec"]["replicas"] == 4
    assert result.unsupported == ("spec.source.kustomize.kubeVersion",)
    after = {p: p.read_bytes() for p in (REPO / "kustomize").rglob("*") if p.is_file()}
    assert after == before


async def test_image_digest_and_tag_forms() -> None:
    result = await render_app("kustomize/base", {"kustomize": {"images": ["nginx@sha256:" + "a" * 64]}})
    assert _image(result, "web") == "nginx@sha256:" + "a" * 64


async def test_remote_base_is_refused_offline() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("kustomize/remote")
    assert err.value.file == "kustomize/remote/kustomization.yaml"
    assert "remote base" in str(err.value) and "https://github.com/example/manifests" in str(err.value)


async def test_base_outside_the_repository_is_refused() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("kustomize/escape")
    assert "outside the repository" in str(err.value)


async def test_kustomize_error_carries_its_message_and_the_file() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("kustomize/broken")
    assert err.value.file == "kustomize/broken/kustomization.yaml"
    assert "does-not-exist.yaml" in str(err.value)
    assert str(REPO) not in str(err.value)  # paths relative to the repository


async def test_explicit_kustomize_block_on_a_plain_directory_is_an_error() -> None:
    with pytest.raises(RenderError) as err:
        await render_app("plain/nested", {"kustomize": {"namePrefix": "x-"}})
    assert "kustomization.yaml" in str(err.value)
