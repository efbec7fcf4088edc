"""`trueup up`: run the controller until SIGINT/SIGTERM.

With `--kubeconfig` (or KUBECONFIG) it reconciles that cluster. With neither, it starts the
embedded cluster in this process (data in `--data-dir`, default ~/.local/share/trueup/cluster)
and prints the kubeconfig path for kubectl. This is the only place the controller and the
embedded cluster meet; `trueup.controller` itself never imports `trueup.localcluster`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

import click

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "trueup" / "cluster"


async def _control(kubeconfig: Path, cache_dir: Path, namespace: str, poll_interval: float,
                   stop: asyncio.Event) -> None:
    from trueup.controller import Controller
    from trueup.kube import Client, load_config
    from trueup.source import RepoCache

    client = Client.from_config(load_config(kubeconfig), user_agent="trueup")
    repos = RepoCache(cache_dir / "git", min_fetch_interval=min(poll_interval / 2, 60.0))
    try:
        async with Controller(client, repos, namespace=namespace, poll_interval=poll_interval):
            click.echo(f"trueup controller watching Applications (trueup.dev/v1alpha1) in namespace {namespace}")
            click.echo("  stop:       Ctrl-C")
            sys.stdout.flush()
            await stop.wait()
            click.echo("stopping…")
    finally:
        await client.close()


async def _run(kubeconfig: Path | None, data_dir: Path, namespace: str, poll_interval: float, port: int | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    cache_dir = data_dir.parent / "cache"
    if kubeconfig is not None:
        await _control(kubeconfig, cache_dir, namespace, poll_interval, stop)
    else:
        from trueup.cli.cluster import _port_free
        from trueup.localcluster.cluster import DEFAULT_PORT, LocalCluster

        if port is None:
            port = DEFAULT_PORT if _port_free("127.0.0.1", DEFAULT_PORT) else 0
        async with LocalCluster(data_dir, port=port) as cluster:
            click.echo(f"trueup embedded cluster ready at {cluster.url}")
            click.echo(f"  kubeconfig: {cluster.kubeconfig}")
            click.echo(f"  try:        KUBECONFIG={cluster.kubeconfig} kubectl get applications.trueup.dev -A")
            await _control(cluster.kubeconfig, cache_dir, namespace, poll_interval, stop)
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
@click.option("-v", "--verbose", is_flag=True, help="Log the controller's internals.")
def up_cmd(kubeconfig: Path | None, data_dir: Path, namespace: str, poll_interval: float, port: int | None,
           verbose: bool) -> None:
    """Run the GitOps controller (and, without a kubeconfig, the embedded cluster) until Ctrl-C."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if kubeconfig is None and os.environ.get("KUBECONFIG"):
        kubeconfig = Path(os.environ["KUBECONFIG"].split(os.pathsep)[0])
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(kubeconfig, data_dir, namespace, poll_interval, port))
