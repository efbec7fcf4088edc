"""Nothing secret reaches the logs: tokens, webhook secrets, signatures, URL tokens, hook errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.server.conftest import FakeController, bearer, default_config
from tests.server.payloads import (
    API_TOKEN,
    BITBUCKET_APP,
    BITBUCKET_HEADERS,
    BITBUCKET_SECRET,
    GITHUB_SECRET,
    bitbucket_push,
    github_headers,
    github_push,
    github_signature,
)
from trueup.server import Running, build_app, serve

WRONG_TOKEN = "wrong-token-guess-0999"


@pytest.fixture
async def running(controller: FakeController) -> AsyncIterator[Running]:
    controller.refs.append(BITBUCKET_APP)
    config = default_config(webhook_secrets={"github": GITHUB_SECRET, "bitbucket": BITBUCKET_SECRET})
    server = await serve(build_app(config, controller.hooks()), "127.0.0.1:0")
    yield server
    await server.stop()


async def test_no_secret_in_logs(running: Running, controller: FakeController, caplog: pytest.LogCaptureFixture
                                 ) -> None:
    caplog.set_level(logging.DEBUG)
    body = github_push()
    forged = github_push(files=("apps/api/x.yaml",))
    async with aiohttp.ClientSession(running.url) as http:
        for headers in (bearer(), bearer(WRONG_TOKEN), {}):
            async with http.get("/api/v1/applications", headers=headers):
                pass
        async with http.post("/api/webhook", data=body, headers=github_headers(body)) as response:
            assert response.status == 202
        async with http.post("/api/webhook", data=forged, headers=github_headers(body)) as response:
            assert response.status == 401
        for token in (BITBUCKET_SECRET, WRONG_TOKEN):
            async with http.post("/api/webhook", params={"secret": token}, data=bitbucket_push(),
                                 headers=BITBUCKET_HEADERS):
                pass
        controller.hook_error = RuntimeError(f"token {API_TOKEN} and secret {GITHUB_SECRET} leaked by a hook")
        async with http.get("/api/v1/applications", headers=bearer()) as response:
            assert response.status == 500
            assert API_TOKEN not in await response.text()

    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /api/v1/applications 200" in logged  # requests are logged...
    assert "POST /api/webhook 202" in logged
    assert "leaked by a hook" in logged and "***" in logged  # ...and the hook's error, masked
    for secret in (API_TOKEN, WRONG_TOKEN, GITHUB_SECRET, BITBUCKET_SECRET, github_signature(body),
                   github_signature(body).removeprefix("sha256=")):
        assert secret not in logged
    assert "secret=" not in logged  # no query string
    assert '"ref"' not in logged  # no body


async def test_config_repr_shows_no_secret() -> None:
    config = default_config()
    assert API_TOKEN not in repr(config) and GITHUB_SECRET not in repr(config)
