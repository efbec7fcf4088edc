"""JSON merge patch (RFC 7386, `application/merge-patch+json`), for every kind including CRDs.

Objects merge recursively, `null` deletes a key, anything else (arrays included) replaces.
A patch that is not a JSON object is refused with 400, as kube-apiserver does. Pure: no I/O;
inputs are never mutated.
"""

from __future__ import annotations

from typing import Any

from trueup.localcluster.errors import bad_request
from trueup.localcluster.jsoncopy import copy_json

BAD_MERGE_PATCH = "Invalid JSON Patch"


def json_merge_patch(original: dict[str, Any], patch: Any) -> dict[str, Any]:
    """Apply an RFC 7386 merge patch to `original` and return the new object."""
    if not isinstance(patch, dict):
        raise bad_request(BAD_MERGE_PATCH)
    return _merge(copy_json(original) if isinstance(original, dict) else {}, patch)


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            target[key] = _merge(current if isinstance(current, dict) else {}, value)
        else:
            target[key] = copy_json(value)
    return target
