"""Commands run on uvloop when it is installed; TRUEUP_EVENT_LOOP=asyncio falls back to asyncio's loop."""

from __future__ import annotations

import asyncio

import pytest

from trueup.cli import eventloop


async def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_commands_run_on_uvloop_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUEUP_EVENT_LOOP", raising=False)
    assert eventloop.run(_loop_module()).startswith("uvloop")


def test_asyncio_loop_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUEUP_EVENT_LOOP", "asyncio")
    assert eventloop.run(_loop_module()).startswith("asyncio")


def test_a_failing_command_raises_through_the_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    async def boom() -> None:
        raise LookupError("no such app")

    monkeypatch.delenv("TRUEUP_EVENT_LOOP", raising=False)
    with pytest.raises(LookupError, match="no such app"):
        eventloop.run(boom())
