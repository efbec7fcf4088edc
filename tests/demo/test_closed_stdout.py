"""`trueup demo | head`: when its stdout closes, the demo stops its controller and cluster and
exits quietly (no traceback, no "Unclosed client session", no BrokenPipeError on stderr)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from tests.demo.conftest import demo_args


def test_demo_exits_quietly_when_its_stdout_is_closed(tmp_path: Path) -> None:
    demo = " ".join(shlex.quote(a) for a in demo_args(tmp_path))
    # closed while it starts up, then while it syncs; the second runs reuse the data (apps already
    # there: the controller is busy at once)
    for lines, again in ((3, "created"), (12, "reusing"), (12, "reusing"), (20, "reusing")):
        script = f'{demo} | head -{lines}; echo "demo exited ${{PIPESTATUS[0]}}" >&2'
        proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=90)
        assert proc.stdout.startswith(f"trueup demo: {again} the demo repository"), proc.stdout
        assert len(proc.stdout.splitlines()) == lines
        # click's exit status on a closed pipe, and nothing else on stderr
        assert proc.stderr == "demo exited 1\n", (lines, proc.stderr)
