"""A fake controller behind ServerHooks, and clients on aiohttp's test server (127.0.0.1, port 0)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.server.payloads import API_TOKEN, APPS, GITHUB_SECRET
from trueup.metrics import Metrics
from trueup.server import ServerConfig, ServerHooks, build_app
from trueup.webhooks import AppRef

Client = TestClient[web.Request, web.Application]


@dataclass
class FakeController:
    """Records refreshes; serves a fixed set of apps and Application objects."""

    refs: list[AppRef] = field(default_factory=lambda: list(APPS))
    applications: dict[str, dict[str, Any]] = field(default_factory=lambda: {
        "web": {"metadata": {"name": "web", "namespace": "trueup"}, "status": {"sync": {"status": "Synced"}}},
    })
    refreshed: list[tuple[list[AppRef], str]] = field(default_factory=list)
    is_ready: bool = True
    refresh_error: Exception | None = None
    hook_error: Exception | None = None  # raised by app_list and app_get

    async def refresh(self, apps: list[AppRef], reason: str) -> None:
        if self.refresh_error is not None:
            raise self.refresh_error
        self.refreshed.append((apps, reason))

    async def app_list(self) -> list[dict[str, Any]]:
        if self.hook_error is not None:
            raise self.hook_error
        return list(self.applications.values())

    async def app_get(self, name: str) -> dict[str, Any] | None:
        if self.hook_error is not None:
            raise self.hook_error
        return self.applications.get(name)

    def hooks(self) -> ServerHooks:
        return ServerHooks(apps=lambda: list(self.refs), refresh=self.refresh, app_list=self.app_list,
                           app_get=self.app_get, ready=lambda: self.is_ready)


def default_config(**overrides: Any) -> ServerConfig:
    settings: dict[str, Any] = {"api_tokens": (API_TOKEN,), "webhook_secrets": {"github": GITHUB_SECRET}}
    return ServerConfig(**(settings | overrides))


MakeClient = Callable[..., Awaitable[Client]]


@pytest.fixture
def controller() -> FakeController:
    return FakeController()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
async def make_client(controller: FakeController, metrics: Metrics) -> AsyncIterator[MakeClient]:
    """`await make_client(config=None)`: a started client of build_app(config, controller hooks, metrics)."""
    clients: list[Client] = []

    async def make(config: ServerConfig | None = None) -> Client:
        app = build_app(config or default_config(), controller.hooks(), metrics)
        client: Client = TestClient(TestServer(app, host="127.0.0.1", port=0))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: MakeClient) -> Client:
    return await make_client()


def bearer(token: str = API_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
