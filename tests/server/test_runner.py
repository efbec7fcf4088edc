"""serve(): loopback by default, port 0, clean stop; parse_listen's address forms."""

from __future__ import annotations

import inspect
import socket

import aiohttp
import pytest

from trueup.server import DEFAULT_LISTEN, ServerConfig, build_app, parse_listen, serve


def test_the_default_address_is_loopback() -> None:
    assert DEFAULT_LISTEN == "127.0.0.1:8080"
    assert inspect.signature(serve).parameters["listen"].default == DEFAULT_LISTEN


@pytest.mark.parametrize(("listen", "expected"), [
    ("127.0.0.1:8080", ("127.0.0.1", 8080)),
    (":9090", ("127.0.0.1", 9090)),
    ("0", ("127.0.0.1", 0)),
    ("0.0.0.0:80", ("0.0.0.0", 80)),
    ("[::1]:8080", ("::1", 8080)),
    ("localhost:1", ("localhost", 1)),
])
def test_parse_listen(listen: str, expected: tuple[str, int]) -> None:
    assert parse_listen(listen) == expected


@pytest.mark.parametrize("listen", ["host:", "host:http", "::1:8080", "1:70000", "-1"])
def test_parse_listen_refuses(listen: str) -> None:
    with pytest.raises(ValueError, match="listen address"):
        parse_listen(listen)


async def test_serve_binds_loopback_when_no_host_is_given() -> None:
    running = await serve(build_app(ServerConfig()), ":0")
    try:
        assert running.host == "127.0.0.1"
        assert running.port > 0
        sockets = running.runner.addresses
        assert [addr[0] for addr in sockets] == ["127.0.0.1"]
        async with aiohttp.ClientSession() as session, session.get(f"{running.url}/healthz") as response:
            assert response.status == 200
    finally:
        await running.stop()
    with pytest.raises(OSError), socket.create_connection((running.host, running.port), timeout=1):
        pass


async def test_running_is_a_context_manager() -> None:
    async with await serve(build_app(ServerConfig()), "127.0.0.1:0") as running:
        assert running.url == f"http://127.0.0.1:{running.port}"
    assert running.runner.addresses == []
