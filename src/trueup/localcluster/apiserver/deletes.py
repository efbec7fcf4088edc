"""Delete and deletecollection, with finalizers, propagation policies and preconditions.

An object with finalizers is not removed: it gets `deletionTimestamp` and stays until the last
finalizer is gone (then the update that removes it deletes it, see writes.commit_update).
Propagation: Foreground adds the `foregroundDeletion` finalizer and Orphan the `orphan`
finalizer, for the garbage collector to act on; Background removes the object now and leaves
dependents to the collector. Namespaces enter phase Terminating until their `kubernetes`
finalizer is removed by the namespace controller.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..resources import ResourceType
from ..store import NotFound
from . import hooks
from .state import APIState, Obj, WriteOptions, as_version, deep_copy, meta, now_rfc3339

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"


def finalize_delete(state: APIState, rt: ResourceType, obj: Obj) -> Obj:
    """Remove the object from storage now; the DELETED event carries its last state."""
    m = meta(obj)
    try:
        out = state.store.delete(state.storage_type(rt).storage_key, str(m.get("namespace", "")),
                                 str(m.get("name", "")), final=obj)
    except NotFound:
        raise errors.not_found(rt.plural, str(m.get("name", "")), rt.group) from None
    hooks.after_delete(state, rt, out)
    return out


def _check_preconditions(rt: ResourceType, obj: Obj, options: dict[str, Any]) -> None:
    pre = options.get("preconditions") or {}
    m = meta(obj)
    name = str(m.get("name", ""))
    if pre.get("uid") and pre["uid"] != m.get("uid"):
        raise errors.conflict(rt.plural, name, rt.group,
                              f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: "
                              f"{m.get('uid')}")
    if pre.get("resourceVersion") and str(pre["resourceVersion"]) != str(m.get("resourceVersion")):
        raise errors.conflict(rt.plural, name, rt.group,
                              f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                              f"ResourceVersion in object meta: {m.get('resourceVersion')}")


def delete(state: APIState, rt: ResourceType, namespace: str, name: str, options: dict[str, Any],
           opts: WriteOptions) -> Obj:
    live = state.store.get(rt.storage_key, namespace, name)
    if live is None:
        raise errors.not_found(rt.plural, name, rt.group)
    _check_preconditions(rt, live, options)
    obj = deep_copy(live)
    m = meta(obj)
    finalizers: list[str] = list(m.get("finalizers") or [])
    policy = options.get("propagationPolicy")
    if policy is None and options.get("orphanDependents") is True:
        policy = "Orphan"
    if policy not in (None, "Background", "Foreground", "Orphan"):
        raise errors.invalid("DeleteOptions", "", [errors.field_cause(
            "propagationPolicy", f'Unsupported value: "{policy}": supported values: "Foreground", '
            '"Background", "Orphan", "nil"', "FieldValueNotSupported")])
    if policy == "Foreground" and FOREGROUND not in finalizers:
        finalizers.append(FOREGROUND)
    if policy == "Orphan" and ORPHAN not in finalizers:
        finalizers.append(ORPHAN)
    spec_finalizers = (obj.get("spec") or {}).get("finalizers") if rt.kind == "Namespace" and not rt.custom else None
    if not finalizers and not spec_finalizers:
        if opts.dry_run:
            return as_version(obj, rt)
        return as_version(finalize_delete(state, rt, obj), rt)
    # Graceful: mark and keep.
    if not m.get("deletionTimestamp"):
        m["deletionTimestamp"] = now_rfc3339()
        m["deletionGracePeriodSeconds"] = 0
    if finalizers:
        m["finalizers"] = finalizers
    else:
        m.pop("finalizers", None)
    if spec_finalizers is not None:
        obj.setdefault("status", {})["phase"] = "Terminating"
    if obj == live or opts.dry_run:
        return as_version(obj, rt)
    out = state.store.update(rt.storage_key, namespace, name, obj,
                             expected_rv=int(meta(live)["resourceVersion"]))
    return as_version(out, rt)


def delete_collection(state: APIState, rt: ResourceType, namespace: str | None, objects: list[Obj],
                      options: dict[str, Any], opts: WriteOptions) -> list[Obj]:
    out = []
    for obj in objects:
        m = meta(obj)
        try:
            out.append(delete(state, rt, str(m.get("namespace", "")) if namespace is None else namespace,
                              str(m.get("name", "")), options, opts))
        except errors.APIError as exc:
            if exc.code != 404:
                raise
    return out
