"""Credentials reach the server and never the error message (a local HTTP server that refuses them)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from trueup.source import Credentials, RepoCache, RepositoryError


@pytest.fixture
async def refusing_server() -> AsyncIterator[tuple[str, list[str]]]:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="git"'})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/team/app.git", seen
    await runner.cleanup()


async def test_password_from_credentials_is_sent_but_never_shown(
        cache: RepoCache, refusing_server: tuple[str, list[str]]) -> None:
    url, seen = refusing_server
    with pytest.raises(RepositoryError) as info:
        await cache.resolve(url, "main", credentials=Credentials(username="alice", password="hunter2-pw"))
    message = str(info.value)
    assert "authentication" in message and "127.0.0.1" in message
    assert "hunter2-pw" not in message and "hunter2-pw" not in repr(info.value)
    sent = [base64.b64decode(h.split(" ", 1)[1]).decode() for h in seen if h.startswith("Basic ")]
    assert sent == ["alice:hunter2-pw"]  # tried once, no retry loop


async def test_password_in_url_is_sent_but_never_shown(
        cache: RepoCache, refusing_server: tuple[str, list[str]]) -> None:
    url, seen = refusing_server
    secret_url = url.replace("http://", "http://bob:tok-s3cret@")
    with pytest.raises(RepositoryError) as info:
        await cache.resolve(secret_url, "main")
    assert "tok-s3cret" not in str(info.value) and "bob" not in str(info.value)
    assert any(base64.b64decode(h.split(" ", 1)[1]).decode() == "bob:tok-s3cret" for h in seen if h)
    written = [p.read_bytes() for p in cache.root.rglob("*") if p.is_file()] if cache.root.exists() else []
    assert not any(b"tok-s3cret" in data for data in written)


async def test_token_without_username(cache: RepoCache, refusing_server: tuple[str, list[str]]) -> None:
    url, seen = refusing_server
    with pytest.raises(RepositoryError, match="authentication"):
        await cache.resolve(url, "main", credentials=Credentials(token="ghp-token-1"))
    assert [base64.b64decode(h.split(" ", 1)[1]).decode() for h in seen if h] == ["git:ghp-token-1"]


async def test_no_credentials_when_asked(cache: RepoCache, refusing_server: tuple[str, list[str]]) -> None:
    url, _ = refusing_server
    with pytest.raises(RepositoryError, match="none were given"):
        await cache.resolve(url, "main")
