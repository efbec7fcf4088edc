"""Watch streams: chunked JSON lines of ADDED/MODIFIED/DELETED/BOOKMARK/ERROR events.

Where a watch starts:
- `resourceVersion` unset or "0": ADDED for every current object, then live events
  (what the official Python client's `watch.Watch().stream` expects).
- `sendInitialEvents=true` (watch-list; kubectl 1.37 uses it for wait, rollout status and
  delete): ADDED for current objects, then a BOOKMARK annotated
  `k8s.io/initial-events-end: "true"` at the list's resourceVersion, then live events.
- `resourceVersion=N`: only events after N, from the store's history. Older than the
  history window → an ERROR event carrying a 410 Expired Status.

The initial list and the subscription are taken in one synchronous step, so no event falls
between them. With selectors, an object that starts matching arrives as ADDED and one that
stops matching as DELETED, as kube-apiserver does. Bookmarks (when allowed) carry the latest
resourceVersion every `BOOKMARK_INTERVAL` seconds. Each watcher has a bounded queue in the
store; one that falls too far behind is ended with 410 so it re-lists.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from .. import errors, query
from ..resources import ResourceType
from ..store import Expired, Subscription
from . import codec
from .reads import ListOptions, pinned_name, predicate
from .state import APIState, Obj, as_version, meta

BOOKMARK_INTERVAL = 30.0
_IDLE_CHECK = 5.0


def _event_line(rt: ResourceType, etype: str, obj: Obj, accept: codec.Accept) -> bytes:
    if accept.as_kind == "Table" and etype != "BOOKMARK":
        payload: Any = query.to_table(rt, [obj], include_object=accept.include_object)
    elif accept.as_kind.startswith("PartialObjectMetadata") and etype != "BOOKMARK":
        payload = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta(obj)}
    else:
        payload = obj
    return codec.dumps({"type": etype, "object": payload}) + b"\n"


def _bookmark(rt: ResourceType, rv: int, initial_end: bool = False) -> Obj:
    m: dict[str, Any] = {"resourceVersion": str(rv)}
    if initial_end:
        m["annotations"] = {"k8s.io/initial-events-end": "true"}
    return {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": m}


def _error_line(exc: errors.APIError) -> bytes:
    return codec.dumps({"type": "ERROR", "object": exc.status()}) + b"\n"


async def serve_watch(request: web.BaseRequest, state: APIState, rt: ResourceType, namespace: str | None,
                      opts: ListOptions, accept: codec.Accept) -> web.StreamResponse:
    q = request.query
    send_initial = q.get("sendInitialEvents") == "true"
    if send_initial and opts.resource_version_match not in ("NotOlderThan", ""):
        raise errors.invalid("ListOptions", "", [errors.field_cause(
            "resourceVersionMatch", "sendInitialEvents requires resourceVersionMatch=NotOlderThan")])
    allow_bookmarks = q.get("allowWatchBookmarks") in ("true", "1")
    timeout_s = _timeout(q.get("timeoutSeconds"))
    match = predicate(rt, opts)
    key = rt.storage_key
    name = pinned_name(rt, opts)

    # One synchronous step: the initial state and the subscription, with nothing in between.
    initial: list[Obj] = []
    sub: Subscription | None = None
    expired: errors.APIError | None = None
    rv_text = opts.resource_version
    if send_initial or rv_text in ("", "0"):
        if name is not None and namespace is not None:
            one = state.store.get(key, namespace, name)
            items, list_rv = ([one] if one is not None else []), state.store.current_rv
        else:
            items, list_rv, _ = state.store.list(key, namespace)
        initial = [as_version(o, rt) for o in items if match is None or match(o)]
        sub = state.store.subscribe(key, namespace, list_rv, name=name)
        start_rv = list_rv
    else:
        try:
            start_rv = int(rv_text)
        except ValueError:
            raise errors.bad_request(f'invalid resource version "{rv_text}"') from None
        try:
            sub = state.store.subscribe(key, namespace, start_rv, name=name)
        except Expired as exc:
            expired = errors.gone(f"too old resource version: {start_rv} ({exc.oldest})")

    resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json",
                                                   "Cache-Control": "no-cache, private"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    if expired is not None or sub is None:
        await resp.write(_error_line(expired or errors.internal("watch could not start")))
        return resp
    try:
        await _stream(request, resp, state, rt, sub, initial, start_rv, send_initial, allow_bookmarks,
                      timeout_s, match, accept)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        sub.close()
    return resp


def _timeout(text: str | None) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise errors.bad_request(f'invalid timeoutSeconds "{text}"') from None
    return value if value > 0 else None


async def _stream(request: web.BaseRequest, resp: web.StreamResponse, state: APIState, rt: ResourceType,
                  sub: Subscription, initial: list[Obj], start_rv: int, send_initial: bool,
                  allow_bookmarks: bool, timeout_s: float | None, match: Any,
                  accept: codec.Accept) -> None:
    deadline = time.monotonic() + timeout_s if timeout_s else None
    if initial:
        await resp.write(b"".join(_event_line(rt, "ADDED", o, accept) for o in initial))
    if send_initial:
        await resp.write(_event_line(rt, "BOOKMARK", _bookmark(rt, start_rv, initial_end=True), accept))
    last_bookmark = time.monotonic()
    while True:
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            return
        wait = _IDLE_CHECK
        if deadline is not None:
            wait = min(wait, deadline - now)
        if allow_bookmarks:
            wait = min(wait, max(0.0, last_bookmark + BOOKMARK_INTERVAL - now))
        try:
            ev = await sub.next(timeout=max(wait, 0.0))
        except Expired as exc:
            await resp.write(_error_line(errors.gone(f"watch fell behind; resume from a list ({exc})")))
            return
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        if ev is None:
            if allow_bookmarks and time.monotonic() - last_bookmark >= BOOKMARK_INTERVAL:
                await resp.write(_event_line(rt, "BOOKMARK", _bookmark(rt, state.store.current_rv), accept))
                last_bookmark = time.monotonic()
            continue
        obj = as_version(ev.object, rt)
        etype = ev.type
        if match is not None:
            now_match = bool(match(ev.object))
            prev_match = bool(ev.prev is not None and match(ev.prev))
            if etype == "ADDED":
                if not now_match:
                    continue
            elif etype == "MODIFIED":
                if now_match and not prev_match:
                    etype = "ADDED"
                elif prev_match and not now_match:
                    etype = "DELETED"
                elif not now_match:
                    continue
            elif not (now_match or prev_match):
                continue
        await resp.write(_event_line(rt, etype, obj, accept))
