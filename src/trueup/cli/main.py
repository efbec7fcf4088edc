"""`trueup` entry point: a verb/noun command tree (click)."""

from __future__ import annotations

import click

from trueup import __version__

from .cluster import cluster
from .oneshot import diff_cmd, health_cmd, render_cmd, sync_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trueup")
def cli() -> None:
    """trueup keeps Kubernetes clusters true to Git."""


cli.add_command(cluster)
for command in (render_cmd, diff_cmd, sync_cmd, health_cmd):
    cli.add_command(command)


def main() -> None:
    cli()
