"""Probes, bearer-token auth, the Applications API, JSON errors, /metrics access."""

from __future__ import annotations

import pytest

from tests.server.conftest import Client, FakeController, MakeClient, bearer, default_config
from tests.server.payloads import API_TOKEN
from trueup.metrics import AppInfo, Metrics
from trueup.server import ServerConfig


async def test_probes_need_no_token(client: Client) -> None:
    for path, body in (("/healthz", {"status": "ok"}), ("/readyz", {"status": "ready"})):
        response = await client.get(path)
        assert response.status == 200, path
        assert await response.json() == body


async def test_readyz_follows_the_hook(client: Client, controller: FakeController) -> None:
    controller.is_ready = False
    response = await client.get("/readyz")
    assert response.status == 503
    assert await response.json() == {"status": "not ready"}


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": f"Bearer {API_TOKEN}x"},
    {"Authorization": f"Basic {API_TOKEN}"},
    {"Authorization": "Bearer "},
    {"Authorization": API_TOKEN},
], ids=["none", "wrong", "longer", "basic", "empty", "no-scheme"])
@pytest.mark.parametrize("path", ["/api/v1/applications", "/api/v1/applications/web"])
async def test_api_without_the_right_token_is_401(client: Client, headers: dict[str, str], path: str) -> None:
    response = await client.get(path, headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = await response.json()
    assert set(body) == {"error"}
    assert API_TOKEN not in await response.text()


async def test_api_with_the_token(client: Client) -> None:
    response = await client.get("/api/v1/applications", headers=bearer())
    assert response.status == 200
    assert response.content_type == "application/json"
    assert await response.json() == {"items": [
        {"metadata": {"name": "web", "namespace": "trueup"}, "status": {"sync": {"status": "Synced"}}}]}
    response = await client.get("/api/v1/applications/web", headers=bearer())
    assert response.status == 200
    assert (await response.json())["metadata"]["name"] == "web"


async def test_any_of_several_tokens_and_the_scheme_in_any_case(make_client: MakeClient) -> None:
    client = await make_client(default_config(api_tokens=("first-token", API_TOKEN)))
    for header in (f"Bearer {API_TOKEN}", "bearer first-token"):
        assert (await client.get("/api/v1/applications", headers={"Authorization": header})).status == 200


async def test_no_token_configured_closes_the_api(make_client: MakeClient) -> None:
    client = await make_client(ServerConfig())
    response = await client.get("/api/v1/applications", headers=bearer())
    assert response.status == 401
    assert "no API token is configured" in (await response.json())["error"]


async def test_api_errors_are_json(client: Client) -> None:
    missing = await client.get("/api/v1/applications/nope", headers=bearer())
    assert missing.status == 404
    assert await missing.json() == {"error": "application 'nope' not found"}
    invalid = await client.get("/api/v1/applications/Not_Valid", headers=bearer())
    assert invalid.status == 400
    assert "invalid application name" in (await invalid.json())["error"]
    unknown = await client.get("/api/v1/nothing-here", headers=bearer())
    assert unknown.status == 404
    assert await unknown.json() == {"error": "not found"}
    wrong_method = await client.delete("/api/v1/applications/web", headers=bearer())
    assert wrong_method.status == 405
    assert "error" in await wrong_method.json()
    assert "GET" in wrong_method.headers["Allow"]


async def test_unknown_paths_are_401_without_a_token(client: Client) -> None:
    assert (await client.get("/api/v1/nothing-here")).status == 401
    assert (await client.get("/admin")).status == 401


async def test_hook_failure_is_a_500_that_says_nothing_more(client: Client, controller: FakeController) -> None:
    controller.hook_error = RuntimeError("database at postgres://user:pw@db exploded")
    response = await client.get("/api/v1/applications", headers=bearer())
    assert response.status == 500
    assert await response.json() == {"error": "internal server error"}


async def test_metrics_open_by_default(client: Client, metrics: Metrics) -> None:
    metrics.set_app_info(AppInfo("web", "trueup", sync_status="Synced", health_status="Healthy"))
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert 'trueup_app_info{' in await response.text()


async def test_metrics_can_require_the_token(make_client: MakeClient) -> None:
    client = await make_client(default_config(metrics_require_token=True))
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers=bearer("wrong"))).status == 401
    assert (await client.get("/metrics", headers=bearer())).status == 200
    assert (await client.get("/healthz")).status == 200


async def test_metrics_in_openmetrics_when_asked(client: Client) -> None:
    response = await client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/openmetrics-text")
    assert (await response.text()).rstrip().endswith("# EOF")
