"""ChartCache against a chart repository served by aiohttp on 127.0.0.1: version choice, the index
fetched at most once per interval, archives cached per version, hostile archives refused."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from trueup.source import ChartCache, ChartError, RepositoryError, RevisionNotFound


def archive(name: str, version: str, extra: list[tarfile.TarInfo | tuple[str, bytes]] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for rel, data in ((f"{name}/Chart.yaml", f"apiVersion: v2\nname: {name}\nversion: {version}\n".encode()),
                          (f"{name}/templates/cm.yaml", b"kind: ConfigMap\n")):
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for item in extra or []:
            if isinstance(item, tarfile.TarInfo):
                tar.addfile(item)
            else:
                info = tarfile.TarInfo(item[0])
                info.size = len(item[1])
                tar.addfile(info, io.BytesIO(item[1]))
    return buf.getvalue()


class Repo:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.hits: list[str] = []
        self.url = ""

    def publish(self, name: str, versions: dict[str, bytes], digests: dict[str, str] | None = None) -> None:
        entries: list[dict[str, Any]] = []
        for version, data in versions.items():
            self.files[f"{name}-{version}.tgz"] = data
            entries.append({"name": name, "version": version, "urls": [f"{name}-{version}.tgz"],
                            "digest": (digests or {}).get(version, hashlib.sha256(data).hexdigest())})
        self.files["index.yaml"] = yaml.safe_dump({"apiVersion": "v1", "entries": {name: entries}}).encode()


@pytest.fixture
async def repo() -> AsyncIterator[Repo]:
    state = Repo()

    async def handler(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        state.hits.append(name)
        if name not in state.files:
            return web.Response(status=404)
        return web.Response(body=state.files[name])

    app = web.Application()
    app.router.add_get("/charts/{name}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/charts"  # type: ignore[union-attr]
    yield state
    await runner.cleanup()


async def test_ranges_pick_the_highest_release_and_the_index_is_fetched_once_per_interval(
        repo: Repo, tmp_path: Path) -> None:
    repo.publish("web", {v: archive("web", v) for v in ("1.0.0", "1.2.0", "1.10.1", "2.0.0-rc.1")})
    charts = ChartCache(tmp_path, min_fetch_interval=3600)
    pulled = await charts.pull(repo.url, "web", "~1")
    assert pulled.version == "1.10.1" and (pulled.path / "Chart.yaml").is_file()
    assert pulled.path.name == "web" and "1.10.1" in pulled.path.parent.name
    assert (await charts.pull(repo.url, "web", "")).version == "1.10.1"  # pre-releases only when asked
    assert (await charts.pull(repo.url, "web", ">=2.0.0-rc.0")).version == "2.0.0-rc.1"
    assert (await charts.pull(repo.url, "web", "1.0.0")).version == "1.0.0"
    assert repo.hits.count("index.yaml") == 1
    assert repo.hits.count("web-1.10.1.tgz") == 1  # cached by version
    with pytest.raises(RevisionNotFound) as info:
        await charts.pull(repo.url, "web", "^3")
    assert "web" in str(info.value) and "^3" in str(info.value) and "1.10.1" in str(info.value)
    assert repo.hits.count("index.yaml") == 2  # a version not found gets one fresh index


@pytest.mark.parametrize(("extra", "words"), [
    ([("web/../../escape.txt", b"x")], ["outside the chart directory"]),
    ([("other/Chart.yaml", b"x")], ["outside the chart directory"]),
    ([tarfile.TarInfo("web/templates/link")], None),  # a plain empty file is fine
])
async def test_hostile_archives_are_refused_and_leave_nothing(repo: Repo, tmp_path: Path,
                                                              extra: list[Any], words: list[str] | None) -> None:
    repo.publish("web", {"1.0.0": archive("web", "1.0.0", extra)})
    charts = ChartCache(tmp_path)
    if words is None:
        assert (await charts.pull(repo.url, "web", "1.0.0")).version == "1.0.0"
        return
    with pytest.raises(ChartError) as info:
        await charts.pull(repo.url, "web", "1.0.0")
    for word in words:
        assert word in str(info.value)
    left = [p.name for p in tmp_path.rglob("*")]  # noqa: ASYNC240 - a test's own temporary directory
    assert "escape.txt" not in left and "Chart.yaml" not in left


async def test_symlinks_and_digest_mismatch_are_refused(repo: Repo, tmp_path: Path) -> None:
    link = tarfile.TarInfo("web/templates/passwd.yaml")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    repo.publish("web", {"1.0.0": archive("web", "1.0.0", [link])})
    with pytest.raises(ChartError, match="link or device"):
        await ChartCache(tmp_path).pull(repo.url, "web", "1.0.0")
    repo.publish("web", {"1.0.0": archive("web", "1.0.0")}, digests={"1.0.0": "0" * 64})
    with pytest.raises(ChartError, match="sha256 does not match"):
        await ChartCache(tmp_path / "b").pull(repo.url, "web", "1.0.0")


async def test_missing_repository_and_oci_are_clear(repo: Repo, tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match=r"index\.yaml.*404"):
        await ChartCache(tmp_path).pull(repo.url.replace("/charts", "/charts/none"), "web", "1.0.0")
    with pytest.raises(ChartError, match="OCI registries are not supported"):
        await ChartCache(tmp_path).pull("oci://registry.example.com/charts", "web", "1.0.0")
    with pytest.raises(ChartError, match="repository Secret"):
        await ChartCache(tmp_path).pull("https://u:pw@charts.example.com", "web", "1.0.0")
