"""`trueup` entry point: a verb/noun command tree (click)."""

from __future__ import annotations

import click

from trueup import __version__

from .cluster import cluster


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trueup")
def cli() -> None:
    """trueup keeps Kubernetes clusters true to Git."""


cli.add_command(cluster)


def main() -> None:
    cli()
