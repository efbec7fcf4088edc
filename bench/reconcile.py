"""Continuous reconciliation at scale (issue 5): heal latency, push → Synced, steady state, refresh.

    python -m bench reconcile                       # part of `make bench`; full scale
    python -m bench.reconcile --scale 0.1           # a smaller run while developing

Two processes, as users run them: `trueup cluster up --no-controllers` (the API server alone:
the apps hold ConfigMaps, Secrets, Services and ServiceAccounts, which need no controllers) and
`trueup up --kubeconfig ... --listen ...` (the controller and its HTTP server), whose CPU and
resident memory are read from /proc for that process alone. Git repositories are local (pygit2).
Every app has 20 objects: 14 ConfigMaps, 3 Secrets, 1 Service, 2 ServiceAccounts, each labelled.

1. Heal latency: 50 apps (1,000 objects) with `selfHeal`; 100 out-of-band merge patches, one at a
   time, over the four kinds (a ConfigMap/Secret data value, a Service/ServiceAccount label).
   Both the out-of-band write and the controller's restoring write are seen on the bench's watch
   streams of the API server (one per kind, cluster-wide): latency = arrival of the restoring
   MODIFIED minus arrival of the drift's MODIFIED (its resourceVersion known from the PATCH).
2. Push → Synced: one more app on its own repository; commit, POST a signed generic push to
   /api/webhook, until the app's status.sync.revision is the commit and Synced (seen on a watch of
   Applications). Repeated; measured with the 50 apps and again with 1,000.
3. Steady state: 1,000 apps x 20 objects (apps added to reach 1,000), all Synced; then the
   controller's CPU (share of one core) over a settled window of one poll interval (60 s, the
   default, so every app's poll is in it) and its resident memory.
4. No-change refresh of all 1,000 apps: at a whole second S, the bench patches every Application
   with `argocd.argoproj.io/refresh: normal` (and a round number, so each round is a change; 16
   patches in flight); done when every app has a status write after its patch with
   `status.reconciledAt` >= S (reconciledAt has one-second resolution). Repeated.

`--scale` multiplies the app counts (not the objects per app). Results are printed as Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from tests.e2e.gitrepo import GitRepo  # the scripted Git repository the tests use

from .apiserver import BIN, Client, rss_mib, start_server
from .controllers import cpu_seconds

Obj = dict[str, Any]
NS = "trueup"
APPS_PATH = "/apis/trueup.dev/v1alpha1/namespaces/trueup/applications"
SECRET = "bench-webhook-secret"
PER_APP = 20
KIND_PATHS = {"ConfigMap": "/api/v1/configmaps", "Secret": "/api/v1/secrets", "Service": "/api/v1/services",
              "ServiceAccount": "/api/v1/serviceaccounts"}
MERGE = "application/merge-patch+json"


# ----- what the apps hold
def objects(ns: str, value: str) -> list[Obj]:
    labels = {"bench": "yes", "tier": "a"}
    out: list[Obj] = []
    for i in range(14):
        out.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}", "labels": labels},
                    "data": {"v": value, "payload": "x" * 100}})
    for i in range(3):
        out.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"s{i}", "labels": labels},
                    "type": "Opaque", "data": {"v": base64.b64encode(value.encode()).decode()}})
    out.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "labels": labels},
                "spec": {"ports": [{"port": 80}], "selector": {"app": ns}}})
    for i in range(2):
        out.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": f"sa{i}", "labels": labels}})
    assert len(out) == PER_APP
    return out


def manifest_file(ns: str, value: str) -> str:
    return "".join("---\n" + orjson.dumps(o).decode() + "\n" for o in objects(ns, value))


def application(name: str, repo: GitRepo, path: str, *, self_heal: bool) -> Obj:
    source = {"repoURL": str(repo.path), "targetRevision": "main", "path": path}
    return {"apiVersion": "trueup.dev/v1alpha1", "kind": "Application", "metadata": {"name": name, "namespace": NS},
            "spec": {"project": "default", "source": source,
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": name},
                     "syncPolicy": {"automated": {"prune": True, "selfHeal": self_heal},
                                    "syncOptions": ["CreateNamespace=true"]}}}


# ----- watching the API server
class Stream:
    """One watch stream (list path, from now on); every event with its arrival time."""

    def __init__(self, http: Client, path: str) -> None:
        self.http = http
        self.path = path
        self.changed = asyncio.Condition()
        self.task: asyncio.Task[None] | None = None
        self.on_event: Callable[[float, str, Obj], None] = lambda t, etype, obj: None

    async def start(self, rv: str) -> None:
        self.task = asyncio.create_task(self._run(rv))

    async def _run(self, rv: str) -> None:
        while True:
            url = f"{self.http.url}{self.path}?watch=true&resourceVersion={rv}&allowWatchBookmarks=true"
            try:
                async with self.http.session.get(url, timeout=aiohttp.ClientTimeout(total=None)) as resp:
                    async for line in resp.content:
                        if not line.strip():
                            continue
                        ev = orjson.loads(line)
                        now = time.perf_counter()
                        obj = ev["object"]
                        rv = str((obj.get("metadata") or {}).get("resourceVersion") or rv)
                        if ev["type"] in ("ADDED", "MODIFIED", "DELETED"):
                            self.on_event(now, ev["type"], obj)
                            async with self.changed:
                                self.changed.notify_all()
            except (aiohttp.ClientError, TimeoutError):
                await asyncio.sleep(0.1)

    async def wait(self, pred: Callable[[], Any], limit_s: float) -> Any:
        deadline = time.perf_counter() + limit_s
        async with self.changed:
            while not (found := pred()):
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError(f"waited {limit_s}s on {self.path}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), min(left, 1.0))
            return found

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


async def list_rv(http: Client, path: str) -> str:
    return str((await http.call("GET", path + "?limit=1"))["metadata"]["resourceVersion"])


class Apps:
    """The latest copy of every Application, from a watch, and when each write arrived."""

    def __init__(self, http: Client) -> None:
        self.docs: dict[str, Obj] = {}
        self.stream = Stream(http, APPS_PATH)
        self.stream.on_event = self._event
        self.http = http
        self.arrived: dict[str, float] = {}

    async def start(self) -> None:
        listed = await self.http.call("GET", APPS_PATH)
        for doc in listed["items"]:
            self.docs[doc["metadata"]["name"]] = doc
        await self.stream.start(listed["metadata"]["resourceVersion"])

    def _event(self, now: float, etype: str, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        self.arrived[name] = now
        if etype == "DELETED":
            self.docs.pop(name, None)
        else:
            self.docs[name] = obj

    def synced(self, name: str, revision: str | None = None) -> bool:
        status = (self.docs.get(name) or {}).get("status") or {}
        sync = status.get("sync") or {}
        return sync.get("status") == "Synced" and (revision is None or sync.get("revision") == revision) \
            and (status.get("health") or {}).get("status") == "Healthy"

    async def all_synced(self, names: list[str], revision: str | None, limit_s: float) -> None:
        await self.stream.wait(lambda: all(self.synced(n, revision) for n in names), limit_s)


class Objects:
    """Watch streams of the four managed kinds, cluster-wide: each object's events with arrival times."""

    def __init__(self, http: Client) -> None:
        self.events: dict[tuple[str, str, str], list[tuple[float, str, int]]] = {}
        self.streams = {kind: Stream(http, path) for kind, path in KIND_PATHS.items()}
        self.http = http
        for kind, stream in self.streams.items():
            stream.on_event = self._recorder(kind)

    def _recorder(self, kind: str) -> Callable[[float, str, Obj], None]:
        def record(now: float, etype: str, obj: Obj) -> None:
            meta = obj["metadata"]
            self.events.setdefault((kind, meta.get("namespace", ""), meta["name"]), []).append(
                (now, etype, int(meta["resourceVersion"])))
        return record

    async def start(self) -> None:
        for kind, stream in self.streams.items():
            await stream.start(await list_rv(self.http, KIND_PATHS[kind]))

    def after(self, key: tuple[str, str, str], rv: int) -> tuple[float, float] | None:
        """(arrival of the event at `rv`, arrival of the first later MODIFIED), once both arrived."""
        evs = self.events.get(key, [])
        at = next((t for t, _, r in evs if r == rv), None)
        later = next((t for t, e, r in evs if r > rv and e == "MODIFIED"), None)
        return None if at is None or later is None else (at, later)

    async def stop(self) -> None:
        for s in self.streams.values():
            await s.stop()


# ----- the controller process
def start_controller(kubeconfig: Path, work: Path, port: int, poll: float) -> subprocess.Popen[str]:
    secret_file = work / "webhook-secrets.yaml"
    secret_file.write_text(f"generic: {SECRET}\n")
    token = work / "api-token"
    token.write_text("bench-token\n")
    log = open(work / "controller.log", "w")  # noqa: SIM115 - lives as long as the process
    profile = os.environ.get("BENCH_PROFILE")  # a path: run the controller under cProfile, stats there
    launcher = [str(BIN / "trueup")]
    if profile:
        launcher = [sys.executable, "-m", "cProfile", "-o", profile, *launcher]
    proc = subprocess.Popen([*launcher, "up", "--kubeconfig", str(kubeconfig), "--data-dir",
                             str(work / "ctl" / "data"), "--listen", f"127.0.0.1:{port}", "--token-file", str(token),
                             "--webhook-secret-file", str(secret_file), "--no-leader-elect",
                             "--poll-interval", str(poll)], stdout=log, stderr=subprocess.STDOUT, text=True)
    return proc


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def push(port: int, repo: GitRepo, sha: str) -> None:
    body = orjson.dumps({"repository": str(repo.path), "ref": "refs/heads/main", "commit": sha})
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    async with aiohttp.ClientSession() as s, s.post(
            f"http://127.0.0.1:{port}/api/webhook", data=body,
            headers={"Content-Type": "application/json", "X-Trueup-Signature": sig}) as resp:
        if resp.status >= 300:
            raise RuntimeError(f"webhook: {resp.status} {await resp.text()}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----- the measures
async def create_apps(http: Client, repo: GitRepo, names: list[str], *, self_heal: bool) -> str:
    sha = repo.write({f"apps/{n}/all.yaml": manifest_file(n, "1") for n in names})
    sem = asyncio.Semaphore(16)

    async def one(n: str) -> None:
        async with sem:
            await http.call("POST", APPS_PATH, application(n, repo, f"apps/{n}", self_heal=self_heal))

    await asyncio.gather(*(one(n) for n in names))
    return sha


async def heal_latency(http: Client, objs: Objects, names: list[str], drifts: int) -> list[float]:
    kinds = [("ConfigMap", "cm3", "configmaps"), ("Secret", "s1", "secrets"), ("Service", "svc", "services"),
             ("ServiceAccount", "sa0", "serviceaccounts")]
    out: list[float] = []
    for i in range(drifts):
        kind, name, plural = kinds[i % len(kinds)]
        ns = names[(i * 7) % len(names)]
        if kind == "ConfigMap":
            patch: Obj = {"data": {"v": f"drift-{i}"}}
        elif kind == "Secret":
            patch = {"data": {"v": base64.b64encode(f"drift-{i}".encode()).decode()}}
        else:
            patch = {"metadata": {"labels": {"tier": f"drift-{i}"}}}
        done = await http.call("PATCH", f"/api/v1/namespaces/{ns}/{plural}/{name}?fieldManager=kubectl-edit",
                               patch, MERGE)
        key = (kind, ns, name)
        rv = int(done["metadata"]["resourceVersion"])
        stream = objs.streams[kind]
        at, healed = await stream.wait(lambda k=key, r=rv: objs.after(k, r), limit_s=60)  # type: ignore[misc]
        out.append(healed - at)
    return out


async def push_to_synced(port: int, apps: Apps, repo: GitRepo, name: str, reps: int) -> list[float]:
    out = []
    for i in range(reps):
        sha = repo.write({"app/all.yaml": manifest_file(name, f"push-{i}-{time.time()}")})
        t0 = time.perf_counter()
        await push(port, repo, sha)
        await apps.stream.wait(lambda s=sha: apps.synced(name, s), limit_s=120)  # type: ignore[misc]
        out.append(apps.arrived[name] - t0)
    return out


async def refresh_all(http: Client, apps: Apps, names: list[str], round_: int) -> tuple[float, float]:
    """(seconds until every app reconciled, seconds the bench took to send the annotations)"""
    start = time.time()
    await asyncio.sleep(1 - (start % 1))  # a whole second: reconciledAt has one-second resolution
    t0_wall, t0 = time.time(), time.perf_counter()
    second = iso(t0_wall)
    sem = asyncio.Semaphore(16)
    after: dict[str, int] = {}

    async def one(n: str) -> None:
        async with sem:
            patched = await http.call("PATCH", f"{APPS_PATH}/{n}?fieldManager=kubectl", {"metadata": {"annotations": {
                "argocd.argoproj.io/refresh": "normal", "bench.trueup.dev/round": str(round_)}}}, MERGE)
            after[n] = int(patched["metadata"]["resourceVersion"])

    await asyncio.gather(*(one(n) for n in names))
    sent = time.perf_counter() - t0

    def done(n: str) -> bool:
        doc = apps.docs.get(n) or {}
        return n in after and int(doc["metadata"]["resourceVersion"]) > after[n] \
            and str((doc.get("status") or {}).get("reconciledAt") or "") >= second

    await apps.stream.wait(lambda: all(done(n) for n in names), limit_s=600)
    return max(apps.arrived[n] for n in names) - t0, sent


def controller_metrics(port: int) -> dict[str, float]:
    import urllib.request
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": "Bearer bench-token"})
    out: dict[str, float] = {}
    with urllib.request.urlopen(req, timeout=10) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith(("trueup_app_reconcile_seconds_sum", "trueup_app_reconcile_seconds_count",
                                "trueup_heal_latency_seconds_sum", "trueup_heal_latency_seconds_count")):
                name, _, value = line.rpartition(" ")
                out[name.split("{")[0]] = float(value)
    return out


async def main_async(scale: float, reps: int) -> list[str]:
    heal_apps = max(2, round(50 * scale))
    total_apps = max(heal_apps + 1, round(1000 * scale))
    drifts = max(8, round(100 * min(1.0, scale * 2)))
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server, kubeconfig = start_server(work / "cluster", "--no-controllers")
        url = next(line.split("server:")[1].strip() for line in kubeconfig.read_text().splitlines()
                   if "server:" in line)
        http = Client(work / "cluster", url)
        port = free_port()
        ctl = start_controller(kubeconfig, work, port, 60.0)
        try:
            fleet, hook = GitRepo(work / "fleet"), GitRepo(work / "hook")
            deadline = time.monotonic() + 60
            while True:  # the controller installs the Application CRD
                try:
                    await http.call("GET", APPS_PATH + "?limit=1")
                    break
                except RuntimeError:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.2)
            apps = Apps(http)
            await apps.start()
            objs = Objects(http)
            await objs.start()

            # 1. heal latency with heal_apps x 20 objects
            names = [f"h{i:03d}" for i in range(heal_apps)]
            t0 = time.perf_counter()
            sha = await create_apps(http, fleet, names, self_heal=True)
            hook_sha = hook.write({"app/all.yaml": manifest_file("hook", "0")})
            await http.call("POST", APPS_PATH, application("hook", hook, "app", self_heal=True))
            await apps.all_synced(names, sha, limit_s=1800)
            await apps.all_synced(["hook"], hook_sha, limit_s=600)
            print(f"# {heal_apps} apps Synced in {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
            heal = await heal_latency(http, objs, names, drifts)
            print(f"# heal p50 {statistics.median(heal):.3f}s", file=sys.stderr, flush=True)
            pushes_small = await push_to_synced(port, apps, hook, "hook", reps * 3)

            # 2. grow to total_apps
            more = [f"s{i:04d}" for i in range(total_apps - heal_apps - 1)]
            t0 = time.perf_counter()
            cpu0, scpu0 = cpu_seconds(ctl.pid), cpu_seconds(server.pid)
            sha_more = await create_apps(http, fleet, more, self_heal=True)
            await apps.all_synced(more, sha_more, limit_s=3600)
            await apps.all_synced(names, None, limit_s=600)
            grow_s, grow_cpu = time.perf_counter() - t0, cpu_seconds(ctl.pid) - cpu0
            grow_server = cpu_seconds(server.pid) - scpu0
            print(f"# {total_apps} apps Synced (+{len(more)} in {grow_s:.1f}s)", file=sys.stderr, flush=True)
            everyone = [*names, *more, "hook"]

            # 3. steady state over one poll interval (60 s + up to 25 % jitter: every app polled)
            window = 75.0
            rss = [rss_mib(ctl.pid)]
            cpu0, scpu0, w0 = cpu_seconds(ctl.pid), cpu_seconds(server.pid), time.perf_counter()
            while time.perf_counter() - w0 < window:
                await asyncio.sleep(5)
                rss.append(rss_mib(ctl.pid))
            elapsed = time.perf_counter() - w0
            steady_cpu = (cpu_seconds(ctl.pid) - cpu0) / elapsed * 100
            steady_server = (cpu_seconds(server.pid) - scpu0) / elapsed * 100
            server_rss = rss_mib(server.pid)
            pushes_big = await push_to_synced(port, apps, hook, "hook", reps * 3)

            # 4. no-change refresh of everything
            refreshes: list[float] = []
            refresh_cpu: list[tuple[float, float]] = []
            trigger: list[float] = []
            for r in range(reps):
                cpu0, scpu0 = cpu_seconds(ctl.pid), cpu_seconds(server.pid)
                took, sent = await refresh_all(http, apps, everyone, r)
                refreshes.append(took)
                trigger.append(sent)
                refresh_cpu.append((cpu_seconds(ctl.pid) - cpu0, cpu_seconds(server.pid) - scpu0))
                print(f"# refresh {r}: {refreshes[-1]:.2f}s, CPU controller/server {refresh_cpu[-1]}",
                      file=sys.stderr, flush=True)
            rss.append(rss_mib(ctl.pid))
            metrics = controller_metrics(port)
            await objs.stop()
            await apps.stream.stop()
        finally:
            ctl.terminate()
            try:
                ctl.wait(timeout=30)
            except subprocess.TimeoutExpired:
                ctl.kill()
            await http.close()
            server.terminate()
            server.wait(timeout=30)

    load = os.getloadavg()
    count = metrics.get("trueup_app_reconcile_seconds_count", 0.0)
    lines += [
        f"**Run:** scale {scale} ({heal_apps} self-heal apps, {total_apps} apps in all, {PER_APP} objects each), "
        f"{reps} repetitions; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.",
        "",
        "| measure | p50 | p90 | p99 | max | n | aim |",
        "|---|---|---|---|---|---|---|",
        _row(f"heal latency, {heal_apps * PER_APP} objects / {heal_apps} apps (s)", heal, "p99 < 1 s"),
        _row(f"push → Synced, {heal_apps + 1} apps (s)", pushes_small, "< 2 s"),
        _row(f"push → Synced, {total_apps} apps (s)", pushes_big, "< 2 s"),
        _row(f"no-change refresh of all {total_apps} apps (s)", refreshes, "< 10 s"),
        "",
        "| measure | value | aim |",
        "|---|---|---|",
        f"| growing to {total_apps} apps (first syncs): wall / controller CPU / API server CPU | {grow_s:.0f} s / "
        f"{grow_cpu:.0f} CPU-s / {grow_server:.0f} CPU-s | |",
        f"| steady state, {total_apps} apps x {PER_APP}: controller CPU over {window:.0f} s (one poll interval) "
        f"| {steady_cpu:.1f} % of one core (API server: {steady_server:.1f} %) | |",
        f"| no-change refresh: CPU-s controller / API server, median | "
        f"{statistics.median(c for c, _ in refresh_cpu):.1f} / {statistics.median(s for _, s in refresh_cpu):.1f} | |",
        f"| no-change refresh: the bench sending the {total_apps} annotation patches (16 in flight), median | "
        f"{statistics.median(trigger):.1f} s | |",
        f"| controller resident memory (max of {len(rss)} samples) | {max(rss):.0f} MiB | < 300 MB |",
        f"| API server resident memory ({total_apps * PER_APP + total_apps} objects) | {server_rss:.0f} MiB | |",
        f"| controller reconciles (count / mean s, from /metrics) | {count:.0f} / "
        f"{metrics.get('trueup_app_reconcile_seconds_sum', 0) / max(1.0, count):.3f} | |",
    ]
    return lines


def _row(label: str, values: list[float], aim: str) -> str:
    return (f"| {label} | {pct(values, 50):.3f} | {pct(values, 90):.3f} | {pct(values, 99):.3f} | {max(values):.3f} "
            f"| {len(values)} | {aim} |")


def run(scale: float | None = None) -> None:
    scale = float(os.environ.get("BENCH_RECONCILE_SCALE", "1.0")) if scale is None else scale
    reps = int(os.environ.get("BENCH_REPS", "3"))
    for line in asyncio.run(main_async(scale, reps)):
        print(line, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=None, help="multiply the app counts (default 1.0)")
    run(parser.parse_args().scale)
