"""`trueup cluster up` as a user runs it: ready message, clean stop on signals, restart keeps state."""

from __future__ import annotations

import json
import signal
import stat
from pathlib import Path

from tests.conftest import start_cluster


def test_stops_cleanly_and_restart_keeps_objects(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_cluster(data, "--no-controllers")
    try:
        first.kubectl("apply", "-f", "-", input=json.dumps(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "survivor", "namespace": "default"},
             "data": {"answer": "42"}}))
        before = first.get_json("cm", "survivor")
        assert stat.S_IMODE(first.kubeconfig.stat().st_mode) == 0o600
    finally:
        first.process.send_signal(signal.SIGINT)
        assert first.process.wait(timeout=15) == 0
    assert first.process.stdout is not None
    assert "stopped" in first.process.stdout.read()

    second = start_cluster(data, "--no-controllers")
    try:
        after = second.get_json("cm", "survivor")
        assert after["data"] == {"answer": "42"}
        assert after["metadata"]["uid"] == before["metadata"]["uid"]
        second.kubectl("apply", "-f", "-", input=json.dumps(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "newer", "namespace": "default"}}))
        newer = second.get_json("cm", "newer")
        assert int(newer["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    finally:
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(timeout=15) == 0


def test_a_second_server_on_the_same_data_dir_refuses_and_changes_nothing(tmp_path: Path) -> None:
    import subprocess

    from tests.conftest import VENV_BIN

    data = tmp_path / "data"
    first = start_cluster(data, "--no-controllers")
    try:
        first.kubectl("create", "configmap", "mine", "--from-literal=k=v")
        second = subprocess.run([str(VENV_BIN / "trueup"), "cluster", "up", "--data-dir", str(data), "--port", "0",
                                 "--no-controllers"], capture_output=True, text=True, timeout=60)
        assert second.returncode == 1, second.stdout + second.stderr
        assert f"{data} is in use by another trueup process (pid {first.process.pid})" in second.stderr
        assert "--data-dir" in second.stderr and "Traceback" not in second.stderr
        assert first.get_json("cm", "mine")["data"] == {"k": "v"}  # the first server still serves
    finally:
        first.process.send_signal(signal.SIGTERM)
        assert first.process.wait(timeout=15) == 0
