"""Watches of the kinds apps manage, for drift: one `kube.Informer` per kind (cluster-wide),
keeping only objects that carry a `trueup.dev/tracking-id` annotation naming the object itself
(a copied annotation does not count). A change or deletion of such an object enqueues its app.

Changes that touch only `status` or server bookkeeping (resourceVersion, managedFields) are not
drift and enqueue nothing: a Deployment rolling out does not cause a stream of reconciles.
Kinds are added as apps are compared (`ensure`); informers run until `stop`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..kube import Client, Informer, Res
from ..model import ResourceKey
from ..sync import TRACKING_ANNOTATION, tracking_id

log = logging.getLogger("trueup.controller.watches")

Obj = dict[str, Any]
Enqueue = Callable[[str], None]


def owning_app(obj: Obj) -> str | None:
    """The app named by the object's tracking annotation, if it names this very object."""
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(TRACKING_ANNOTATION)
    if not isinstance(value, str) or ":" not in value:
        return None
    app = value.split(":", 1)[0]
    return app if tracking_id(app, ResourceKey.of(obj)) == value else None


def _spec_view(obj: Obj) -> Obj:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items()
            if k not in ("resourceVersion", "managedFields", "generation")}
    return {**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}


class ManagedWatches:
    def __init__(self, client: Client, enqueue: Enqueue) -> None:
        self.client = client
        self.enqueue = enqueue
        self._informers: dict[Res, Informer] = {}

    @property
    def kinds(self) -> set[Res]:
        return set(self._informers)

    def ensure(self, kinds: set[Res]) -> None:
        for res in kinds:
            if res in self._informers:
                continue
            inf = Informer(self.client, res, keep=lambda o: owning_app(o) is not None)
            inf.add_handler(self._handle)
            self._informers[res] = inf
            inf.start()
            log.debug("watching %s for drift", res)

    def _handle(self, etype: str, obj: Obj, old: Obj | None) -> None:
        if etype == "ADDED":
            return  # the initial list, or an object a sync created: not drift
        if etype == "MODIFIED" and old is not None and _spec_view(old) == _spec_view(obj):
            return
        app = owning_app(obj) or (owning_app(old) if old is not None else None)
        if app is not None:
            self.enqueue(app)

    async def wait_synced(self) -> None:
        for inf in self._informers.values():
            await inf.synced.wait()

    async def stop(self) -> None:
        for inf in self._informers.values():
            await inf.stop()
        self._informers.clear()
