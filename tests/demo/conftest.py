"""`trueup demo` as a user runs it: the real CLI in a subprocess (fast kubelet timing, any free
ports, a tmp data dir), its output read line by line, and the real kubectl against its cluster."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.conftest import kubectl_path

TRUEUP = str(Path(sys.executable).parent / "trueup")
HEALTHY_LINE = "all 4 demo apps are Synced and Healthy"


def demo_args(data_dir: Path, *extra: str) -> list[str]:
    return [TRUEUP, "demo", "--data-dir", str(data_dir), "--timing", "fast", "--port", "0",
            "--listen", "127.0.0.1:0", *extra]


class Demo:
    """A long-running `trueup demo`; stdout and stderr collected by a reader thread."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.kubeconfig = data_dir / "cluster" / "kubeconfig"
        self.process = subprocess.Popen(demo_args(data_dir, *extra), stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_line(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"`trueup demo` never printed {text!r}:\n{self.output}")

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        self._reader.join(timeout=5)
        return code


def kubectl(kubeconfig: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    cache = kubeconfig.parent.parent / "kubectl-cache"
    proc = subprocess.run([kubectl_path(), f"--kubeconfig={kubeconfig}", f"--cache-dir={cache}", *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "KUBECONFIG": str(kubeconfig)})
    if check and proc.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}{proc.stdout}")
    return proc


def get_json(kubeconfig: Path, *args: str) -> Any:
    import json

    return json.loads(kubectl(kubeconfig, "get", *args, "-o", "json").stdout)
