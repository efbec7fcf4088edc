"""The client-side-apply annotation, for appliers whose manager is exactly `kubectl`.

- On conflict, the server forgives conflicts on fields of
  `kubectl.kubernetes.io/last-applied-configuration` whose value equals live (the annotation's
  apiVersion must be the request's), and forces the apply when nothing else conflicts.
- On success, an existing annotation is rewritten to the applied body (without the annotation),
  encoded as Go encodes unstructured objects (sorted keys, HTML-escaped, trailing newline); it is
  dropped when annotations would exceed 256 KiB.
"""

from __future__ import annotations

import json
from typing import Any

from ..schema import SchemaNode
from .compare import compare
from .fieldset import FieldSet
from .walk import fields_of

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
KUBECTL = "kubectl"
_ANNOTATIONS_MAX = 256 * 1024


def _annotations(obj: dict[str, Any]) -> dict[str, Any]:
    md = obj.get("metadata")
    ann = md.get("annotations") if isinstance(md, dict) else None
    return ann if isinstance(ann, dict) else {}


def allowed_conflicts(live: dict[str, Any], schema: SchemaNode, api_version: str) -> FieldSet | None:
    """Fields of the last-applied annotation whose value equals live; None without a usable one."""
    raw = _annotations(live).get(LAST_APPLIED)
    if not isinstance(raw, str):
        return None
    try:
        last = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(last, dict) or last.get("apiVersion") != api_version:
        return None
    cmp = compare(last, live, schema)
    return fields_of(last, schema).difference(cmp.modified.union(cmp.removed))


def go_json(value: Any) -> str:
    """encoding/json output of unstructured data: sorted keys, compact, HTML-escaped, newline."""
    s = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(ch, esc)
    return s + "\n"


def rewrite_annotation(merged: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """`merged` with an existing last-applied annotation set to `config` (shallow copies)."""
    ann = _annotations(merged)
    if LAST_APPLIED not in ann:
        return merged
    body = dict(config)
    cmeta = body.get("metadata")
    if isinstance(cmeta, dict):
        cmeta = dict(cmeta)
        cann = cmeta.get("annotations")
        if isinstance(cann, dict):
            cmeta["annotations"] = {k: v for k, v in cann.items() if k != LAST_APPLIED}
        body["metadata"] = cmeta
    new_ann = dict(ann)
    new_ann[LAST_APPLIED] = go_json(body)
    if sum(len(str(k)) + len(str(v)) for k, v in new_ann.items()) > _ANNOTATIONS_MAX:
        del new_ann[LAST_APPLIED]
    return {**merged, "metadata": {**merged["metadata"], "annotations": new_ann}}


__all__ = ["KUBECTL", "LAST_APPLIED", "allowed_conflicts", "go_json", "rewrite_annotation"]
