"""A request body that arrives in several pieces is read whole (kubectl's larger applies arrive in
several TCP segments; a chunked upload makes the split deterministic)."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator

import aiohttp

from tests.conftest import RunningCluster


async def test_a_body_sent_in_pieces_is_read_whole(cluster: RunningCluster, ns: str) -> None:
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "pieces"},
           "data": {f"k{i}": "v" * 200 for i in range(40)}}
    body = json.dumps(doc).encode()

    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]
            await asyncio.sleep(0.02)  # let the server see each piece on its own

    tls = ssl.create_default_context(cafile=str(cluster.data_dir / "pki" / "ca.crt"))
    headers = {"Authorization": f"Bearer {cluster.token}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http, http.post(
            f"{cluster.url}/api/v1/namespaces/{ns}/configmaps", data=pieces(), headers=headers, ssl=tls) as resp:
        text = await resp.text()
        assert resp.status == 201, text
    assert cluster.get_json("configmap", "pieces", "-n", ns)["data"] == doc["data"]
