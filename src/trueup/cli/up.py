"""`trueup up`: run the controller and its HTTP server until SIGINT/SIGTERM.

With `--kubeconfig` (or KUBECONFIG) it reconciles that cluster. In a pod (or with `--in-cluster`)
it uses the pod's service account; cli/target.py decides, and never starts an embedded cluster
inside a pod. Otherwise it starts the embedded cluster in this process (data in `--data-dir`,
default ~/.local/share/trueup/cluster) and prints the kubeconfig path for kubectl. This is the
only place the controller and the embedded cluster meet; `trueup.controller` itself never imports `trueup.localcluster`.

The HTTP server (`--listen`, default 127.0.0.1:8080; `--listen none`: no server) serves
/healthz, /readyz, /metrics, POST /api/webhook and /api/v1/applications beside the controller.

Argo CD's own Applications (`argoproj.io/v1alpha1`): `--argocd-apps auto|on|off` (default auto:
reconciled when their CRD is installed and no Argo CD application controller runs; the banner
says which and why), read in `--argocd-namespaces` (default: --namespace and argocd).

- API token: `--token-file PATH`, else $TRUEUP_API_TOKEN, else the token stored in
  `<parent of --data-dir>/api-token` (default ~/.local/share/trueup/api-token), generated at
  the first start (mode 0600) and reused afterwards. Only its path is printed, never the token:
  read it with `cat`.
- Webhook secrets: `--webhook-secret-file PATH` (a YAML or JSON map provider -> secret, e.g.
  `github: s3cret`), else $TRUEUP_WEBHOOK_SECRET (one secret for every provider). With neither,
  every webhook delivery is refused (401): deliveries are never accepted unsigned.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trueup.kube.config import SERVICE_ACCOUNT_DIR

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from trueup.controller import Controller
    from trueup.controller.leader import LeaderElector
    from trueup.kube import Client, ClusterConfig
    from trueup.localcluster.cluster import LocalCluster
    from trueup.localcluster.controllers import Settings
    from trueup.server import Running, ServerConfig

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "trueup" / "cluster"


TOKEN_ENV = "TRUEUP_API_TOKEN"
WEBHOOK_SECRET_ENV = "TRUEUP_WEBHOOK_SECRET"


def api_token(token_file: Path | None, state_dir: Path) -> tuple[str, str]:
    """The API token and where it comes from (for the banner: a path or the variable's name)."""
    if token_file is not None:
        token = token_file.read_text().strip()
        if not token:
            raise click.UsageError(f"--token-file {token_file} is empty")
        return token, str(token_file)
    if os.environ.get(TOKEN_ENV, "").strip():
        return os.environ[TOKEN_ENV].strip(), f"${TOKEN_ENV}"
    path = state_dir / "api-token"
    if path.exists() and path.read_text().strip():
        path.chmod(0o600)
        return path.read_text().strip(), str(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    path.chmod(0o600)
    return token, str(path)


def webhook_secrets(secret_file: Path | None) -> dict[str, str]:
    """provider -> secret, from `--webhook-secret-file` (YAML/JSON map) or $TRUEUP_WEBHOOK_SECRET (all providers)."""
    import yaml

    from trueup.webhooks import PROVIDERS

    if secret_file is not None:
        data = yaml.safe_load(secret_file.read_text())
        if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            raise click.UsageError(f"--webhook-secret-file {secret_file}: expected a map of provider: secret")
        unknown = sorted(set(data) - set(PROVIDERS))
        if unknown:
            raise click.UsageError(f"--webhook-secret-file {secret_file}: unknown provider(s) {', '.join(unknown)}; "
                                   f"use {', '.join(PROVIDERS)}")
        return {k: v.strip() for k, v in data.items() if v.strip()}
    secret = os.environ.get(WEBHOOK_SECRET_ENV, "").strip()
    return dict.fromkeys(PROVIDERS, secret) if secret else {}


@dataclass
class ControllerHandle:
    """What `controller_running` yields: the client, the running controller, the HTTP server (or None)."""

    client: Client
    controller: Controller
    server: Running | None


@contextlib.asynccontextmanager
async def controller_running(kubeconfig: Path | ClusterConfig, cache_dir: Path, namespace: str, poll_interval: float,
                             listen: str | None, config: ServerConfig | None, token_from: str,
                             leader_elect: bool = True, lease: tuple[float, float, float] = (15.0, 10.0, 2.0),
                             argocd: tuple[str, tuple[str, ...]] = ("auto", ()), stop_grace_s: float = 10.0
                             ) -> AsyncIterator[ControllerHandle]:
    """The controller and its HTTP server, started and announced; stopped when the block is left
    (`trueup up` waits for a signal inside it, `trueup demo` registers its app and watches it),
    giving running reconciles `stop_grace_s` to finish (an interrupted sync is marked Failed by the
    next start)."""
    from trueup.controller import Controller
    from trueup.controller.argocd import ArgoCDApps, ArgoCDAppsError
    from trueup.controller.leader import LeaderElector
    from trueup.controller.operate import ARGO_APPLICATIONS
    from trueup.controller.serving import server_hooks
    from trueup.kube import Client, load_config
    from trueup.server import build_app, serve
    from trueup.source import RepoCache

    config_ = kubeconfig if not isinstance(kubeconfig, Path) else load_config(kubeconfig)
    client = Client.from_config(config_, user_agent="trueup")
    repos = RepoCache(cache_dir / "git", min_fetch_interval=min(poll_interval / 2, 60.0))
    running: Running | None = None
    try:
        elector = LeaderElector(client, namespace, lease_duration=lease[0], renew_deadline=lease[1],
                                retry_period=lease[2]) if leader_elect else None
        controller = Controller(client, repos, namespace=namespace, poll_interval=poll_interval, elector=elector)
        argo_namespaces = list(dict.fromkeys(argocd[1] or (namespace, "argocd")))
        switch = ArgoCDApps(controller, lambda ns: Controller(client, repos, namespace=ns, poll_interval=poll_interval,
                                                              metrics=controller.metrics, apps=ARGO_APPLICATIONS,
                                                              install_crds=False),
                            argo_namespaces, argocd[0], say=_say, stop_grace_s=stop_grace_s)
        try:
            argo = await switch.start()  # in auto mode, checked again every 10 s (argocd.RECHECK_S)
        except ArgoCDAppsError as exc:
            raise click.ClickException(str(exc)) from None
        logging.getLogger("trueup.controller").info("%s", argo.reason)
        if listen is not None and config is not None:
            running = await serve(build_app(config, server_hooks(controller), controller.metrics), listen)
            click.echo(f"trueup server at {running.url}  (/healthz /readyz /metrics /api/webhook /api/v1/applications)")
            click.echo(f"  api token:  {token_from}")
            if not config.webhook_secrets:
                click.echo("  webhooks:   refused until a secret is set "
                           f"(--webhook-secret-file or ${WEBHOOK_SECRET_ENV})")
            sys.stdout.flush()
        await controller.start()
        announce = asyncio.create_task(_announce_leadership(elector)) if elector is not None else None
        try:
            click.echo(f"trueup controller watching Applications (trueup.dev/v1alpha1) in namespace {namespace}")
            click.echo(f"  {argo.reason}" + (f" in namespaces {', '.join(argo_namespaces)}" if argo.enabled else ""))
            click.echo("  stop:       Ctrl-C")
            if elector is not None:
                click.echo(f"  leader election: lease {namespace}/{elector.name} as {elector.identity} (standing by)")
            sys.stdout.flush()
            yield ControllerHandle(client, controller, running)
        finally:
            if announce is not None:
                announce.cancel()
            say_while_stopping("stopping…")
            await switch.stop()
            await controller.stop(stop_grace_s)
    finally:
        if running is not None:
            await running.stop()
        await client.close()


def _say(line: str) -> None:
    """A line while the controller runs (e.g. Argo CD's Applications no longer reconciled)."""
    with contextlib.suppress(OSError, ValueError):
        click.echo(f"  {line}")
        sys.stdout.flush()


def say_while_stopping(text: str) -> None:
    """Echo on the way out: if stdout is closed (`trueup demo | head`), the rest of the output goes
    to /dev/null instead of raising again, so the shutdown that follows still runs."""
    try:
        click.echo(text)
        sys.stdout.flush()
    except BrokenPipeError:
        discard_stdout()


def discard_stdout() -> None:
    """Point stdout at /dev/null (its reader went away): later writes and the final flush are quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


async def _control(kubeconfig: Path | ClusterConfig, cache_dir: Path, namespace: str, poll_interval: float,
                   stop: asyncio.Event, listen: str | None, config: ServerConfig | None, token_from: str,
                   leader_elect: bool = True, lease: tuple[float, float, float] = (15.0, 10.0, 2.0),
                   argocd: tuple[str, tuple[str, ...]] = ("auto", ())) -> None:
    async with controller_running(kubeconfig, cache_dir, namespace, poll_interval, listen, config, token_from,
                                  leader_elect, lease, argocd):
        await stop.wait()


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (Ctrl-C, `kill`): the foreground commands' way to stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


@contextlib.asynccontextmanager
async def embedded_cluster(data_dir: Path, port: int | None, settings: Settings | None = None
                           ) -> AsyncIterator[LocalCluster]:
    """The embedded cluster on `port` (None: 6443 if free, else any free port), announced."""
    from trueup.cli.cluster import _port_free
    from trueup.localcluster.cluster import DEFAULT_PORT, LocalCluster

    if port is None:
        port = DEFAULT_PORT if _port_free("127.0.0.1", DEFAULT_PORT) else 0
    async with LocalCluster(data_dir, port=port, settings=settings) as cluster:
        click.echo(f"trueup embedded cluster ready at {cluster.url}")
        click.echo(f"  kubeconfig: {cluster.kubeconfig}")
        click.echo(f"  try:        KUBECONFIG={cluster.kubeconfig} kubectl get applications.trueup.dev -A")
        yield cluster


async def _announce_leadership(elector: LeaderElector) -> None:
    await elector.is_leader.wait()
    click.echo(f"became leader ({elector.identity}): reconciling")
    sys.stdout.flush()


async def _run(kubeconfig: Path | ClusterConfig | None, data_dir: Path, namespace: str, poll_interval: float,
               port: int | None, listen: str | None, config: ServerConfig | None, token_from: str,
               leader_elect: bool = True, lease: tuple[float, float, float] = (15.0, 10.0, 2.0),
               argocd: tuple[str, tuple[str, ...]] = ("auto", ())) -> None:
    stop = stop_on_signals()
    cache_dir = data_dir.parent / "cache"
    if kubeconfig is not None:
        await _control(kubeconfig, cache_dir, namespace, poll_interval, stop, listen, config, token_from,
                       leader_elect, lease, argocd)
    else:
        async with embedded_cluster(data_dir, port) as cluster:
            await _control(cluster.kubeconfig, cache_dir, namespace, poll_interval, stop, listen, config,
                           token_from, leader_elect, lease, argocd)
    click.echo("stopped")


@click.command("up")
@click.option("--kubeconfig", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Reconcile this cluster (default: $KUBECONFIG; with neither, start the embedded cluster).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DATA_DIR,
              show_default=True, help="The embedded cluster's data (objects, certificates, kubeconfig).")
@click.option("--namespace", default="trueup", show_default=True, help="Where Applications are read from.")
@click.option("--poll-interval", type=click.FloatRange(min=1.0), default=60.0, show_default=True,
              help="Seconds between checks of each app's Git revision (plus up to 25% jitter).")
@click.option("--port", type=int, default=None,
              help="The embedded cluster's HTTPS port (default 6443 if free, else any; 0 = any free port).")
@click.option("--listen", default="127.0.0.1:8080", show_default=True,
              help="The HTTP server's address (host:port; port 0 = any free port; 'none' = no server).")
@click.option("--token-file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help=f"The API bearer token (default: ${TOKEN_ENV}, else generated into <data-dir>/../api-token).")
@click.option("--webhook-secret-file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help=f"YAML/JSON map provider -> webhook secret (default: ${WEBHOOK_SECRET_ENV} for every provider).")
@click.option("--leader-elect/--no-leader-elect", default=True, show_default=True,
              help="Act only while holding the Lease trueup-controller in --namespace (one active controller).")
@click.option("--leader-elect-lease-duration", type=click.FloatRange(min=1.0), default=15.0, show_default=True,
              help="Seconds a standby waits after the leader's last renewal before taking over.")
@click.option("--leader-elect-renew-deadline", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds the leader keeps trying to renew before it stops leading.")
@click.option("--leader-elect-retry-period", type=click.FloatRange(min=0.05), default=2.0, show_default=True,
              help="Seconds between attempts to acquire or renew the Lease.")
@click.option("--in-cluster/--no-in-cluster", default=None,
              help="Use the pod's service account (default: when $KUBERNETES_SERVICE_HOST is set and there is no "
                   "kubeconfig); --no-in-cluster: never (start the embedded cluster).")
@click.option("--service-account-dir", type=click.Path(file_okay=False, path_type=Path), default=SERVICE_ACCOUNT_DIR,
              show_default=True, help="Where the pod's service account (token, ca.crt, namespace) is mounted.")
@click.option("--argocd-apps", type=click.Choice(["auto", "on", "off"]), default="auto", show_default=True,
              help="Reconcile Argo CD's argoproj.io/v1alpha1 Applications too: auto = when their CRD is installed "
                   "and no Argo CD application controller runs in the cluster.")
@click.option("--argocd-namespaces", default="", metavar="NS,NS",
              help="Where Argo CD's Applications are read from (default: --namespace and argocd).")
@click.option("-v", "--verbose", is_flag=True, help="Log the controller's internals.")
def up_cmd(kubeconfig: Path | None, data_dir: Path, namespace: str, poll_interval: float, port: int | None,
           listen: str, token_file: Path | None, webhook_secret_file: Path | None, leader_elect: bool,
           leader_elect_lease_duration: float, leader_elect_renew_deadline: float, leader_elect_retry_period: float,
           in_cluster: bool | None, service_account_dir: Path, argocd_apps: str, argocd_namespaces: str,
           verbose: bool) -> None:
    """Run the GitOps controller and its HTTP server (and, without a kubeconfig, the embedded cluster) until Ctrl-C."""
    from trueup.cli.target import TargetError, choose_target
    from trueup.server import ServerConfig, parse_listen

    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    lease = (leader_elect_lease_duration, leader_elect_renew_deadline, leader_elect_retry_period)
    if not lease[2] < lease[1] < lease[0]:
        raise click.BadParameter("needs --leader-elect-retry-period < --leader-elect-renew-deadline < "
                                 "--leader-elect-lease-duration", param_hint="--leader-elect-lease-duration")
    try:
        target = choose_target(kubeconfig, in_cluster, os.environ, service_account_dir)
    except TargetError as exc:
        raise click.UsageError(str(exc)) from None
    cluster: Path | ClusterConfig | None = target.config or target.kubeconfig
    if target.config is not None:
        click.echo(f"trueup in-cluster: service account at {service_account_dir}, API server {target.config.server}")
    address: str | None = None if listen.strip().lower() in ("none", "off", "") else listen
    config: ServerConfig | None = None
    token_from = ""
    if address is not None:
        try:
            parse_listen(address)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--listen") from None
        token, token_from = api_token(token_file, data_dir.parent)
        config = ServerConfig(api_tokens=(token,), webhook_secrets=webhook_secrets(webhook_secret_file))
    from trueup.cli.running import run_until_stopped

    argocd = (argocd_apps, tuple(n.strip() for n in argocd_namespaces.split(",") if n.strip()))
    run_until_stopped(_run(cluster, data_dir, namespace, poll_interval, port, address, config, token_from,
                           leader_elect, lease, argocd), None)
