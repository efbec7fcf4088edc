"""`trueup cluster up`: run the embedded cluster in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

import click

from trueup.localcluster.cluster import DEFAULT_PORT, LocalCluster, free_port
from trueup.localcluster.controllers import Settings


@click.group()
def cluster() -> None:
    """The embedded, kubectl-compatible cluster."""


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


async def _run(c: LocalCluster) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with c:
        click.echo(f"trueup embedded cluster ready at {c.url}")
        click.echo(f"  kubeconfig: {c.kubeconfig.resolve()}")
        click.echo(f"  try:        KUBECONFIG={c.kubeconfig.resolve()} kubectl get nodes,namespaces")
        click.echo("  stop:       Ctrl-C")
        sys.stdout.flush()
        await stop.wait()
        click.echo("stopping…")
    click.echo("stopped")


@cluster.command("up")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Where objects, certificates and the kubeconfig live (kept across restarts).")
@click.option("--port", type=int, default=None,
              help=f"HTTPS port (default {DEFAULT_PORT} if free, else any free port; 0 = any free port).")
@click.option("--listen", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but 127.0.0.1 exposes the cluster to the network.")
@click.option("--kubeconfig", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the kubeconfig (default DATA_DIR/kubeconfig).")
@click.option("--timing", type=click.Choice(["fast", "realistic"]), default="realistic", show_default=True,
              help="Simulated kubelet timing: near-zero delays (tests) or seconds with jitter (demos).")
@click.option("--nodes", type=click.IntRange(1, 100), default=1, show_default=True, help="Simulated nodes.")
@click.option("--load-balancer/--no-load-balancer", default=True, show_default=True,
              help="Give LoadBalancer Services and Ingresses an address (off: they stay Progressing).")
@click.option("--no-controllers", is_flag=True, help="Serve the API only: no controllers, no simulated kubelet.")
@click.option("-v", "--verbose", is_flag=True, help="Log requests and internals.")
def up(data_dir: Path, port: int | None, listen: str, kubeconfig: Path | None, timing: str, nodes: int,
       load_balancer: bool, no_controllers: bool, verbose: bool) -> None:
    """Run the embedded API server in the foreground until Ctrl-C."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = "127.0.0.1" if listen in ("0.0.0.0", "::") else listen
    if port is None:
        port = DEFAULT_PORT if _port_free(listen, DEFAULT_PORT) else free_port(host)
    elif port and not _port_free(listen, port):
        raise click.ClickException(f"port {port} on {listen} is in use; pick another with --port or use --port 0")
    if listen not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {listen}: reachable from the network (token required)", err=True)
    settings = Settings(timing=timing, nodes=nodes, load_balancer=load_balancer)
    c = LocalCluster(data_dir, port=port, listen=listen, kubeconfig=kubeconfig,
                     controllers=not no_controllers, settings=settings)
    from .running import run_until_stopped

    run_until_stopped(_run(c), None)
