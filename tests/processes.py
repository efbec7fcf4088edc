"""A long-running command as a real process for tests: its output collected by a reader thread (the
pipe never fills), waited on with deadlines, stopped with a signal (SIGKILL as a last resort)."""

from __future__ import annotations

import signal
import subprocess
import threading
import time


class CliProcess:
    def __init__(self, args: list[str], env: dict[str, str] | None = None, name: str = "") -> None:
        self.name = name or args[0].rsplit("/", 1)[-1] + (f" {args[1]}" if len(args) > 1 else "")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
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
        """The first output line containing `text`; fails with the output when the process ends first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"`{self.name}` never printed {text!r}:\n{self.output}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Send `sig` and wait; killed (and the wait failed) when it does not stop within `timeout`."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                stuck = f"`{self.name}` did not stop within {timeout}s of {sig!r}"
                raise AssertionError(f"{stuck}:\n{self.output}") from None
        self._reader.join(timeout=5)
        return self.proc.returncode

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._reader.join(timeout=5)
