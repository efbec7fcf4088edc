"""`trueup demo` as a user runs it: the real CLI in a subprocess (fast kubelet timing, any free
ports, a tmp data dir), its output read line by line, and the real kubectl against its cluster."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import kubectl_path
from tests.processes import CliProcess

TRUEUP = str(Path(sys.executable).parent / "trueup")
HEALTHY_LINE = "all 4 demo apps are Synced and Healthy"


def demo_args(data_dir: Path, *extra: str) -> list[str]:
    return [TRUEUP, "demo", "--data-dir", str(data_dir), "--timing", "fast", "--port", "0",
            "--listen", "127.0.0.1:0", *extra]


class Demo(CliProcess):
    """A long-running `trueup demo`; stdout and stderr collected by a reader thread."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.kubeconfig = data_dir / "cluster" / "kubeconfig"
        super().__init__(demo_args(data_dir, *extra))


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
