"""Request bodies in, response bodies out: content types, size caps, Accept negotiation.

Bodies: JSON for every verb, YAML for apply patches (and accepted for create/update too).
Protobuf bodies (`kubectl create namespace|configmap|secret|deployment` send nothing else) are
decoded for those kinds by `protobuf.py`; other protobuf bodies are refused with 415 and a
message that says how to send JSON instead. Responses are JSON; a client
that accepts only protobuf gets 406.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import yaml

from .. import errors

# kube-apiserver caps request bodies at 3 MiB (etcd's limit is 1.5 MiB per object).
MAX_BODY_BYTES = 3 * 1024 * 1024

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"
MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
APPLY_PATCH_CBOR = "application/apply-patch+cbor"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH)

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def refuse_protobuf() -> errors.APIError:
    return errors.unsupported_media_type(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml (protobuf request bodies are not supported by the "
        "trueup embedded API server; for `kubectl create namespace|deployment|configmap` use "
        "`kubectl create ... --dry-run=client -o yaml | kubectl apply -f -`)"
    )


def decode_object(body: bytes, content_type: str | None) -> dict[str, Any]:
    """Decode a create/update body; the result must be a JSON object."""
    mt = media_type(content_type)
    if mt == PROTOBUF:
        from .protobuf import decode as decode_protobuf

        if len(body) > MAX_BODY_BYTES:
            raise errors.too_large(f"the request body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
        return decode_protobuf(body)
    value = decode_any(body, mt)
    if not isinstance(value, dict):
        raise errors.bad_request("the request body must be a JSON or YAML object")
    return value


def decode_any(body: bytes, mt: str) -> Any:
    if len(body) > MAX_BODY_BYTES:
        raise errors.too_large(f"the request body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    if not body.strip():
        raise errors.bad_request("the request body is empty")
    if mt in (YAML, APPLY_PATCH, "text/yaml", "application/x-yaml"):
        if body.lstrip()[:1] == b"{":
            # Clients (kubectl, trueup, lightkube) send apply bodies as JSON: parse it as JSON,
            # which is also YAML, at a fraction of the cost.
            try:
                return orjson.loads(body)
            except orjson.JSONDecodeError:
                pass
        try:
            return yaml.load(body, Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error decoding YAML: {_first_line(str(exc))}") from None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise errors.bad_request(f"error decoding JSON: {exc}") from None


def _first_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Accept:
    """What shape the client wants: a Table, PartialObjectMetadata, or the plain object."""

    as_kind: str = ""  # "", "Table", "PartialObjectMetadata", "PartialObjectMetadataList"
    include_object: str = "Metadata"


@lru_cache(maxsize=256)
def negotiate(accept_header: str | None, include_object: str | None) -> Accept:
    """Pick the first acceptable representation in the Accept header, in order (memoised:
    clients send the same few headers; a refusal raises every time)."""
    header = accept_header or "*/*"
    json_ok = False
    for clause in header.split(","):
        parts = [p.strip() for p in clause.split(";")]
        mt = parts[0].lower()
        params = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
        if mt not in (JSON, "*/*", "application/*", YAML):
            continue
        as_kind = params.get("as", "")
        if as_kind in ("Table", "PartialObjectMetadata", "PartialObjectMetadataList"):
            return Accept(as_kind, include_object or "Metadata")
        if as_kind == "":
            json_ok = True
            break
    if not json_ok and PROTOBUF in header and JSON not in header and "*/*" not in header:
        raise errors.not_acceptable("only application/json responses are supported")
    return Accept("", include_object or "Metadata")


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)
