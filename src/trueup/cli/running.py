"""Run a long-lived command's coroutine: Ctrl-C is a normal stop, and the start-up failures a
user can fix (a taken address, a data directory another process holds) are one clear line and
exit code 1 instead of a traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from . import eventloop

T = TypeVar("T")


def run_until_stopped(main: Coroutine[Any, Any, T], default: T) -> T:
    """`asyncio.run(main)`; `default` when interrupted by Ctrl-C."""
    from trueup.localcluster.cluster import DataDirInUse
    from trueup.server.runner import ListenError

    result = default
    try:
        with contextlib.suppress(KeyboardInterrupt):
            result = eventloop.run(main)
    except (ListenError, DataDirInUse) as exc:
        raise click.ClickException(str(exc)) from None
    return result
