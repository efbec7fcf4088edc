"""Field selectors: the `fieldSelector` query parameter.

Syntax follows k8s.io/apimachinery/pkg/fields: terms joined by "," (AND), each `field=value`,
`field==value` or `field!=value`; `\\`, `\\,` and `\\=` escape characters in values.

Which fields a kind supports follows kube-apiserver's field label conversions: `metadata.name`
and `metadata.namespace` everywhere, plus the kind-specific ones in `FIELD_GETTERS` (keyed by
(group, kind)). Custom resources support only the two metadata fields. Values are compared as
the strings kube-apiserver derives (booleans "true"/"false", integers in decimal, absent "").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import errors

Getter = Callable[[Mapping[str, Any]], str]

EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="


def _render(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return ""


def lookup_path(obj: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (`spec.nodeName`), or None."""
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def _path(path: str, default: str = "") -> Getter:
    def get(obj: Mapping[str, Any]) -> str:
        value = lookup_path(obj, path)
        return default if value is None else _render(value)

    return get


def _pod_ip(obj: Mapping[str, Any]) -> str:
    ips = lookup_path(obj, "status.podIPs")
    if isinstance(ips, list) and ips and isinstance(ips[0], Mapping):
        return _render(ips[0].get("ip"))
    return _render(lookup_path(obj, "status.podIP"))


def _event_source(obj: Mapping[str, Any]) -> str:
    return _render(lookup_path(obj, "source.component")) or _render(obj.get("reportingComponent"))


_INVOLVED = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")

FIELD_GETTERS: dict[tuple[str, str], dict[str, Getter]] = {
    ("", "Pod"): {
        "spec.nodeName": _path("spec.nodeName"),
        "spec.restartPolicy": _path("spec.restartPolicy"),
        "spec.schedulerName": _path("spec.schedulerName"),
        "spec.serviceAccountName": _path("spec.serviceAccountName"),
        "spec.hostNetwork": _path("spec.hostNetwork", "false"),
        "status.phase": _path("status.phase"),
        "status.podIP": _pod_ip,
        "status.nominatedNodeName": _path("status.nominatedNodeName"),
    },
    ("", "Event"): {
        **{f"involvedObject.{f}": _path(f"involvedObject.{f}") for f in _INVOLVED},
        "reason": _path("reason"),
        "reportingComponent": _path("reportingComponent"),
        "source": _event_source,
        "type": _path("type"),
    },
    ("events.k8s.io", "Event"): {
        **{f"regarding.{f}": _path(f"regarding.{f}") for f in _INVOLVED},
        "reason": _path("reason"),
        "reportingController": _path("reportingController"),
        "type": _path("type"),
    },
    ("", "Secret"): {"type": _path("type")},
    ("", "Namespace"): {"status.phase": _path("status.phase")},
    ("", "Node"): {"spec.unschedulable": _path("spec.unschedulable", "false")},
    ("", "Service"): {"spec.clusterIP": _path("spec.clusterIP"), "spec.type": _path("spec.type")},
    ("", "ReplicationController"): {"status.replicas": _path("status.replicas", "0")},
    ("apps", "ReplicaSet"): {"status.replicas": _path("status.replicas", "0")},
    ("batch", "Job"): {"status.successful": _path("status.succeeded", "0")},
}

_METADATA_GETTERS: dict[str, Getter] = {
    "metadata.name": _path("metadata.name"),
    "metadata.namespace": _path("metadata.namespace"),
}


def getters_for(group: str, kind: str) -> dict[str, Getter]:
    """Every field a field selector may name for this kind, with how to read it."""
    return {**_METADATA_GETTERS, **FIELD_GETTERS.get((group, kind), {})}


def supported_fields(group: str, kind: str) -> frozenset[str]:
    return frozenset(getters_for(group, kind))


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    operator: str
    value: str

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")
        return f"{self.field}{self.operator}{escaped}"


@dataclass(frozen=True)
class FieldSelector:
    """A conjunction of field requirements; the empty selector matches everything."""

    requirements: tuple[FieldRequirement, ...] = ()
    getters: Mapping[str, Getter] | None = field(default=None, compare=False, hash=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> FieldSelector:
        """Parse without kind checks: fields are read as dotted paths of the object."""
        return cls(_parse_terms(text))

    @property
    def empty(self) -> bool:
        return not self.requirements

    def value(self, obj: Mapping[str, Any], field_name: str) -> str:
        getter = (self.getters or {}).get(field_name)
        if getter is not None:
            return getter(obj)
        return _render(lookup_path(obj, field_name))

    def matches(self, obj: Mapping[str, Any]) -> bool:
        for req in self.requirements:
            have = self.value(obj, req.field)
            if (req.operator == NOT_EQUALS) == (have == req.value):
                return False
        return True

    def requires(self, field_name: str) -> str | None:
        """The value an equality term demands for `field_name` (e.g. metadata.name), if any."""
        for req in self.requirements:
            if req.field == field_name and req.operator != NOT_EQUALS:
                return req.value
        return None

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


def _split_terms(text: str) -> list[str]:
    terms: list[str] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ",":
            terms.append(text[start:i])
            start = i + 1
        i += 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    i = 0
    while i < len(term):
        if term[i] == "\\":
            i += 2
            continue
        for op in (NOT_EQUALS, DOUBLE_EQUALS, EQUALS):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
        i += 1
    return None


def _unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            if i + 1 >= len(value):
                raise errors.bad_request(f"invalid field selector: invalid trailing escape sequence: {value}")
            nxt = value[i + 1]
            if nxt not in "\\,=":
                raise errors.bad_request(f"invalid field selector: invalid escape sequence: \\{nxt}")
            out.append(nxt)
            i += 2
            continue
        if ch in ",=":
            raise errors.bad_request(f"invalid field selector: unescaped {ch!r} in value: {value}")
        out.append(ch)
        i += 1
    return "".join(out)


def _parse_terms(text: str) -> tuple[FieldRequirement, ...]:
    reqs: list[FieldRequirement] = []
    for part in sorted(_split_terms(text)):
        if part == "":
            continue
        split = _split_term(part)
        if split is None:
            raise errors.bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        lhs, op, rhs = split
        reqs.append(FieldRequirement(lhs, op, _unescape(rhs)))
    return tuple(reqs)


def parse_field_selector(text: str, api_version: str, kind: str) -> FieldSelector:
    """Parse `fieldSelector` for one kind; unsupported fields are 400 BadRequest like kube-apiserver."""
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    getters = getters_for(group, kind)
    reqs = _parse_terms(text)
    for req in reqs:
        if req.field not in getters:
            raise errors.bad_request(f"field label not supported: {req.field}")
    return FieldSelector(reqs, getters)
