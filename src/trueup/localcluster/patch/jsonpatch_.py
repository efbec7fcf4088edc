"""JSON patch (RFC 6902, `application/json-patch+json`), for every kind including CRDs.

Owns decoding the operation list, the 10000-operation limit (413) and applying the
operations with the `jsonpatch` library. kube-apiserver's answers are kept: an undecodable body
or one that is not a list of objects is a 400; any operation that fails (a failed `test`, a
missing path, an unknown `op`) is a 422 Invalid with the generic message and no causes.
Pure: no I/O; inputs are never mutated.
"""

from __future__ import annotations

import json
from typing import Any

import jsonpatch

from trueup.localcluster.errors import bad_request, too_large

from ._common import category, rejected

MAX_OPERATIONS = 10000

_GO_JSON_NAMES = {
    "null": "null",
    "bool": "bool",
    "number": "number",
    "string": "string",
    "map": "object",
    "list": "array",
}


def json_patch(original: dict[str, Any], operations: Any) -> dict[str, Any]:
    """Apply RFC 6902 `operations` (decoded list, or the raw JSON body) to `original`."""
    ops = _decode(operations)
    if len(ops) > MAX_OPERATIONS:
        raise too_large(
            "Request entity too large: The allowed maximum operations in a JSON patch is "
            f"{MAX_OPERATIONS}, got {len(ops)}"
        )
    try:
        result = jsonpatch.JsonPatch(ops).apply(original, in_place=False)
    except (
        jsonpatch.JsonPatchException,
        jsonpatch.JsonPointerException,
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        AttributeError,
    ) as exc:
        raise rejected() from exc
    if not isinstance(result, dict):
        raise rejected()
    return result


def _decode(operations: Any) -> list[dict[str, Any]]:
    if isinstance(operations, bytes | bytearray | str):
        try:
            operations = json.loads(operations)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"invalid JSON patch body: {exc}") from exc
    if operations is None:
        return []
    if not isinstance(operations, list):
        kind = _GO_JSON_NAMES[category(operations)]
        raise bad_request(f"json: cannot unmarshal {kind} into Go value of type jsonpatch.Patch")
    for op in operations:
        if not isinstance(op, dict):
            kind = _GO_JSON_NAMES[category(op)]
            raise bad_request(f"json: cannot unmarshal {kind} into Go value of type jsonpatch.Operation")
    return operations
