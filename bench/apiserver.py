"""The embedded API server under load, side by side with kubectl on the same server.

Starts `trueup cluster up` in its own process (as users run it), then measures:
- writes/s (create and merge-patch) and reads/s from an asyncio HTTPS client with 16 requests
  in flight, and the same operations through kubectl (`kubectl apply -f` of a multi-object file,
  `kubectl get`), on the same server, in the same run;
- listing 10,000 objects: one JSON list request, and `kubectl get -A` (Tables, pages of 500);
- watch delivery latency with 10 concurrent watchers (p50/p99 over every event they see);
- the server's resident memory after the load.

Each figure is the median of several repetitions; results go to stdout as a Markdown table
(copy them into docs/BENCHMARKS.md with the machine they were measured on).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import yaml

BIN = Path(sys.executable).parent
CONCURRENCY = 16


def start_server(data_dir: Path, *extra: str) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen([str(BIN / "trueup"), "cluster", "up", "--data-dir", str(data_dir), "--port", "0", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "ready at" in line:
            return proc, data_dir / "kubeconfig"
    proc.kill()
    raise SystemExit("server did not start")


class Client:
    def __init__(self, data_dir: Path, url: str) -> None:
        token = (data_dir / "pki" / "token").read_text().strip()
        ctx = ssl.create_default_context(cafile=str(data_dir / "pki" / "ca.crt"))
        self.url = url
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=ctx, limit=CONCURRENCY * 2),
            headers={"Authorization": f"Bearer {token}"})

    async def call(self, method: str, path: str, body: Any = None, ctype: str = "application/json") -> Any:
        data = orjson.dumps(body) if body is not None else None
        async with self.session.request(method, self.url + path, data=data,
                                        headers={"Content-Type": ctype}) as resp:
            raw = await resp.read()
            if resp.status >= 300:
                raise RuntimeError(f"{method} {path}: {resp.status} {raw[:200]!r}")
            return orjson.loads(raw)

    async def close(self) -> None:
        await self.session.close()


async def run_many(n: int, make: Any) -> float:
    """Run n requests with CONCURRENCY in flight; returns requests per second."""
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        async with sem:
            await make(i)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return n / (time.perf_counter() - t0)


def cm(ns: str, name: str, i: int = 0) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns,
                                                                   "labels": {"bench": "yes"}},
            "data": {"index": str(i), "payload": "x" * 200}}


def kubectl(kubeconfig: Path, cache: Path, *args: str, stdin: str | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "kubectl"), f"--kubeconfig={kubeconfig}", f"--cache-dir={cache}", *args],
                   input=stdin, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def watch_latency(client: Client, ns: str, watchers: int = 10, events: int = 300) -> list[float]:
    latencies: list[float] = []
    ready = asyncio.Event()
    started = 0

    async def watcher() -> None:
        nonlocal started
        path = f"{client.url}/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion=0"
        seen = 0
        async with client.session.get(path, timeout=aiohttp.ClientTimeout(total=120)) as resp:
            started += 1
            if started == watchers:
                ready.set()
            async for line in resp.content:
                if not line.strip():
                    continue
                ev = orjson.loads(line)
                sent = (ev["object"]["metadata"].get("annotations") or {}).get("sent")
                if sent:
                    latencies.append(time.time() - float(sent))
                    seen += 1
                    if seen >= events:
                        return

    tasks = [asyncio.create_task(watcher()) for _ in range(watchers)]
    await asyncio.wait_for(ready.wait(), 30)
    await asyncio.sleep(0.2)
    for i in range(events):
        body = cm(ns, f"w{i}")
        body["metadata"]["annotations"] = {"sent": repr(time.time())}
        await client.call("POST", f"/api/v1/namespaces/{ns}/configmaps", body)
        await asyncio.sleep(0.002)
    await asyncio.wait_for(asyncio.gather(*tasks), 120)
    return latencies


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


async def main() -> None:
    reps = int(os.environ.get("BENCH_REPS", "3"))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        proc, kubeconfig = start_server(data, "--no-controllers")
        url = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        cache = Path(tmp) / "kcache"
        client = Client(data, url)
        results: dict[str, list[float]] = {}
        try:
            for rep in range(reps):
                ns = f"bench-{rep}-{uuid.uuid4().hex[:4]}"
                await client.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                                 "metadata": {"name": ns}})
                base = f"/api/v1/namespaces/{ns}/configmaps"
                n = 1000
                results.setdefault("create/s (HTTP client)", []).append(
                    await run_many(n, lambda i, b=base, s=ns: client.call("POST", b, cm(s, f"c{i}", i))))
                results.setdefault("merge-patch/s (HTTP client)", []).append(
                    await run_many(n, lambda i, b=base: client.call(
                        "PATCH", f"{b}/c{i}", {"data": {"index": str(-i)}}, "application/merge-patch+json")))
                results.setdefault("get/s (HTTP client)", []).append(
                    await run_many(n, lambda i, b=base: client.call("GET", f"{b}/c{i}")))
                # kubectl on the same server: apply 200 objects from one file (one process).
                kn = 200
                doc = json.dumps({"apiVersion": "v1", "kind": "List",
                                  "items": [cm(ns, f"k{i}", i) for i in range(kn)]})
                secs = kubectl(kubeconfig, cache, "apply", "-f", "-", stdin=doc)
                results.setdefault("create/s (kubectl apply -f, 200 objects)", []).append(kn / secs)
                secs = kubectl(kubeconfig, cache, "get", "configmap", "-n", ns, "c1", "-o", "name")
                results.setdefault("kubectl get one object (s)", []).append(secs)

            # 10,000 objects, listed.
            big = f"big-{uuid.uuid4().hex[:4]}"
            await client.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                             "metadata": {"name": big}})
            base = f"/api/v1/namespaces/{big}/configmaps"
            await run_many(10_000, lambda i: client.call("POST", base, cm(big, f"o{i}", i)))
            for _ in range(reps):
                t0 = time.perf_counter()
                listed = await client.call("GET", base)
                results.setdefault("list 10k objects, one JSON request (s)", []).append(time.perf_counter() - t0)
                assert len(listed["items"]) == 10_000
                secs = kubectl(kubeconfig, cache, "get", "configmaps", "-n", big, "--no-headers")
                results.setdefault("kubectl get 10k objects, Tables in pages of 500 (s)", []).append(secs)

            wns = f"watch-{uuid.uuid4().hex[:4]}"
            await client.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                             "metadata": {"name": wns}})
            lat = await watch_latency(client, wns)
            memory = rss_mib(proc.pid)
        finally:
            await client.close()
            proc.terminate()
            proc.wait(timeout=15)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{reps} repetitions (medians)\n")
    print("| measure | median | min | max |")
    print("|---|---|---|---|")
    for name, values in results.items():
        print(f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} |")
    print(f"| watch delivery latency, 10 watchers x 300 events: p50 (ms) | {pct(lat, 50) * 1000:.1f} | | |")
    print(f"| watch delivery latency, 10 watchers x 300 events: p99 (ms) | {pct(lat, 99) * 1000:.1f} | | |")
    print(f"| server resident memory after 10k+ objects (MiB) | {memory:.0f} | | |")


def run() -> None:
    asyncio.run(main())
