"""`trueup up --kubeconfig K` as a real process for tests: its output collected by a reader thread
(the pipe never fills), waited on with deadlines, stopped with SIGINT or killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

TRUEUP = str(Path(sys.executable).parent / "trueup")


class UpProcess:
    def __init__(self, kubeconfig: Path, data_dir: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "TRUEUP_API_TOKEN")}
        self.proc = subprocess.Popen(
            [TRUEUP, "up", "--kubeconfig", str(kubeconfig), "--data-dir", str(data_dir), "--listen", "none",
             "--poll-interval", "30", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """The first output line containing `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"trueup up never printed {text!r}:\n{self.output}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=5)
        return self.proc.returncode

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._reader.join(timeout=5)
