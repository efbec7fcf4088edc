"""Periodic compaction: the background task that keeps the watch history window bounded.

`Store.compact_step` deletes one batch of old events in its own short transaction; this loop runs
it every `interval` seconds and yields to the event loop between batches so a large backlog never
blocks request handling for long. Cancel the task to stop it.
"""

from __future__ import annotations

import asyncio
from typing import Protocol


class Compactable(Protocol):
    def compact_step(self, batch: int | None = None) -> bool: ...


async def run_compaction(store: Compactable, interval: float = 60.0) -> None:
    while True:
        await asyncio.sleep(interval)
        for _ in iter(store.compact_step, False):
            await asyncio.sleep(0)  # one batch per loop iteration
