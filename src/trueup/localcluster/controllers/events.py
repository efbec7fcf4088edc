"""core/v1 Events for notable transitions, as `kubectl describe` shows them.

`record(obj, "Normal", "ScalingReplicaSet", "Scaled up replica set web-abc to 3")` writes an
Event in the object's namespace (cluster-scoped objects: `default`), named
`<object>.<unique suffix>`, with involvedObject, source.component (the controller), counts and
timestamps. Repeats of the same (object, reason, message) within the process bump `count` and
`lastTimestamp` instead of piling up new Events, as the real recorder aggregates. Recording
never blocks or fails a reconcile: writes run as background tasks and errors are logged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

from ..client import EVENTS, ApiError, Client

log = logging.getLogger("trueup.localcluster.controllers")

Obj = dict[str, Any]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventRecorder:
    def __init__(self, client: Client) -> None:
        self.client = client
        self._seen: dict[tuple[str, str, str], tuple[str, str, int]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def record(self, obj: Obj, event_type: str, reason: str, message: str, component: str) -> None:
        task = asyncio.create_task(self._write(obj, event_type, reason, message, component))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write(self, obj: Obj, event_type: str, reason: str, message: str, component: str) -> None:
        m = obj.get("metadata") or {}
        uid = str(m.get("uid", ""))
        namespace = str(m.get("namespace") or "default")
        now = _now()
        seen_key = (uid, reason, message)
        try:
            previous = self._seen.get(seen_key)
            if previous is not None:
                ns, name, count = previous
                await self.client.patch(EVENTS, ns, name, {"count": count + 1, "lastTimestamp": now},
                                        field_manager=component)
                self._seen[seen_key] = (ns, name, count + 1)
                return
            # Like the real recorder: <object>.<unix nanoseconds in hex>, so names sort by time.
            name = f"{m.get('name', 'object')}.{time.time_ns():x}"
            involved: Obj = {
                "apiVersion": obj.get("apiVersion", ""),
                "kind": obj.get("kind", ""),
                "name": m.get("name", ""),
                "uid": uid,
                "resourceVersion": m.get("resourceVersion", ""),
            }
            if m.get("namespace"):
                involved["namespace"] = m["namespace"]
            event: Obj = {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": namespace},
                "involvedObject": involved,
                "reason": reason,
                "message": message,
                "type": event_type,
                "source": {"component": component},
                "reportingComponent": component,
                "reportingInstance": f"{component}-trueup",
                "firstTimestamp": now,
                "lastTimestamp": now,
                "count": 1,
            }
            await self.client.create(EVENTS, namespace, event, field_manager=component)
            self._seen[seen_key] = (namespace, name, 1)
            if len(self._seen) > 10_000:
                self._seen.pop(next(iter(self._seen)))
        except ApiError as exc:
            log.debug("event %s/%s not recorded: %s", reason, m.get("name"), exc)
        except Exception as exc:  # a closed client during shutdown, for instance
            log.debug("event %s/%s not recorded: %s", reason, m.get("name"), exc)

    async def flush(self) -> None:
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
