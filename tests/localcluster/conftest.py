"""In-process embedded cluster (LocalCluster as an async context manager) and a raw HTTPS client."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from trueup.localcluster.cluster import LocalCluster


class Api:
    """A minimal authenticated HTTPS client for asserting exact API behaviour."""

    def __init__(self, cluster: LocalCluster, token: str | None = None) -> None:
        assert cluster.credentials is not None
        ctx = ssl.create_default_context(cafile=str(cluster.credentials.ca_cert))
        headers = {"Authorization": f"Bearer {token or cluster.token}"} if token != "" else {}
        self.base = cluster.url
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx), headers=headers)

    async def request(self, method: str, path: str, body: Any = None, *, content_type: str = "application/json",
                      params: dict[str, str] | None = None) -> tuple[int, Any]:
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else orjson.dumps(body)
        async with self.session.request(method, self.base + path, data=data, params=params,
                                        headers={"Content-Type": content_type}) as resp:
            raw = await resp.read()
            try:
                return resp.status, orjson.loads(raw)
            except orjson.JSONDecodeError:
                return resp.status, raw.decode()

    async def watch_lines(self, path: str, params: dict[str, str], count: int, limit_s: float = 10) -> list[Any]:
        out: list[Any] = []
        async with self.session.get(self.base + path, params=params,
                                    timeout=aiohttp.ClientTimeout(total=limit_s)) as resp:
            assert resp.status == 200
            async for line in resp.content:
                if line.strip():
                    out.append(orjson.loads(line))
                if len(out) >= count:
                    break
        return out

    async def close(self) -> None:
        await self.session.close()


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[LocalCluster]:
    async with LocalCluster(tmp_path / "data") as c:
        yield c


@pytest.fixture
async def api(local: LocalCluster) -> AsyncIterator[Api]:
    a = Api(local)
    yield a
    await a.close()
