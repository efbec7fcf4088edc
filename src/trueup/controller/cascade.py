"""Cascade deletion of an Application being deleted, as Argo CD's resources finalizer does.

An Application with a `deletionTimestamp` and the finalizer
- `resources-finalizer.argocd.argoproj.io`: every object it tracks is deleted with Foreground
  propagation and the finalizer is removed once they are all gone;
- `resources-finalizer.argocd.argoproj.io/background`: the same with Background propagation; the
  finalizer is removed once every tracked object has been asked to go (has a deletionTimestamp or
  is gone), without waiting for the objects' own finalizers.
Child Applications are tracked objects like any other: deleting one that carries a finalizer
makes its own cascade run, so nested apps cascade in turn. Without a finalizer, nothing is done
and the app's resources stay.

What is tracked comes only from the live tracking annotations (`trueup.sync.gather_live`), never
from a render: a Git or render error cannot cause or widen a cascade. Each deletion is logged
and reported as a `DeletionCascade` condition while the app terminates; the finalizer is removed
with a merge patch carrying the resourceVersion read (a conflict is retried).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..kube import ApiError, Client, Discovery, Res
from ..model import ResourceKey
from ..sync import gather_live
from . import status as st
from .operate import FIELD_MANAGER, applications_res

log = logging.getLogger("trueup.controller.cascade")

Obj = dict[str, Any]

FOREGROUND_FINALIZER = "resources-finalizer.argocd.argoproj.io"
BACKGROUND_FINALIZER = "resources-finalizer.argocd.argoproj.io/background"
PROPAGATION = {FOREGROUND_FINALIZER: "Foreground", BACKGROUND_FINALIZER: "Background"}
RECHECK_S = 0.5  # how soon a terminating app is looked at again (watch events usually come first)


def terminating(doc: Obj) -> bool:
    return bool((doc.get("metadata") or {}).get("deletionTimestamp"))


def cascade_finalizer(doc: Obj) -> str | None:
    """The resources finalizer on the Application (foreground first if both are set), else None."""
    finalizers = (doc.get("metadata") or {}).get("finalizers") or []
    for name in (FOREGROUND_FINALIZER, BACKGROUND_FINALIZER):
        if name in finalizers:
            return name
    return None


@dataclass
class Progress:
    deleted: list[str]  # deletion requested by this pass
    remaining: list[str]  # still present (being deleted)
    failed: list[str]  # deletion refused by the API (with the message)


async def delete_tracked(client: Client, discovery: Discovery, app: str, propagation: str) -> Progress:
    """Ask for the deletion of every live object tracked by `app` not already being deleted."""
    progress = Progress([], [], [])
    for obj in await gather_live(client, discovery, app):
        meta = obj.get("metadata") or {}
        key = str(ResourceKey.of(obj))
        if meta.get("deletionTimestamp"):
            progress.remaining.append(key)
            continue
        try:
            res = (await discovery.resolve(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))).res
            out = await client.delete(res, meta.get("namespace"), str(meta.get("name", "")), propagation=propagation,
                                      preconditions={"uid": meta["uid"]} if meta.get("uid") else None)
        except ApiError as exc:
            if exc.not_found:
                continue
            progress.failed.append(f"{key}: {exc.message or exc}")
            continue
        progress.deleted.append(key)
        if out is not None and (out.get("metadata") or {}).get("deletionTimestamp"):
            progress.remaining.append(key)  # finalizers (foregroundDeletion, a child app's) keep it a while
    return progress


async def finalize(client: Client, discovery: Discovery, namespace: str, doc: Obj) -> float | None:
    """One step of the cascade for a terminating Application; returns a delay to look again, or None
    when there is nothing (more) to do (no resources finalizer, or it has just been removed)."""
    name = str(doc["metadata"]["name"])
    res = applications_res(str(doc.get("apiVersion") or ""))
    finalizer = cascade_finalizer(doc)
    if finalizer is None:
        return None  # deleting the app leaves its resources
    propagation = PROPAGATION[finalizer]
    progress = await delete_tracked(client, discovery, name, propagation)
    for key in progress.deleted:
        log.info("cascade of %s/%s (%s): deleted %s", namespace, name, propagation, key)
    for failure in progress.failed:
        log.warning("cascade of %s/%s (%s): delete failed: %s", namespace, name, propagation, failure)
    waiting = progress.failed or (propagation == "Foreground" and progress.remaining)
    if progress.deleted or waiting:
        await _report(client, res, namespace, name, propagation, progress)
    if waiting:
        return RECHECK_S
    if progress.deleted and propagation == "Foreground":
        return 0.0  # look again: gone objects are confirmed by the next gather
    return await _remove_finalizer(client, res, namespace, name, finalizer)


async def _report(client: Client, res: Res, namespace: str, name: str, propagation: str, progress: Progress) -> None:
    parts = []
    if progress.deleted:
        parts.append(f"deleted {', '.join(progress.deleted)}")
    if progress.remaining:
        parts.append(f"waiting for {', '.join(sorted(set(progress.remaining)))}")
    if progress.failed:
        parts.append(f"failed: {'; '.join(progress.failed)}")
    message = f"cascade ({propagation}): " + "; ".join(parts)
    try:
        await client.patch(res, namespace, name, {"status": {
            "conditions": [{**st.condition("DeletionCascade", message), "lastTransitionTime": st.now_iso()}]}},
            field_manager=FIELD_MANAGER, subresource="" if res.group == "argoproj.io" else "status")
    except ApiError as exc:  # the app may be gone already: the report is best effort
        log.debug("status of terminating %s/%s not written: %s", namespace, name, exc.message)


async def release(client: Client, res: Res, namespace: str, name: str, finalizer: str) -> float | None:
    """Remove the resources finalizer without deleting anything (an app whose name another app holds:
    what it would track is that app's)."""
    log.warning("%s/%s deleted without cascade: its name is held by another Application", namespace, name)
    return await _remove_finalizer(client, res, namespace, name, finalizer)


async def _remove_finalizer(client: Client, res: Res, namespace: str, name: str, finalizer: str) -> float | None:
    doc = await client.get(res, namespace, name)
    if doc is None:
        return None
    meta = doc.get("metadata") or {}
    finalizers = [f for f in meta.get("finalizers") or [] if f != finalizer]
    try:
        await client.patch(res, namespace, name, {"metadata": {
            "finalizers": finalizers, "resourceVersion": meta.get("resourceVersion")}}, field_manager=FIELD_MANAGER)
    except ApiError as exc:
        if exc.not_found:
            return None
        log.debug("finalizer of %s/%s not removed yet: %s", namespace, name, exc.message)
        return RECHECK_S  # a conflict (the app changed since read): try again
    log.info("cascade of %s/%s done: finalizer %s removed", namespace, name, finalizer)
    return None


__all__ = ["BACKGROUND_FINALIZER", "FOREGROUND_FINALIZER", "cascade_finalizer", "delete_tracked", "finalize",
           "release", "terminating"]
