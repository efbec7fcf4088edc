"""`trueup sync|diff` side by side with kubectl, in one run, on one embedded server, same 1,000 objects.

One `trueup cluster up --no-controllers` server; one Git repository (pygit2, in a temp dir) whose
`app/` directory holds 100 multi-document files of 10 objects each (Deployment, Service, two
ConfigMaps, Secret, ServiceAccount, Role, RoleBinding, PodDisruptionBudget, NetworkPolicy); the
same directory is what kubectl reads. Each repetition uses three fresh namespaces (one per
tool, created before the clock starts) and times whole commands, as a user runs them:

- first sync (1,000 creates): `trueup sync APP.yaml` vs `kubectl apply -f DIR` (client-side)
  vs `kubectl apply --server-side -f DIR`;
- no-change re-sync: the same three commands again;
- drift check, no drift: `trueup diff APP.yaml` vs `kubectl diff -f DIR` vs
  `kubectl diff --server-side --force-conflicts -f DIR`;
then, once every namespace has 10 out-of-band changes (5 ConfigMaps edited, 5 Deployments
scaled), the drift check again (every tool must report the drift: exit code 1).

There are no controllers (the comparison is about apply and diff, not the pod simulation). All
1,000 objects are in one wave, which `trueup sync` does not wait for (as in Argo CD, the last wave
is done once applied; `--wait` would wait), but a stand-in thread still marks every Deployment
rolled out (one status write, as if its pods started at once) as soon as it appears, five at a
time like the deployment controller's workers, for every tool alike: the server does the work a
real one would while the commands run.

Besides wall time, each command's CPU seconds and the server's CPU seconds while it ran (from
/proc) are recorded: the server is one asyncio process, so its CPU time is a floor under any
client's wall time. trueup's own breakdown (render, dry run, applies + health wait) comes from
one extra in-process run per case with the Syncer's steps timed (discovery, live lists + no-op check, dry
run, applies + health wait). Output: Markdown tables of
medians, min/max and ratios (kubectl time / trueup time; > 1 means trueup is faster).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import platform
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pygit2
import yaml

from .apiserver import BIN, start_server
from .controllers import cpu_seconds

UNITS = 100  # x 10 objects
DRIFTED = 10

Obj = dict[str, Any]


# ----- the 1,000 objects
def unit(i: int) -> list[Obj]:
    name = f"svc{i:03d}"
    labels = {"app": name, "tier": ("web", "api", "worker")[i % 3]}
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels},
         "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": labels},
                               "spec": {"serviceAccountName": name,
                                        "containers": [{
                                            "name": "app", "image": f"registry.example.com/{name}:1.{i % 7}.0",
                                            "ports": [{"containerPort": 8080, "name": "http"}],
                                            "env": [{"name": "LOG_LEVEL", "value": "info"},
                                                    {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {
                                                        "name": f"{name}-creds", "key": "password"}}}],
                                            "envFrom": [{"configMapRef": {"name": f"{name}-config"}}],
                                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                          "limits": {"memory": "256Mi"}},
                                            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                                            "volumeMounts": [{"name": "files", "mountPath": "/etc/app"}]}],
                                        "volumes": [{"name": "files", "configMap": {"name": f"{name}-files"}}]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": labels},
         "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-config", "labels": labels},
         "data": {"MODE": "production", "REPLICA_HINT": str(i), "FEATURE_FLAGS": "a,b,c"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-files", "labels": labels},
         "data": {"app.yaml": "server:\n  port: 8080\n" + "".join(f"  key{k}: value{k}\n" for k in range(30))}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"{name}-creds", "labels": labels},
         "type": "Opaque", "stringData": {"password": f"s3cret-{i}", "user": name}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "labels": labels}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": name, "labels": labels},
         "rules": [{"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["get", "list", "watch"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": name, "labels": labels},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
         "subjects": [{"kind": "ServiceAccount", "name": name}]},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name, "labels": labels},
         "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": name}}}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "labels": labels},
         "spec": {"podSelector": {"matchLabels": {"app": name}}, "policyTypes": ["Ingress"],
                  "ingress": [{"from": [{"podSelector": {"matchLabels": {"tier": "web"}}}],
                               "ports": [{"port": 8080, "protocol": "TCP"}]}]}},
    ]


def make_repo(root: Path) -> Path:
    """A Git repo with app/unit-NNN.yaml (10 documents each), committed on main; returns app/."""
    app = root / "app"
    app.mkdir(parents=True)
    for i in range(UNITS):
        (app / f"unit-{i:03d}.yaml").write_text(yaml.safe_dump_all(unit(i), sort_keys=False))
    (app / "README.md").write_text("1,000 objects for the engine benchmark\n")
    repo = pygit2.init_repository(str(root), initial_head="main")
    repo.index.add_all()
    repo.index.write()
    sig = pygit2.Signature("bench", "bench@example.com")
    repo.create_commit("refs/heads/main", sig, sig, "1,000 objects", repo.index.write_tree(), [])
    return app


def app_file(tmp: Path, repo: Path, name: str, ns: str) -> Path:
    doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": name, "namespace": "argocd"},
           "spec": {"project": "default", "source": {"repoURL": str(repo), "targetRevision": "main", "path": "app"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": ns}}}
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


# ----- the server, over HTTPS, from a thread with its own event loop
class Api:
    """Namespaces, out-of-band edits, and the stand-in that marks Deployments rolled out."""

    def __init__(self, data_dir: Path, url: str) -> None:
        self.token = (data_dir / "pki" / "token").read_text().strip()
        self.ca = str(data_dir / "pki" / "ca.crt")
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.session: aiohttp.ClientSession = self.run(self._session())
        self.stamped = 0
        self._watch: concurrent.futures.Future[None] | None = None
        self._marks: set[asyncio.Task[None]] = set()

    async def _session(self) -> aiohttp.ClientSession:
        ctx = ssl.create_default_context(cafile=self.ca)
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx, limit=16),
                                     headers={"Authorization": f"Bearer {self.token}"})

    def run(self, coro: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(120)  # type: ignore[arg-type]

    async def call(self, method: str, path: str, body: Any = None, ctype: str = "application/json") -> Any:
        data = orjson.dumps(body) if body is not None else None
        async with self.session.request(method, self.url + path, data=data, headers={"Content-Type": ctype}) as r:
            raw = await r.read()
            if r.status >= 300:
                raise RuntimeError(f"{method} {path}: {r.status} {raw[:300]!r}")
            return orjson.loads(raw)

    def namespace(self, name: str) -> None:
        self.run(self.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                          "metadata": {"name": name}}))

    def drift(self, ns: str) -> None:
        """10 out-of-band changes to fields in Git: 5 ConfigMaps edited, 5 Deployments scaled."""
        async def go() -> None:
            merge = "application/merge-patch+json"
            for i in range(DRIFTED // 2):
                await self.call("PATCH", f"/api/v1/namespaces/{ns}/configmaps/svc{i:03d}-config?fieldManager=oob",
                                {"data": {"MODE": "debug"}}, merge)
                await self.call("PATCH", f"/apis/apps/v1/namespaces/{ns}/deployments/svc{50 + i:03d}"
                                         "?fieldManager=oob", {"spec": {"replicas": 5}}, merge)
        self.run(go())

    def start_rollout_standin(self) -> None:
        ready = threading.Event()
        self._watch = asyncio.run_coroutine_threadsafe(self._rollouts(ready), self.loop)
        ready.wait(30)

    async def _rollouts(self, ready: threading.Event) -> None:
        listed = await self.call("GET", "/apis/apps/v1/deployments")
        rv = listed["metadata"]["resourceVersion"]
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        # Five status writes at a time, as the deployment controller's five workers do
        # (kube-controller-manager --concurrent-deployment-syncs=5).
        workers = asyncio.Semaphore(5)
        tasks = self._marks

        async def mark(meta: Obj, gen: int, n: int) -> None:
            body = {"status": {"observedGeneration": gen, "replicas": n, "updatedReplicas": n,
                               "readyReplicas": n, "availableReplicas": n}}
            async with workers:
                await self.call("PATCH", f"/apis/apps/v1/namespaces/{meta['namespace']}/deployments/"
                                         f"{meta['name']}/status?fieldManager=deployment-controller",
                                body, "application/merge-patch+json")
            self.stamped += 1

        async with self.session.get(f"{self.url}/apis/apps/v1/deployments?watch=true&resourceVersion={rv}",
                                    timeout=timeout) as resp:
            ready.set()
            async for line in resp.content:
                if not line.strip():
                    continue
                obj = orjson.loads(line).get("object") or {}
                meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
                gen = meta.get("generation", 0)
                if not meta.get("name") or status.get("observedGeneration", 0) >= gen:
                    continue
                task = asyncio.ensure_future(mark(meta, gen, spec.get("replicas", 1)))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

    def settle(self) -> None:
        """Wait until the stand-in has marked every Deployment it has seen (and none arrived for
        0.3 s): no command's clock starts while the server still works for the previous one."""
        async def go() -> None:
            quiet_since = time.monotonic()
            while time.monotonic() - quiet_since < 0.3:
                await asyncio.sleep(0.05)
                if self._marks:
                    quiet_since = time.monotonic()
        self.run(go())

    def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        self.run(self.session.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


# ----- commands
def python_env(tmp: Path) -> dict[str, str]:
    """trueup as installed: Python keeps its bytecode (pip writes it at install time), even when
    this shell says PYTHONDONTWRITEBYTECODE; the cache lives in the temp dir, not in the repo."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


class Runner:
    """Runs a command and times it: wall seconds, the server's CPU seconds meanwhile (from /proc),
    and the command's own CPU seconds (its rusage)."""

    def __init__(self, tmp: Path, kubeconfig: Path, server_pid: int, settle: Callable[[], None]) -> None:
        self.settle = settle
        self.server_pid = server_pid
        self.kubeconfig = kubeconfig
        self.kcache = tmp / "kubectl-cache"
        self.tcache = tmp / "trueup-cache"
        self.env = python_env(tmp)

    def kubectl(self, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[float, float, float]:
        return self._timed([str(BIN / "kubectl"), f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.kcache}",
                            *args], ok)

    def trueup(self, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[float, float, float]:
        return self._timed([str(BIN / "trueup"), *args, "--kubeconfig", str(self.kubeconfig),
                            "--cache-dir", str(self.tcache)], ok)

    def startup(self) -> float:
        """`trueup sync --help`: interpreter, imports and command parsing, no work."""
        return self._timed([str(BIN / "trueup"), "sync", "--help"], (0,))[0]

    def _timed(self, cmd: list[str], ok: tuple[int, ...]) -> tuple[float, float, float]:
        self.settle()
        before, server0, t0 = os.times(), cpu_seconds(self.server_pid), time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=self.env)
        secs = time.perf_counter() - t0
        server, after = cpu_seconds(self.server_pid) - server0, os.times()
        if out.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd[:4])}...: exit {out.returncode} (wanted {ok})\n"
                             f"{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
        client = (after.children_user + after.children_system) - (before.children_user + before.children_system)
        return secs, server, client


# ----- trueup's breakdown, in process
def breakdown(app_path: Path, kubeconfig: Path, cache: Path, what: str) -> dict[str, float]:
    """One in-process run of `sync` or `diff` with its steps timed (seconds)."""
    from trueup.engine import Engine, load_application_file
    from trueup.kube import Client, load_config
    from trueup.source import RepoCache
    from trueup.sync.execute import Syncer

    times: dict[str, float] = {}

    def timed(name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                times[name] = times.get(name, 0.0) + time.perf_counter() - t0
        return wrapper

    async def go() -> None:
        app = load_application_file(app_path)
        client = Client.from_config(load_config(str(kubeconfig), None))
        try:
            engine = Engine(client, RepoCache(cache / "git", min_fetch_interval=0))
            t0 = time.perf_counter()
            desired = await engine.render(app)
            times["render"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            if what == "diff":
                await engine.diff(app, desired)
                times["diff (GET + dry run + compare)"] = time.perf_counter() - t0
            else:
                result = await engine.sync(app, desired)
                assert result.ok, result.message
                times["sync total"] = time.perf_counter() - t0
        finally:
            await client.close()

    saved = {name: getattr(Syncer, name) for name in ("_resolve", "_unchanged", "_dry_run", "_run_phases")
             if hasattr(Syncer, name)}  # (an older trueup, measured for a before/after, may lack a step)
    labels = {"_resolve": "discovery", "_unchanged": "live lists + no-op check", "_dry_run": "dry run",
              "_run_phases": "applies + health wait"}
    try:
        for name, fn in saved.items():
            setattr(Syncer, name, (lambda f, n: lambda self, *a, **k: timed(n, f)(self, *a, **k))(fn, labels[name]))
        asyncio.run(go())
    finally:
        for name, fn in saved.items():
            setattr(Syncer, name, fn)
    return times


# ----- the run
def main() -> None:
    reps = int(os.environ.get("BENCH_REPS", "3"))
    results: dict[str, dict[str, list[tuple[float, float, float]]]] = {}

    def record(case: str, tool: str, timing: tuple[float, float, float]) -> None:
        results.setdefault(case, {}).setdefault(tool, []).append(timing)
        print(f"  {case}: {tool}: {timing[0]:.2f} s (server CPU {timing[1]:.2f} s, own CPU {timing[2]:.2f} s)",
              file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        proc, kubeconfig = start_server(tmp / "data", "--no-controllers")
        url = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        api = Api(tmp / "data", url)
        try:
            api.start_rollout_standin()
            repo = tmp / "repo"
            app_dir = make_repo(repo)
            run = Runner(tmp, kubeconfig, proc.pid, api.settle)
            # Warm-up, outside the clock: kubectl's discovery cache, trueup's Git mirror.
            run.kubectl("api-resources")
            subprocess.run([str(BIN / "trueup"), "render", str(app_file(tmp, repo, "warm", "default")),
                            "--cache-dir", str(run.tcache)], capture_output=True, check=True, env=run.env)
            spaces: list[tuple[str, str, str, Path]] = []
            for rep in range(reps):
                tag = f"{rep}-{uuid.uuid4().hex[:4]}"
                t_ns, c_ns, s_ns = f"tu-{tag}", f"csa-{tag}", f"ssa-{tag}"
                for ns in (t_ns, c_ns, s_ns):
                    api.namespace(ns)
                app = app_file(tmp, repo, f"bench-{tag}", t_ns)
                spaces.append((t_ns, c_ns, s_ns, app))
                for case in ("first sync (1,000 creates)", "no-change re-sync"):
                    record(case, "trueup", run.trueup("sync", str(app)))
                    record(case, "kubectl client-side", run.kubectl("apply", "-n", c_ns, "-f", str(app_dir)))
                    record(case, "kubectl server-side",
                           run.kubectl("apply", "--server-side", "-n", s_ns, "-f", str(app_dir)))
                case = "diff, no drift"
                record(case, "trueup", run.trueup("diff", str(app)))
                record(case, "kubectl client-side", run.kubectl("diff", "-n", c_ns, "-f", str(app_dir)))
                record(case, "kubectl server-side",
                       run.kubectl("diff", "--server-side", "--force-conflicts", "-n", s_ns, "-f", str(app_dir)))

            t_ns, c_ns, s_ns, app = spaces[0]
            for ns in (t_ns, c_ns, s_ns):
                api.drift(ns)
            case = f"diff, {DRIFTED} objects drifted"
            for _ in range(reps):
                record(case, "trueup", run.trueup("diff", str(app), ok=(1,)))
                record(case, "kubectl client-side", run.kubectl("diff", "-n", c_ns, "-f", str(app_dir), ok=(1,)))
                record(case, "kubectl server-side",
                       run.kubectl("diff", "--server-side", "--force-conflicts", "-n", s_ns, "-f", str(app_dir),
                                   ok=(1,)))

            # trueup's own breakdown: one in-process run per case, fresh namespace for the create.
            fresh = f"tu-bd-{uuid.uuid4().hex[:4]}"
            api.namespace(fresh)
            bd_app = app_file(tmp, repo, f"bench-bd-{fresh}", fresh)
            split = {"first sync": breakdown(bd_app, kubeconfig, run.tcache, "sync"),
                     "re-sync": breakdown(bd_app, kubeconfig, run.tcache, "sync"),
                     "diff": breakdown(bd_app, kubeconfig, run.tcache, "diff")}
            startup = statistics.median(run.startup() for _ in range(5))
            stamped = api.stamped
        finally:
            api.close()
            proc.terminate()
            proc.wait(timeout=15)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{reps} repetitions (medians), {UNITS * 10} objects, server with --no-controllers "
          f"({stamped} Deployment rollouts marked by the stand-in)\n")
    print("| case | tool | median (s) | min | max | kubectl / trueup | server CPU (s) | command's CPU (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for case, tools in results.items():
        base = statistics.median(t[0] for t in tools["trueup"])
        for tool, timings in tools.items():
            walls = [t[0] for t in timings]
            med = statistics.median(walls)
            ratio = "" if tool == "trueup" else f"{med / base:.2f}x"
            server = statistics.median(t[1] for t in timings)
            own = statistics.median(t[2] for t in timings)
            print(f"| {case} | {tool} | {med:.2f} | {min(walls):.2f} | {max(walls):.2f} | {ratio} | {server:.2f} "
                  f"| {own:.2f} |")
    print("\ntrueup in process (one run each; seconds):\n")
    print("| case | step | seconds |")
    print("|---|---|---|")
    print(f"| all | CLI start-up (`trueup sync --help`, median of 5) | {startup:.2f} |")
    for case, steps in split.items():
        for step, secs in steps.items():
            print(f"| {case} | {step} | {secs:.2f} |")


def run() -> None:
    main()
