"""The REST client's own HTTP/1.1 transport against an aiohttp server on 127.0.0.1: keep-alive
reuse, chunked and close-delimited bodies, query encoding, retries, streamed watches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from trueup.kube import ApiError, Client, Res
from trueup.kube.http import request_target

CONFIGMAPS = Res("", "v1", "configmaps", "ConfigMap", True)


class Server:
    def __init__(self) -> None:
        self.peers: list[Any] = []
        self.hits: dict[str, int] = {}
        self.url = ""
        self.watch_chunks: list[bytes] = []


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()

    def seen(request: web.Request, what: str) -> None:
        assert request.transport is not None
        state.peers.append(request.transport.get_extra_info("peername"))
        state.hits[what] = state.hits.get(what, 0) + 1

    async def echo(request: web.Request) -> web.Response:
        seen(request, "echo")
        body = await request.read()
        return web.json_response({"method": request.method, "path": request.path, "query": dict(request.query),
                                  "contentType": request.headers.get("Content-Type"),
                                  "userAgent": request.headers.get("User-Agent"),
                                  "body": json.loads(body) if body else None},
                                 status=201 if request.query.get("create") else 200)

    async def chunked(request: web.Request) -> web.StreamResponse:
        seen(request, "chunked")
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        resp.content_type = "application/json"
        await resp.prepare(request)
        for piece in (b'{"items": [', b'{"a": 1}, ', b'{"b": "two"}]}'):
            await resp.write(piece)
        await resp.write_eof()
        return resp

    async def close(request: web.Request) -> web.Response:
        seen(request, "close")
        return web.json_response({"closed": True}, headers={"Connection": "close"})

    async def flaky(request: web.Request) -> web.Response:
        seen(request, "flaky")
        if state.hits["flaky"] <= int(request.query.get("failures", "0")):
            return web.json_response({"kind": "Status", "code": 503, "reason": "ServiceUnavailable",
                                      "message": "try later"}, status=503, headers={"Retry-After": "0"})
        return web.json_response({"ok": True})

    async def drop(request: web.Request) -> web.Response:
        seen(request, "drop")
        assert request.transport is not None
        request.transport.close()
        await asyncio.sleep(0.05)
        return web.json_response({})

    async def watch(request: web.Request) -> web.StreamResponse:
        seen(request, "watch")
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for chunk in state.watch_chunks:
            await resp.write(chunk)
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_route("*", "/api/v1/namespaces/{ns}/configmaps/{name}", echo)
    app.router.add_get("/api/v1/namespaces/{ns}/configmaps", echo)
    app.router.add_get("/chunked", chunked)
    app.router.add_get("/close", close)
    app.router.add_get("/flaky", flaky)
    app.router.add_get("/drop", drop)
    app.router.add_get("/api/v1/configmaps", watch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    yield state
    await runner.cleanup()


async def test_concurrent_applies_reuse_keep_alive_connections_and_round_trip_query_and_body(server: Server) -> None:
    client = Client(server.url, user_agent="trueup-test")
    sem = asyncio.Semaphore(16)

    async def one(i: int) -> tuple[dict[str, Any], bool]:
        async with sem:
            return await client.apply(CONFIGMAPS, "shop", f"cm-{i}", {"data": {"i": str(i), "text": "é ✓"}},
                                      field_manager="trueup", dry_run=i % 2 == 0)

    results = await asyncio.gather(*(one(i) for i in range(300)))
    await client.close()
    for i, (out, created) in enumerate(results):
        assert created is False
        assert out["method"] == "PATCH" and out["path"] == f"/api/v1/namespaces/shop/configmaps/cm-{i}"
        assert out["contentType"] == "application/apply-patch+yaml" and out["userAgent"] == "trueup-test"
        expected = {"fieldManager": "trueup", "fieldValidation": "Strict", "force": "true"}
        assert out["query"] == ({**expected, "dryRun": "All"} if i % 2 == 0 else expected)
        assert out["body"] == {"data": {"i": str(i), "text": "é ✓"}}
    assert len(server.peers) == 300
    assert len(set(server.peers)) <= 16  # kept alive and reused, never more than the callers' concurrency


async def test_selectors_are_encoded_and_created_is_told_by_201(server: Server) -> None:
    client = Client(server.url)
    body = await client.request("GET", CONFIGMAPS.path("shop"),
                                params={"labelSelector": "app in (a, b),tier!=x", "fieldSelector": "a=b&c=d#e"})
    assert body["query"] == {"labelSelector": "app in (a, b),tier!=x", "fieldSelector": "a=b&c=d#e"}
    code, _ = await client.request_full("POST", CONFIGMAPS.path("shop", "x"), body={}, params={"create": "1"})
    assert code == 201
    await client.close()


async def test_warmed_connections_serve_the_next_burst_without_new_ones(server: Server) -> None:
    client = Client(server.url)
    await client.warm(8)
    await client.warm(8)  # already warm: nothing more is opened
    assert server.peers == []  # opening a connection sends no request
    sem = asyncio.Semaphore(8)

    async def one(i: int) -> dict[str, Any] | None:
        async with sem:
            return await client.get(CONFIGMAPS, "shop", f"cm-{i}")

    results = await asyncio.gather(*(one(i) for i in range(40)))
    assert [r["path"] for r in results if r] == [f"/api/v1/namespaces/shop/configmaps/cm-{i}" for i in range(40)]
    assert len(set(server.peers)) == 8
    await client.close()
    unreachable = Client("http://127.0.0.1:1")
    await unreachable.warm(2)  # the failure is left to the requests
    with pytest.raises(OSError):
        await unreachable.get(CONFIGMAPS, "shop", "x")
    await unreachable.close()


async def test_a_created_object_need_not_be_decoded(server: Server) -> None:
    client = Client(server.url)
    path = CONFIGMAPS.path("shop", "x") + "?create=1"
    created = await client.request_full("PATCH", path, body={"a": 1}, ignore_body_of=201)
    assert created == (201, None)
    out, was_created = await client.apply(CONFIGMAPS, "shop", "y", {"b": 2}, field_manager="t", created_body=False)
    assert (out["body"], was_created) == ({"b": 2}, False)  # not a create: decoded as usual
    await client.close()


async def test_chunked_and_close_delimited_responses_are_read_whole(server: Server) -> None:
    client = Client(server.url)
    assert await client.request("GET", "/chunked") == {"items": [{"a": 1}, {"b": "two"}]}
    assert await client.request("GET", "/close") == {"closed": True}
    assert await client.request("GET", "/close") == {"closed": True}
    assert await client.request("GET", "/chunked") == {"items": [{"a": 1}, {"b": "two"}]}
    await client.close()
    close_peers = [p for p, what in zip(server.peers, ["chunked", "close", "close", "chunked"], strict=True)
                   if what == "close"]
    assert close_peers[0] != close_peers[1]  # the server said Connection: close: a new connection


async def test_transient_statuses_are_retried_then_reported(server: Server) -> None:
    client = Client(server.url)
    assert await client.request("GET", "/flaky", params={"failures": "2"}) == {"ok": True}
    assert server.hits["flaky"] == 3
    server.hits["flaky"] = 0
    client.retries = 2
    with pytest.raises(ApiError) as caught:
        await client.request("GET", "/flaky", params={"failures": "99"})
    assert caught.value.code == 503 and caught.value.message == "try later"
    assert server.hits["flaky"] == 3  # the first attempt and two retries
    await client.close()


async def test_a_dropped_connection_is_retried_then_raised_as_an_os_error(server: Server) -> None:
    client = Client(server.url)
    client.retries = 2
    with pytest.raises(OSError, match=r"connection to 127\.0\.0\.1"):
        await client.request("GET", "/drop")
    assert server.hits["drop"] == 3
    assert await client.request("GET", "/chunked") == {"items": [{"a": 1}, {"b": "two"}]}  # the pool recovers
    await client.close()


async def test_watch_events_split_across_chunks_arrive_whole_and_in_order(server: Server) -> None:
    events = [{"type": "ADDED", "object": {"metadata": {"name": f"cm-{i}"}, "data": {"x": "y" * i}}}
              for i in range(5)]
    stream = b"".join(json.dumps(e).encode() + b"\n" for e in events)
    server.watch_chunks = [stream[i:i + 7] for i in range(0, len(stream), 7)]  # lines cut anywhere
    client = Client(server.url)
    got = [(etype, obj["metadata"]["name"]) async for etype, obj in client.watch(CONFIGMAPS)]
    assert got == [("ADDED", f"cm-{i}") for i in range(5)]

    error = {"type": "ERROR", "object": {"kind": "Status", "code": 410, "reason": "Expired", "message": "too old"}}
    server.watch_chunks = [json.dumps(events[0]).encode() + b"\n" + json.dumps(error).encode()[:10],
                           json.dumps(error).encode()[10:] + b"\n"]
    seen = []
    with pytest.raises(ApiError) as caught:
        async for _etype, obj in client.watch(CONFIGMAPS, resource_version="5"):
            seen.append(obj["metadata"]["name"])
    assert seen == ["cm-0"] and caught.value.gone
    await client.close()


def test_request_targets_read_a_path_as_a_url_would() -> None:
    assert request_target("/api/v1/namespaces/a/configmaps/b") == "/api/v1/namespaces/a/configmaps/b"
    assert request_target("/api/v1/pods", {"labelSelector": "app in (a, b)"}) == \
        "/api/v1/pods?labelSelector=app%20in%20%28a%2C%20b%29"
    assert request_target("/api/v1/pods?limit=5#frag", {"watch": "true"}) == "/api/v1/pods?limit=5&watch=true"
    assert request_target("/api/v1/namespaces/é x/pods") == "/api/v1/namespaces/%C3%A9%20x/pods"
