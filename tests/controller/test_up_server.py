"""The Controller and the HTTP server wired together in-process (as `trueup up` does), on the
embedded cluster: the Applications API, push webhooks that hard-refresh apps, and /metrics."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.controller.conftest import Kit, application, configmap, until
from trueup.controller import Controller
from trueup.controller.serving import server_hooks
from trueup.kube.resources import CONFIGMAPS
from trueup.server import Running, ServerConfig, build_app, serve

TOKEN = "test-api-token-0123456789"
SECRET = "github-webhook-secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
async def server(controller: Controller) -> AsyncIterator[Running]:
    config = ServerConfig(api_tokens=(TOKEN,), webhook_secrets={"github": SECRET})
    running = await serve(build_app(config, server_hooks(controller), controller.metrics), "127.0.0.1:0")
    yield running
    await running.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def push(repo_url: str, branch: str, after: str, files: list[str]) -> bytes:
    return json.dumps({
        "ref": f"refs/heads/{branch}", "before": "0" * 40, "after": after, "created": False, "deleted": False,
        "forced": False, "commits": [{"id": after, "added": [], "removed": [], "modified": files}],
        "head_commit": {"id": after},
        "repository": {"clone_url": repo_url, "html_url": repo_url, "default_branch": "main"},
    }).encode()


def github_headers(body: bytes, secret: str) -> dict[str, str]:
    sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1", "Content-Type": "application/json",
            "X-Hub-Signature-256": sig}


async def test_api_lists_apps_with_sync_status_and_needs_the_token(kit: Kit, server: Running,
                                                                   http: aiohttp.ClientSession) -> None:
    sha = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(sha, health="Healthy")

    async with http.get(f"{server.url}/api/v1/applications") as resp:
        assert resp.status == 401
    async with http.get(f"{server.url}/api/v1/applications", headers={"Authorization": "Bearer wrong"}) as resp:
        assert resp.status == 401

    async def listed() -> dict[str, object]:
        async with http.get(f"{server.url}/api/v1/applications", headers=AUTH) as resp:
            assert resp.status == 200
            items = {i["name"]: i for i in (await resp.json())["items"]}
        item: dict[str, object] = items[kit.name]
        assert item["sync"] == {"status": "Synced", "revision": sha}, item
        return item

    item = await until(listed, what="app listed as Synced")
    assert item["namespace"] == "trueup" and item["project"] == "default" and item["path"] == "app"
    assert item["health"] == {"status": "Healthy"}
    async with http.get(f"{server.url}/api/v1/applications/{kit.name}", headers=AUTH) as resp:
        assert resp.status == 200
        assert (await resp.json())["name"] == kit.name
    async with http.get(f"{server.url}/api/v1/applications/missing-app", headers=AUTH) as resp:
        assert resp.status == 404
    async with http.get(f"{server.url}/readyz") as resp:
        assert resp.status == 200


async def test_signed_push_refreshes_the_app_and_a_forged_one_changes_nothing(
        kit: Kit, server: Running, http: aiohttp.ClientSession) -> None:
    first = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(first)
    second = kit.repo.write({"app/cm.yaml": configmap("settings", mode="b")})
    url = str(kit.repo.path)
    fetches = kit.controller.repos.fetch_count(url)

    forged = push(url, "main", second, ["app/cm.yaml"])
    async with http.post(f"{server.url}/api/webhook", data=forged, headers=github_headers(forged, "wrong")) as resp:
        assert resp.status == 401
    await asyncio.sleep(0.5)  # a refresh, had one been queued, would have fetched by now
    assert kit.controller.repos.fetch_count(url) == fetches
    assert (await kit.status())["sync"]["revision"] == first

    other = push(url, "other-branch", second, ["app/cm.yaml"])
    async with http.post(f"{server.url}/api/webhook", data=other, headers=github_headers(other, SECRET)) as resp:
        assert resp.status in (200, 202)
        assert kit.name not in json.dumps(await resp.json())

    body = push(url, "main", second, ["app/cm.yaml"])
    async with http.post(f"{server.url}/api/webhook", data=body, headers=github_headers(body, SECRET)) as resp:
        assert resp.status == 202
        assert kit.name in (await resp.json())["apps"]
    await until(lambda: _revision_is(kit, second), limit_s=5.0, what="revision moved to the pushed commit")
    await kit.synced(second)
    cm = await kit.client.get(CONFIGMAPS, kit.ns, "settings")
    assert cm is not None and cm["data"] == {"mode": "b"}


async def _revision_is(kit: Kit, sha: str) -> bool:
    return bool((await kit.status()).get("sync", {}).get("revision") == sha)


async def test_metrics_show_app_info_syncs_drift_and_heal(kit: Kit, server: Running,
                                                         http: aiohttp.ClientSession) -> None:
    sha = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"selfHeal": True}))
    await kit.synced(sha)

    async def scrape() -> str:
        async with http.get(f"{server.url}/metrics") as resp:
            assert resp.status == 200
            return await resp.text()

    def series(text: str, metric: str, **labels: str) -> float | None:
        for line in text.splitlines():
            if not line.startswith(metric + "{"):
                continue
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
        return None

    async def info() -> str:
        text = await scrape()
        assert series(text, "trueup_app_info", name=kit.name, sync_status="Synced", health_status="Healthy",
                      project="default", dest_namespace=kit.ns) == 1.0, text
        return text

    text = await until(info, what="trueup_app_info Synced/Healthy")
    assert (series(text, "trueup_app_sync_total", name=kit.name, phase="Succeeded") or 0) >= 1
    assert re.search(r"^trueup_app_reconcile_seconds_count [1-9]", text, re.M)
    assert re.search(r"^trueup_git_fetch_seconds_count\{[^}]*\} [1-9]", text, re.M)

    heals_before = float(re.search(r"^trueup_heal_latency_seconds_count (\S+)", text, re.M).group(1))  # type: ignore[union-attr]
    await kit.client.patch(CONFIGMAPS, kit.ns, "settings", {"data": {"mode": "z"}}, field_manager="kubectl-edit")

    async def healed() -> str:
        cm = await kit.client.get(CONFIGMAPS, kit.ns, "settings")
        assert cm is not None and cm["data"] == {"mode": "a"}
        text = await scrape()
        assert series(text, "trueup_drift_events_total", name=kit.name, kind="ConfigMap") == 1.0, text
        count = re.search(r"^trueup_heal_latency_seconds_count (\S+)", text, re.M)
        assert count is not None and float(count.group(1)) > heals_before
        return text

    text = await until(healed, what="drift counted and heal latency observed")
    assert (series(text, "trueup_app_sync_total", name=kit.name, phase="Succeeded") or 0) >= 2
