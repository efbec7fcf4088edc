"""Kubernetes protobuf request bodies, for the kinds kubectl only sends that way.

`kubectl create namespace|configmap|secret|deployment` send `application/vnd.kubernetes.protobuf`
bodies with no JSON fallback. This module decodes exactly those kinds: the `k8s\\0` envelope, a
`runtime.Unknown` (typeMeta, raw), and the object's fields by their field numbers in
Kubernetes' generated.proto, written here as data (`SCHEMA`). Anything it does not know — another
kind, or a non-empty field not in the table — is refused with 415 and a message that says to
send JSON or YAML; it never guesses. Zero values follow Go: optional pointer fields (`ptr`) keep
an explicit zero (`replicas: 0`), other scalars are omitted when zero.
"""

from __future__ import annotations

import base64
from typing import Any

from .. import errors

MAGIC = b"k8s\x00"

# message name -> {field number: (json name, type, pointer?)}
# types: string, bytes, int, bool, map (string->string), bmap (string->bytes), strings (repeated),
# a message name, or "[]Message" (repeated message).
SCHEMA: dict[str, dict[int, tuple[str, str, bool]]] = {
    "ObjectMeta": {1: ("name", "string", False), 2: ("generateName", "string", False),
                   3: ("namespace", "string", False), 11: ("labels", "map", False),
                   12: ("annotations", "map", False), 14: ("finalizers", "strings", False)},
    "Namespace": {1: ("metadata", "ObjectMeta", False), 2: ("spec", "NamespaceSpec", False),
                  3: ("status", "Empty", False)},
    "NamespaceSpec": {1: ("finalizers", "strings", False)},
    "ConfigMap": {1: ("metadata", "ObjectMeta", False), 2: ("data", "map", False),
                  3: ("binaryData", "bmap", False), 4: ("immutable", "bool", True)},
    "Secret": {1: ("metadata", "ObjectMeta", False), 2: ("data", "bmap", False), 3: ("type", "string", False),
               4: ("stringData", "map", False), 5: ("immutable", "bool", True)},
    "Deployment": {1: ("metadata", "ObjectMeta", False), 2: ("spec", "DeploymentSpec", False),
                   3: ("status", "Empty", False)},
    "DeploymentSpec": {1: ("replicas", "int", True), 2: ("selector", "LabelSelector", False),
                       3: ("template", "PodTemplateSpec", False), 4: ("strategy", "DeploymentStrategy", False),
                       5: ("minReadySeconds", "int", False), 7: ("paused", "bool", False)},
    "DeploymentStrategy": {1: ("type", "string", False)},
    "LabelSelector": {1: ("matchLabels", "map", False)},
    "PodTemplateSpec": {1: ("metadata", "ObjectMeta", False), 2: ("spec", "PodSpec", False)},
    "PodSpec": {2: ("containers", "[]Container", False), 3: ("restartPolicy", "string", False),
                6: ("dnsPolicy", "string", False), 8: ("serviceAccountName", "string", False),
                9: ("serviceAccount", "string", False), 10: ("nodeName", "string", False),
                11: ("hostNetwork", "bool", False), 12: ("hostPID", "bool", False), 13: ("hostIPC", "bool", False),
                16: ("hostname", "string", False), 17: ("subdomain", "string", False),
                19: ("schedulerName", "string", False), 24: ("priorityClassName", "string", False)},
    "Container": {1: ("name", "string", False), 2: ("image", "string", False), 3: ("command", "strings", False),
                  4: ("args", "strings", False), 5: ("workingDir", "string", False),
                  6: ("ports", "[]ContainerPort", False), 8: ("resources", "Struct", False),
                  13: ("terminationMessagePath", "string", False), 14: ("imagePullPolicy", "string", False),
                  16: ("stdin", "bool", False), 17: ("stdinOnce", "bool", False), 18: ("tty", "bool", False),
                  20: ("terminationMessagePolicy", "string", False)},
    "ContainerPort": {1: ("name", "string", False), 2: ("hostPort", "int", False),
                      3: ("containerPort", "int", False), 4: ("protocol", "string", False),
                      5: ("hostIP", "string", False)},
    "Empty": {},   # status on create: dropped by the server anyway; any content is ignored
    "Struct": {},  # an empty struct kubectl always sends (resources: {}); content refused
}
ROOTS = {("v1", "Namespace"): "Namespace", ("v1", "ConfigMap"): "ConfigMap", ("v1", "Secret"): "Secret",
         ("apps/v1", "Deployment"): "Deployment"}
_LENIENT = frozenset({"Empty"})


def _refuse(why: str) -> errors.APIError:
    return errors.unsupported_media_type(
        f"the protobuf request body could not be decoded ({why}); the trueup embedded API server decodes "
        "protobuf only for Namespace, ConfigMap, Secret and Deployment: send JSON or YAML instead, e.g. "
        "`kubectl create ... --dry-run=client -o yaml | kubectl apply -f -`")


def _varint(b: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(b) or shift > 63:
            raise _refuse("truncated varint")
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return result, i


def _fields(b: bytes) -> list[tuple[int, int, Any]]:
    out: list[tuple[int, int, Any]] = []
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(b, i)
            out.append((number, wire, value))
        elif wire == 2:
            n, i = _varint(b, i)
            if i + n > len(b):
                raise _refuse("truncated field")
            out.append((number, wire, b[i:i + n]))
            i += n
        else:
            raise _refuse(f"unsupported wire type {wire}")
    return out


def _entry(raw: bytes) -> tuple[str, bytes]:
    key, value = "", b""
    for number, _, v in _fields(raw):
        if number == 1:
            key = bytes(v).decode()
        elif number == 2:
            value = bytes(v)
    return key, value


def _empty(wire: int, value: Any) -> bool:
    return value == 0 if wire == 0 else len(value) == 0


def decode_message(raw: bytes, name: str) -> dict[str, Any]:
    schema = SCHEMA[name]
    out: dict[str, Any] = {}
    for number, wire, value in _fields(raw):
        spec = schema.get(number)
        if spec is None:
            if name in _LENIENT or _empty(wire, value):
                continue
            raise _refuse(f"field {number} of {name} is not known")
        json_name, kind, pointer = spec
        if kind == "string":
            if value:
                out[json_name] = bytes(value).decode()
        elif kind == "int":
            if value or pointer:
                out[json_name] = value if value < 2**63 else value - 2**64
        elif kind == "bool":
            if value or pointer:
                out[json_name] = bool(value)
        elif kind in ("map", "bmap"):
            k, v = _entry(value)
            out.setdefault(json_name, {})[k] = v.decode() if kind == "map" else base64.b64encode(v).decode()
        elif kind == "strings":
            out.setdefault(json_name, []).append(bytes(value).decode())
        elif kind.startswith("[]"):
            out.setdefault(json_name, []).append(decode_message(value, kind[2:]))
        elif kind == "Struct":
            if value:
                raise _refuse(f"field {json_name} of {name} has content this decoder does not know")
            out[json_name] = {}
        else:
            sub = decode_message(value, kind)
            if sub or kind not in _LENIENT:
                out[json_name] = sub
    return out


def decode(body: bytes) -> dict[str, Any]:
    """A protobuf request body → the object as JSON, or 415."""
    if not body.startswith(MAGIC):
        raise _refuse("missing the k8s protobuf envelope")
    type_meta: dict[str, str] = {}
    raw = b""
    for number, _, value in _fields(body[len(MAGIC):]):
        if number == 1:
            for n, _, v in _fields(value):
                type_meta["apiVersion" if n == 1 else "kind" if n == 2 else "?"] = bytes(v).decode()
        elif number == 2:
            raw = bytes(value)
        elif number == 3 and value:
            raise _refuse("content encodings are not supported")
    key = (type_meta.get("apiVersion", ""), type_meta.get("kind", ""))
    root = ROOTS.get(key)
    if root is None:
        raise _refuse(f"kind {key[1] or '?'} in {key[0] or '?'}")
    obj = decode_message(raw, root)
    obj.pop("status", None)
    return {"apiVersion": key[0], "kind": key[1], **obj}
