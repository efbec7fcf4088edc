"""`trueup demo`: the three-tier example running on the embedded cluster, with one command.

    trueup demo [--data-dir DIR] [--timing fast|realistic] [--listen ADDR] [--until-healthy] [--timeout S]

1. The example (examples/three-tier) is copied into a new Git repository `DIR/repo` (demo_repo:
   the placeholder repoURL becomes the repository's path); an existing one is reused.
2. The embedded cluster (`DIR/cluster`, realistic kubelet timing unless `--timing fast`), the
   controller and the HTTP server start in this process, as `trueup up` starts them
   (`up.embedded_cluster`, `up.controller_running`).
3. The root Application (root.yaml) is server-side applied; the controller creates the tiers'
   Applications from apps/ and syncs them, wave by wave.
4. Progress: a line each time an app's sync or health changes, and the Applications' Events
   (drift, heal, syncs) as they are written.

Without `--until-healthy` it runs until SIGINT/SIGTERM (exit 0), printing a "try it" guide once
every app is Synced and Healthy. With it, it exits 0 as soon as they all are, or 1 after
`--timeout` seconds naming each app that is not and why. Errors before start: exit 2.
The API token is printed only on a terminal; elsewhere (CI logs) only the file holding it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .demo_progress import app_states, event_line, expected_apps, not_ready_report, progress_line
from .demo_repo import DemoError, DemoRepo, find_example, prepare_repo
from .up import api_token, controller_running, embedded_cluster, stop_on_signals, webhook_secrets

if TYPE_CHECKING:
    from trueup.kube import Client
    from trueup.server import ServerConfig

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "trueup" / "demo"
NAMESPACE = "trueup"  # where the Applications live (root.yaml and apps/ say so)
FIELD_MANAGER = "trueup-demo"
CHECK_INTERVAL_S = 1.0
STOP_GRACE_S = 2.0  # Ctrl-C mid-sync: a demo stops at once; the next start marks that sync Failed and retries
PAUSE_AUTO_SYNC = '{"spec":{"syncPolicy":{"automated":null}}}'

Obj = dict[str, Any]


@dataclass(frozen=True)
class Options:
    data_dir: Path
    timing: str
    listen: str | None
    port: int | None
    until_healthy: bool
    timeout: float
    poll_interval: float


@click.command("demo")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DATA_DIR,
              show_default=True, help="The demo's Git repository, cluster data and API token (kept across runs).")
@click.option("--timing", type=click.Choice(["fast", "realistic"]), default="realistic", show_default=True,
              help="Simulated kubelet timing: seconds with jitter, or near-zero delays (tests, CI).")
@click.option("--listen", default=None,
              help="The HTTP server's address (default 127.0.0.1:8080, or any free port if that is taken; "
                   "'none' = no server).")
@click.option("--port", type=int, default=None,
              help="The embedded cluster's HTTPS port (default 6443 if free, else any; 0 = any free port).")
@click.option("--until-healthy", is_flag=True,
              help="Exit 0 once every demo app is Synced and Healthy, 1 after --timeout (for scripts and CI).")
@click.option("--timeout", type=click.FloatRange(min=0), default=300.0, show_default=True,
              help="Seconds to wait for every app to become Synced and Healthy.")
@click.option("--poll-interval", type=click.FloatRange(min=1.0), default=10.0, show_default=True,
              help="Seconds between the controller's checks of the demo repository for new commits.")
@click.option("--example", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="The example to copy (default: examples/three-tier of this trueup checkout).")
@click.option("-v", "--verbose", is_flag=True, help="Log the controller's and the cluster's internals.")
def demo_cmd(data_dir: Path, timing: str, listen: str | None, port: int | None, until_healthy: bool,
             timeout: float, poll_interval: float, example: Path | None, verbose: bool) -> None:
    """Run the three-tier example (frontend, API, PostgreSQL; app-of-apps) on the embedded cluster."""
    from trueup.server import ServerConfig, parse_listen

    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    data_dir = data_dir.expanduser().absolute()
    address = _listen_address(listen)
    if address is not None:
        try:
            parse_listen(address)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--listen") from None
    try:
        repo = prepare_repo(find_example(example), data_dir / "repo")
    except (DemoError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    token, token_from = api_token(None, data_dir)
    config = ServerConfig(api_tokens=(token,), webhook_secrets=webhook_secrets(None))
    opts = Options(data_dir, timing, address, port, until_healthy, timeout, poll_interval)
    from .running import run_until_stopped

    sys.exit(run_until_stopped(_demo(opts, repo, config, token, token_from), 1))


def _listen_address(listen: str | None) -> str | None:
    from .cluster import _port_free

    if listen is None:
        return "127.0.0.1:8080" if _port_free("127.0.0.1", 8080) else "127.0.0.1:0"
    return None if listen.strip().lower() in ("none", "off", "") else listen


async def _demo(opts: Options, repo: DemoRepo, config: ServerConfig, token: str, token_from: str) -> int:
    from trueup.localcluster.controllers import Settings

    stop = stop_on_signals()
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # apps compared before now are not news
    click.echo(f"trueup demo: {'created' if repo.created else 'reusing'} the demo repository {repo.path} "
               f"(main at {repo.head[:12]})")
    async with embedded_cluster(opts.data_dir / "cluster", opts.port, Settings(timing=opts.timing)) as cluster, \
            controller_running(cluster.kubeconfig, opts.data_dir / "cache", NAMESPACE, opts.poll_interval,
                               opts.listen, config, token_from, leader_elect=False,
                               stop_grace_s=STOP_GRACE_S) as running:
        await _register_root(running.client, repo.root)
        _banner(opts, repo, cluster.kubeconfig, running.server.url if running.server else None, token,
                token_from)
        code = await _watch(running.client, repo, opts, stop, cluster.kubeconfig, since)
    click.echo("stopped")
    return code


async def _register_root(client: Client, root: Obj) -> None:
    from trueup.controller import APPLICATIONS

    name = str(root["metadata"]["name"])
    await client.apply(APPLICATIONS, NAMESPACE, name, root, field_manager=FIELD_MANAGER)


def _banner(opts: Options, repo: DemoRepo, kubeconfig: Path, url: str | None, token: str,
            token_from: str) -> None:
    click.echo("")
    click.echo(f"Demo: root app {repo.root['metadata']['name']} ({', '.join(repo.children)} from apps/), "
               f"{opts.timing} timing")
    click.echo(f"  kubeconfig: {kubeconfig}")
    click.echo(f"  git repo:   {repo.path}  (commit to main; trueup checks it every {opts.poll_interval:g}s)")
    if url is not None:
        click.echo(f"  API:        {url}/api/v1/applications")
        if sys.stdout.isatty():
            click.echo(f"  API token:  {token}  (also in {token_from})")
        else:
            click.echo(f"  API token:  in {token_from}")
        click.echo(f'  try:        curl -H "Authorization: Bearer $(cat {token_from})" {url}/api/v1/applications')
    click.echo("")
    sys.stdout.flush()


def _guide(kubeconfig: Path, repo: DemoRepo, data_dir: Path) -> None:
    import os

    bin_dir = str(Path(sys.executable).parent)
    path = "" if bin_dir in os.environ.get("PATH", "").split(os.pathsep) else f"  export PATH={bin_dir}:$PATH\n"
    root = repo.root["metadata"]["name"]
    click.echo(f"""
Try it, in another shell:
{path}  export KUBECONFIG={kubeconfig}
  trueup app list                                    # the apps, as the controller sees them
  kubectl get deploy,statefulset,pvc,job,ingress -n three-tier
Drift by hand, and watch trueup put it back (here, and in the app's Events):
  kubectl scale deployment/frontend -n three-tier --replicas=5
  kubectl set image deployment/backend -n three-tier api=postgrest/postgrest:v11.2.2
  kubectl get events -n trueup --field-selector involvedObject.name=frontend
Ship a change with a commit:
  cd {repo.path}
  (edit frontend/values.yaml: replicaCount: 3)
  git commit -am "frontend: 3 replicas"
  trueup app refresh frontend --hard                 # fetch now rather than at the next check
Roll back (the root app would restore the tier's auto-sync: pause it first):
  trueup app history frontend
  kubectl patch applications.trueup.dev {root} -n {NAMESPACE} --type merge -p '{PAUSE_AUTO_SYNC}'
  trueup app rollback frontend ID --disable-auto-sync
Stop with Ctrl-C: everything is kept in {data_dir} (run `trueup demo` again to continue,
remove the directory to start afresh).
""")
    sys.stdout.flush()


async def _watch(client: Client, repo: DemoRepo, opts: Options, stop: asyncio.Event, kubeconfig: Path,
                 since: str) -> int:
    """Print progress until every app is Synced and Healthy (and, without --until-healthy, changes
    and Events until stopped); the exit code."""
    watcher = _Watcher(client, repo, opts, kubeconfig, since)
    while not stop.is_set():
        code = await watcher.step()
        if code is not None:
            return code
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CHECK_INTERVAL_S)
    if opts.until_healthy and not watcher.healthy:
        click.echo("interrupted before every demo app was Synced and Healthy", err=True)
        return 1
    return 0


class _Watcher:
    """One look per step at the Applications and their Events; prints what changed."""

    def __init__(self, client: Client, repo: DemoRepo, opts: Options, kubeconfig: Path, since: str) -> None:
        self.client, self.repo, self.opts, self.kubeconfig, self.since = client, repo, opts, kubeconfig, since
        self.root = str(repo.root["metadata"]["name"])
        self.started = time.monotonic()
        self.seen_events: set[tuple[str, int]] = set()
        self.first = True
        self.last_line = ""
        self.healthy = False
        self.warned = False

    def say(self, text: str, err: bool = False) -> None:
        click.echo(f"[{time.monotonic() - self.started:6.1f}s] {text}", err=err)

    async def step(self) -> int | None:
        """None: go on; else the exit code (--until-healthy only)."""
        from trueup.controller import APPLICATIONS
        from trueup.kube import ApiError
        from trueup.kube.resources import EVENTS

        elapsed = time.monotonic() - self.started
        try:
            docs, _ = await self.client.list(APPLICATIONS, NAMESPACE)
            events, _ = await self.client.list(EVENTS, NAMESPACE)
        except (ApiError, OSError) as exc:
            self.say(f"(reading the apps failed, retrying: {exc})", err=True)
            if self.opts.until_healthy and elapsed >= self.opts.timeout:
                click.echo(f"timed out after {self.opts.timeout:g}s: the apps could not be read", err=True)
                return 1
            return None
        self._print_events(events)
        states = app_states(expected_apps(self.root, self.repo.children, docs), docs, self.since)
        line = progress_line(states)
        if line != self.last_line:
            self.say(line)
            self.last_line = line
        code: int | None = None
        if all(s.ready for s in states) and not self.healthy:
            self.healthy = True
            click.echo(f"all {len(states)} demo apps are Synced and Healthy ({elapsed:.1f}s)")
            if self.opts.until_healthy:
                return 0
            _guide(self.kubeconfig, self.repo, self.opts.data_dir)
        elif not self.healthy and not self.warned and elapsed >= self.opts.timeout:
            self.warned = True
            not_ready = [s for s in states if not s.ready]
            click.echo(f"timed out after {self.opts.timeout:g}s: {len(not_ready)} of {len(states)} demo apps are "
                       f"not Synced and Healthy: {', '.join(s.name for s in not_ready)}", err=True)
            for reason in not_ready_report(states):
                click.echo(reason, err=True)
            if self.opts.until_healthy:
                code = 1
            else:
                _guide(self.kubeconfig, self.repo, self.opts.data_dir)
        sys.stdout.flush()
        return code

    def _print_events(self, events: list[Obj]) -> None:
        for ev in sorted(events, key=lambda e: str(e.get("lastTimestamp") or "")):
            key = (str((ev.get("metadata") or {}).get("uid", "")), int(ev.get("count") or 1))
            if key not in self.seen_events and (ev.get("involvedObject") or {}).get("kind") == "Application":
                self.seen_events.add(key)
                if not self.first:  # Events from an earlier run are history, not news
                    self.say(f"event: {event_line(ev)}")
        self.first = False
