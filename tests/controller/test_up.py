"""`trueup up` as a process: starts the embedded cluster, reconciles an Application, stops on SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.controller.conftest import application, configmap, until
from tests.e2e.gitrepo import GitRepo
from trueup.controller import APPLICATIONS
from trueup.kube import Client, load_config
from trueup.kube.resources import CONFIGMAPS

TRUEUP = str(Path(sys.executable).parent / "trueup")


async def test_up_starts_embedded_cluster_reconciles_and_stops_on_sigint(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "TRUEUP_API_TOKEN")}
    proc = await asyncio.to_thread(
        subprocess.Popen, [TRUEUP, "up", "--data-dir", str(tmp_path / "cluster"), "--port", "0", "--poll-interval",
                           "5", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert proc.stdout is not None
    try:
        lines: list[str] = []
        while not any("watching Applications" in line for line in lines):
            line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 30)
            assert line, "".join(lines)
            lines.append(line)
        kubeconfig = next(line.split(":", 1)[1].strip() for line in lines if "kubeconfig:" in line)
        assert kubeconfig == str(tmp_path / "cluster" / "kubeconfig")
        token_file = tmp_path / "api-token"
        assert any(line.split(":", 1)[1].strip() == str(token_file) for line in lines if "api token:" in line)
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text().strip()
        assert len(token) >= 32 and token not in "".join(lines)
        url = next(line.split()[3] for line in lines if line.startswith("trueup server at "))
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/healthz") as resp:
                assert resp.status == 200
            async with http.get(f"{url}/api/v1/applications") as resp:
                assert resp.status == 401
            async with http.get(f"{url}/api/v1/applications", headers={"Authorization": f"Bearer {token}"}) as resp:
                assert resp.status == 200
        client = Client.from_config(load_config(kubeconfig), user_agent="kubectl")
        try:
            repo = GitRepo(tmp_path / "repo")
            repo.write({"app/cm.yaml": configmap("settings", mode="a")})
            doc = application("up-app", repo, "up-ns", automated={})
            await client.create(APPLICATIONS, "trueup", doc, field_manager="kubectl")
            await until(lambda: client.get(CONFIGMAPS, "up-ns", "settings"), limit_s=20, what="synced ConfigMap")
        finally:
            await client.close()
        proc.send_signal(signal.SIGINT)
        out, _ = await asyncio.to_thread(proc.communicate, timeout=30)
        assert proc.returncode == 0, out
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()




async def test_up_with_its_listen_address_taken_exits_with_a_clear_error(tmp_path: Path) -> None:
    import socket

    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "TRUEUP_API_TOKEN")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = await asyncio.to_thread(
            subprocess.run, [TRUEUP, "up", "--data-dir", str(tmp_path / "cluster"), "--port", "0",
                             "--listen", f"127.0.0.1:{port}", "--no-leader-elect"],
            capture_output=True, text=True, env=env, timeout=90)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in out.stderr and "--listen" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr + out.stdout
