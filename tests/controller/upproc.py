"""`trueup up --kubeconfig K` as a real process for tests: its output collected by a reader thread
(the pipe never fills), waited on with deadlines, stopped with SIGINT or killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from tests.processes import CliProcess

TRUEUP = str(Path(sys.executable).parent / "trueup")


class UpProcess(CliProcess):
    def __init__(self, kubeconfig: Path, data_dir: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "TRUEUP_API_TOKEN")}
        super().__init__([TRUEUP, "up", "--kubeconfig", str(kubeconfig), "--data-dir", str(data_dir), "--listen",
                          "none", "--poll-interval", "30", *args], env)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        return super().stop(sig, timeout)
