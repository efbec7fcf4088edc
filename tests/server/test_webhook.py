"""POST /api/webhook: signed pushes refresh exactly the matching apps; everything else changes nothing."""

from __future__ import annotations

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.server.conftest import Client, FakeController, MakeClient, bearer, default_config
from tests.server.payloads import (
    BITBUCKET_APP,
    BITBUCKET_HEADERS,
    BITBUCKET_SECRET,
    GITHUB_PING,
    GITHUB_SECRET,
    MATCHING,
    bitbucket_push,
    github_headers,
    github_push,
    github_signature,
)
from trueup.metrics import Metrics

HOOK = "/api/webhook"


def webhook_count(metrics: Metrics, provider: str, result: str) -> float:
    for family in text_string_to_metric_families(metrics.render().decode()):
        if family.name == "trueup_webhook_requests":
            for sample in family.samples:
                if sample.name.endswith("_total") and sample.labels == {"provider": provider, "result": result}:
                    return sample.value
    return 0.0


async def test_signed_push_refreshes_exactly_the_matching_apps(
        client: Client, controller: FakeController, metrics: Metrics) -> None:
    body = github_push()
    response = await client.post(HOOK, data=body, headers=github_headers(body))
    assert response.status == 202
    assert (await response.json())["apps"] == ["web", "platform"]
    assert len(controller.refreshed) == 1
    apps, reason = controller.refreshed[0]
    assert apps == MATCHING
    assert "github" in reason and "refs/heads/main" in reason
    assert webhook_count(metrics, "github", "accepted") == 1


async def test_push_no_app_follows_is_200(client: Client, controller: FakeController, metrics: Metrics) -> None:
    body = github_push(ref="refs/heads/feature-x")
    response = await client.post(HOOK, data=body, headers=github_headers(body))
    assert response.status == 200
    assert await response.json() == {"message": "no matching apps", "apps": []}
    assert controller.refreshed == []
    assert webhook_count(metrics, "github", "no_match") == 1


@pytest.mark.parametrize("case", ["forged", "wrong-secret", "missing", "malformed"])
async def test_bad_signature_is_401_and_changes_nothing(
        client: Client, controller: FakeController, metrics: Metrics, case: str) -> None:
    body = github_push()
    headers = github_headers(body)
    if case == "forged":  # signed, then the body changed
        body = github_push(files=("apps/api/values.yaml",))
    elif case == "wrong-secret":
        headers["X-Hub-Signature-256"] = github_signature(body, "not-the-secret")
    elif case == "missing":
        del headers["X-Hub-Signature-256"]
    else:
        headers["X-Hub-Signature-256"] = "sha256=nothex"
    response = await client.post(HOOK, data=body, headers=headers)
    assert response.status == 401
    error = (await response.json())["error"]
    assert GITHUB_SECRET not in error and github_signature(body) not in error
    assert controller.refreshed == []
    assert webhook_count(metrics, "github", "unauthorized") == 1


async def test_unsigned_without_a_secret_configured_is_401(
        make_client: MakeClient, controller: FakeController) -> None:
    client = await make_client(default_config(webhook_secrets={}))
    body = github_push()
    for headers in (github_headers(body, secret=None), github_headers(body, secret="anything")):
        response = await client.post(HOOK, data=body, headers=headers)
        assert response.status == 401
        assert "no webhook secret is configured" in (await response.json())["error"]
    assert controller.refreshed == []


async def test_unsigned_allowed_only_when_configured(make_client: MakeClient, controller: FakeController) -> None:
    client = await make_client(default_config(webhook_secrets={}, allow_unsigned_webhooks=True))
    body = github_push()
    response = await client.post(HOOK, data=body, headers=github_headers(body, secret=None))
    assert response.status == 202
    assert controller.refreshed[0][0] == MATCHING


async def test_a_configured_secret_is_checked_even_when_unsigned_is_allowed(
        make_client: MakeClient, controller: FakeController) -> None:
    client = await make_client(default_config(allow_unsigned_webhooks=True))
    body = github_push()
    response = await client.post(HOOK, data=body, headers=github_headers(body, secret=None))
    assert response.status == 401
    assert controller.refreshed == []


async def test_oversize_body_is_413_before_anything_else(
        make_client: MakeClient, controller: FakeController, metrics: Metrics) -> None:
    client = await make_client(default_config(max_body_bytes=1024))
    body = b"{" + b" " * 4096  # neither signed nor JSON: only the size check can answer 413
    response = await client.post(HOOK, data=body, headers={"X-GitHub-Event": "push"})
    assert response.status == 413
    assert "limit" in (await response.json())["error"]
    assert controller.refreshed == []
    assert webhook_count(metrics, "unknown", "too_large") == 1


async def test_oversize_streamed_body_without_length_is_413(
        make_client: MakeClient, controller: FakeController) -> None:
    client = await make_client(default_config(max_body_bytes=1024))

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(8):
            yield b"x" * 512

    response = await client.post(HOOK, data=chunks(), headers={"X-GitHub-Event": "push"})
    assert response.status == 413
    assert controller.refreshed == []


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", json.dumps({"ref": "refs/heads/main"}).encode()],
                         ids=["not-json", "not-object", "missing-fields"])
async def test_malformed_signed_payload_is_400(
        client: Client, controller: FakeController, metrics: Metrics, body: bytes) -> None:
    response = await client.post(HOOK, data=body, headers=github_headers(body))
    assert response.status == 400
    assert "github payload" in (await response.json())["error"]
    assert controller.refreshed == []
    assert webhook_count(metrics, "github", "bad_request") == 1


async def test_unknown_provider_is_400(client: Client, controller: FakeController, metrics: Metrics) -> None:
    body = github_push()
    response = await client.post(HOOK, data=body, headers={"X-Hub-Signature-256": github_signature(body)})
    assert response.status == 400
    assert "provider" in (await response.json())["error"]
    assert controller.refreshed == []
    assert webhook_count(metrics, "unknown", "bad_request") == 1


async def test_ping_is_200_without_refresh(client: Client, controller: FakeController, metrics: Metrics) -> None:
    response = await client.post(HOOK, data=GITHUB_PING, headers=github_headers(GITHUB_PING, event="ping"))
    assert response.status == 200
    assert (await response.json())["apps"] == []
    assert controller.refreshed == []
    assert webhook_count(metrics, "github", "ignored") == 1


async def test_bitbucket_cloud_url_token(make_client: MakeClient, controller: FakeController) -> None:
    controller.refs = [BITBUCKET_APP]
    client = await make_client(default_config(webhook_secrets={"bitbucket": BITBUCKET_SECRET}))
    body = bitbucket_push()
    wrong = await client.post(HOOK, params={"secret": "guess"}, data=body, headers=BITBUCKET_HEADERS)
    assert wrong.status == 401
    assert controller.refreshed == []
    right = await client.post(HOOK, params={"secret": BITBUCKET_SECRET}, data=body, headers=BITBUCKET_HEADERS)
    assert right.status == 202
    assert controller.refreshed[0][0] == [BITBUCKET_APP]


async def test_url_token_counts_for_bitbucket_cloud_only(client: Client, controller: FakeController) -> None:
    body = github_push()
    response = await client.post(HOOK, params={"secret": GITHUB_SECRET}, data=body,
                                 headers=github_headers(body, secret=None))
    assert response.status == 401
    assert controller.refreshed == []


async def test_refresh_failure_is_500(client: Client, controller: FakeController, metrics: Metrics) -> None:
    controller.refresh_error = RuntimeError("queue closed")
    body = github_push()
    response = await client.post(HOOK, data=body, headers=github_headers(body))
    assert response.status == 500
    assert await response.json() == {"error": "refreshing the matching apps failed"}
    assert webhook_count(metrics, "github", "error") == 1


async def test_webhook_only_accepts_post(client: Client) -> None:
    assert (await client.get(HOOK)).status == 401  # an anonymous caller learns nothing about routes
    response = await client.get(HOOK, headers=bearer())
    assert response.status == 405
    assert "error" in await response.json()
