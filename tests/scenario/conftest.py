"""The seed scenario's parts, all real: `trueup cluster up` and `trueup up` as subprocesses, the
real kubectl, a Git repository on disk, and HTTP to the controller's server.

One cluster per test module (module scope): the steps of a module build on each other's state,
as the seed's user does in one session."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import VENV_BIN, RunningCluster, eventually, start_cluster, stop_cluster
from tests.scenario.seedrepo import APPS_NS

TRUEUP = str(VENV_BIN / "trueup")
Obj = dict[str, Any]


class ControllerProcess:
    """One `trueup up --kubeconfig ...` process; its output goes to a log file the test reads."""

    def __init__(self, cluster: RunningCluster, workdir: Path, name: str, *extra: str,
                 webhook_secret: str | None = None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.token = secrets.token_urlsafe(24)
        token_file = workdir / f"{name}-token"
        token_file.write_text(self.token + "\n")
        args = [TRUEUP, "up", "--kubeconfig", str(cluster.kubeconfig), "--data-dir", str(workdir / name / "data"),
                "--listen", "127.0.0.1:0", "--token-file", str(token_file), *extra]
        if webhook_secret is not None:
            secret_file = workdir / f"{name}-webhooks.yaml"
            secret_file.write_text(f"github: {webhook_secret}\n")
            args += ["--webhook-secret-file", str(secret_file)]
        self.log_path = workdir / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, text=True)
        self.wait_for("watching Applications")
        self.url = self._match(r"trueup server at (http://\S+)")
        ident = re.search(r"leader election: lease \S+ as (\S+)", self.output())
        self.identity = ident.group(1) if ident else ""

    def output(self) -> str:
        return self.log_path.read_text()

    def _match(self, pattern: str) -> str:
        found = re.search(pattern, self.output())
        assert found, f"{pattern!r} not in the output of {self.name}:\n{self.output()}"
        return found.group(1)

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        def seen() -> bool:
            if self.process.poll() is not None and text not in self.output():
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.output()}")
            return text in self.output()
        eventually(seen, timeout, f"{text!r} in the output of {self.name}")

    def metric(self, name: str, **labels: str) -> float:
        """The sum of the series of `name` whose labels include `labels` (0 when absent)."""
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=10) as resp:
            text = resp.read().decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith((name + "{", name + " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def post_webhook(self, body: bytes, secret: str) -> tuple[int, Obj]:
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(f"{self.url}/api/webhook", data=body, method="POST", headers={
            "X-GitHub-Event": "push", "X-GitHub-Delivery": secrets.token_hex(8),
            "Content-Type": "application/json", "X-Hub-Signature-256": sig})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCluster]:
    c = start_cluster(tmp_path_factory.mktemp("scenario") / "data")
    yield c
    stop_cluster(c)


@pytest.fixture(scope="module")
def controllers(cluster: RunningCluster, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[Callable[..., ControllerProcess]]:
    """Start `trueup up` processes (stopped with SIGTERM at the end of the module)."""
    workdir = tmp_path_factory.mktemp("controllers")
    started: list[ControllerProcess] = []

    def start(name: str, *extra: str, webhook_secret: str | None = None) -> ControllerProcess:
        c = ControllerProcess(cluster, workdir, name, *extra, webhook_secret=webhook_secret)
        started.append(c)
        return c

    yield start
    for c in started:
        c.stop()


def application(cluster: RunningCluster, name: str) -> Obj:
    doc: Obj = cluster.get_json("applications.trueup.dev", name, "-n", APPS_NS)
    return doc


def app_events(cluster: RunningCluster, app: str, reason: str | None = None) -> list[Obj]:
    """core/v1 Events whose involvedObject is Application `app`, oldest first."""
    items = cluster.get_json("events", "-n", APPS_NS)["items"]
    found = [e for e in items if e["involvedObject"].get("kind") == "Application"
             and e["involvedObject"].get("name") == app and (reason is None or e.get("reason") == reason)]
    return sorted(found, key=lambda e: (e.get("firstTimestamp") or "", e["metadata"]["name"]))


class ApiReader:
    """GETs against the cluster's HTTPS API (its CA, its token): fast enough to time a heal to
    the tens of milliseconds, which a kubectl process per poll is not. Changes go through kubectl."""

    def __init__(self, cluster: RunningCluster) -> None:
        import ssl

        self.url = cluster.url
        self.token = cluster.token
        self.context = ssl.create_default_context(cafile=str(cluster.data_dir / "pki" / "ca.crt"))

    def get(self, path: str) -> Obj | None:
        req = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=10, context=self.context) as resp:
                doc: Obj = json.loads(resp.read())
                return doc
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def deployment(self, namespace: str, name: str) -> Obj | None:
        return self.get(f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}")


@pytest.fixture(scope="module")
def api(cluster: RunningCluster) -> ApiReader:
    return ApiReader(cluster)


MEASURED: list[str] = []


def measured(what: str, seconds: float) -> None:
    """Record a latency for the run's summary (printed at the end even without -s)."""
    line = f"{what}: {seconds * 1000:.0f} ms"
    MEASURED.append(line)
    print("\n" + line)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if MEASURED:
        terminalreporter.section("seed scenario latencies")
        for line in MEASURED:
            terminalreporter.write_line(line)
