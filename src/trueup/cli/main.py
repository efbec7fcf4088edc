"""`trueup` entry point: a verb/noun command tree (click).

Commands are imported when invoked (or listed by `--help`), not at start-up: `trueup sync`
never loads the embedded cluster's API server, and `trueup cluster up` never loads the engine.
"""

from __future__ import annotations

import importlib

import click

from trueup import __version__

# name -> (module, attribute)
_COMMANDS = {
    "cluster": ("trueup.cli.cluster", "cluster"),
    "render": ("trueup.cli.oneshot", "render_cmd"),
    "diff": ("trueup.cli.oneshot", "diff_cmd"),
    "sync": ("trueup.cli.oneshot", "sync_cmd"),
    "health": ("trueup.cli.oneshot", "health_cmd"),
    "up": ("trueup.cli.up", "up_cmd"),
    "app": ("trueup.cli.app", "app_group"),
    "demo": ("trueup.cli.demo", "demo_cmd"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _COMMANDS and cmd_name not in self.commands:
            module, attr = _COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trueup")
def cli() -> None:
    """trueup keeps Kubernetes clusters true to Git."""


def main() -> None:
    cli()
