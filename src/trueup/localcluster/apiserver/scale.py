"""The `/scale` subresource: an autoscaling/v1 Scale view of replicas, writable by patch and PUT.

`kubectl scale` merge-patches `{"spec":{"replicas":N}}` onto the Scale. The write lands on the
parent's replicas field (custom resources: the CRD's specReplicasPath), recorded in
managedFields with subresource `scale`.
"""

from __future__ import annotations

from typing import Any

from .. import errors, query
from .. import patch as patches
from ..resources import ResourceType
from . import codec, writes
from .state import APIState, Obj, WriteOptions, deep_copy, meta


def _path(dotted: str) -> list[str]:
    return [p for p in dotted.strip().lstrip(".").split(".") if p]


def _read(obj: Obj, dotted: str) -> Any:
    cur: Any = obj
    for part in _path(dotted):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _write(obj: Obj, dotted: str, value: Any) -> None:
    parts = _path(dotted)
    cur = obj
    for part in parts[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            nxt = cur[part] = {}
        cur = nxt
    cur[parts[-1]] = value


def _selector_string(rt: ResourceType, obj: Obj) -> str:
    if rt.custom:
        value = _read(obj, rt.scale_paths[2]) if rt.scale_paths[2] else None
        return value if isinstance(value, str) else ""
    sel = (obj.get("spec") or {}).get("selector")
    if isinstance(sel, dict) and ("matchLabels" in sel or "matchExpressions" in sel):
        return str(query.selector_from_label_selector_object(sel))
    if isinstance(sel, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(sel.items()))
    return ""


def to_scale(rt: ResourceType, obj: Obj) -> Obj:
    m = meta(obj)
    spec_path, status_path, _ = rt.scale_paths
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                     if k in m},
        "spec": {"replicas": int(_read(obj, spec_path) or 0)},
        "status": {"replicas": int(_read(obj, status_path) or 0), "selector": _selector_string(rt, obj)},
    }


def _write_replicas(state: APIState, rt: ResourceType, live: Obj, scale: Any, opts: WriteOptions) -> Obj:
    if not isinstance(scale, dict):
        raise errors.bad_request("a Scale must be an object")
    replicas = (scale.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.invalid("Scale", str(meta(live).get("name", "")), [errors.field_cause(
            "spec.replicas", f"Invalid value: {replicas!r}: must be greater than or equal to 0")],
            group="autoscaling")
    rv = (scale.get("metadata") or {}).get("resourceVersion")
    if rv and str(rv) != str(meta(live).get("resourceVersion")):
        raise errors.conflict(rt.plural, str(meta(live).get("name", "")), rt.group)
    new = deep_copy(live)
    _write(new, rt.scale_paths[0], replicas)
    sub_opts = WriteOptions(manager=opts.manager, dry_run=opts.dry_run, field_validation="Ignore",
                            subresource="scale", warnings=opts.warnings)
    return writes.commit_update(state, rt, live, new, sub_opts)


def patch_scale(state: APIState, rt: ResourceType, live: Obj, content_type: str, body: bytes,
                opts: WriteOptions) -> Obj:
    mt = codec.media_type(content_type)
    current = to_scale(rt, live)
    doc = codec.decode_any(body, mt)
    if mt == codec.JSON_PATCH:
        scale = patches.json_patch(current, doc)
    elif mt in (codec.MERGE_PATCH, codec.STRATEGIC_PATCH, codec.APPLY_PATCH):
        scale = patches.json_merge_patch(current, doc)
    else:
        raise errors.unsupported_media_type(f"unsupported patch type {mt} for the scale subresource")
    return to_scale(rt, _write_replicas(state, rt, live, scale, opts))


def put_scale(state: APIState, rt: ResourceType, live: Obj, scale: Obj, opts: WriteOptions) -> Obj:
    return to_scale(rt, _write_replicas(state, rt, live, scale, opts))
