"""Controllers and the simulated kubelet under load.

- Time for a 100-replica Deployment to become Available (`kubectl rollout status`), repeated.
- 5,000 Pods (10 Deployments x 500 replicas on 50 simulated nodes): time until every Deployment
  is Available, the server process's CPU seconds spent getting there, its resident memory, and
  its CPU use once everything has settled (idle reconcile cost).

The API server and the controllers run in one `trueup cluster up --timing fast` process, as
users run it; CPU and memory are read from /proc for that process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from .apiserver import BIN, rss_mib, start_server

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def kubectl(kubeconfig: Path, *args: str, stdin: str | None = None, timeout: float = 600) -> str:
    out = subprocess.run([str(BIN / "kubectl"), f"--kubeconfig={kubeconfig}", *args], input=stdin,
                         capture_output=True, text=True, check=True, timeout=timeout)
    return out.stdout


def deployment(ns: str, name: str, replicas: int) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}}


def run() -> None:
    reps = int(os.environ.get("BENCH_REPS", "3"))
    with tempfile.TemporaryDirectory() as tmp:
        proc, kubeconfig = start_server(Path(tmp) / "data", "--timing", "fast", "--nodes", "50")
        try:
            times = []
            for i in range(reps):
                ns = f"r{i}"
                kubectl(kubeconfig, "apply", "-f", "-", stdin=json.dumps(
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}))
                t0 = time.perf_counter()
                kubectl(kubeconfig, "apply", "-f", "-", stdin=json.dumps(deployment(ns, "web", 100)))
                kubectl(kubeconfig, "-n", ns, "rollout", "status", "deploy/web", "--timeout=600s")
                times.append(time.perf_counter() - t0)
                kubectl(kubeconfig, "delete", "namespace", ns, "--wait=true", "--timeout=600s")

            ns = "load"
            kubectl(kubeconfig, "apply", "-f", "-", stdin=json.dumps(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}))
            cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
            items = [deployment(ns, f"d{i}", 500) for i in range(10)]
            kubectl(kubeconfig, "apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                       "items": items}))
            for i in range(10):
                kubectl(kubeconfig, "-n", ns, "rollout", "status", f"deploy/d{i}", "--timeout=1200s", timeout=1300)
            wall = time.perf_counter() - t0
            cpu = cpu_seconds(proc.pid) - cpu0
            pods = len(json.loads(kubectl(kubeconfig, "get", "pods", "-n", ns, "-o", "json"))["items"])
            memory = rss_mib(proc.pid)
            idle0 = cpu_seconds(proc.pid)
            time.sleep(10)
            idle = (cpu_seconds(proc.pid) - idle0) / 10 * 100
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    print(f"{os.cpu_count()} cores, {reps} repetitions\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| 100-replica Deployment Available (apply → rollout status), median s | {statistics.median(times):.2f} |")
    print(f"| same, min / max s | {min(times):.2f} / {max(times):.2f} |")
    print(f"| 5,000 pods (10 x 500) all Available, wall s | {wall:.1f} |")
    print(f"| pods running | {pods} |")
    print(f"| server+controllers CPU seconds to get there | {cpu:.1f} |")
    print(f"| resident memory with 5,000 pods, MiB | {memory:.0f} |")
    print(f"| idle CPU with 5,000 pods settled, % of one core | {idle:.1f} |")
