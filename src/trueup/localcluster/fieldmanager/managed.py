"""metadata.managedFields: decoding, encoding, identities, stripping and the Update-entry cap.

An entry's identity is its manager identifier, built as kube-apiserver builds it (the JSON of
the entry without time and fields): Apply entries are (manager, subresource), their apiVersion
is the latest apply's; Update entries are (manager, apiVersion, subresource). Beyond 10 Update
entries the oldest merge into `ancient-changes` (one per apiVersion); Apply is never capped.
Encoded order: Apply first, then time, manager, apiVersion, subresource. Empty sets are dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ..jsoncopy import JsonMemo
from .fieldset import FieldSet

APPLY = "Apply"
UPDATE = "Update"
MAX_UPDATE_MANAGERS = 10
ANCIENT_CHANGES = "ancient-changes"
BEFORE_FIRST_APPLY = "before-first-apply"

# Paths never owned: apiVersion, kind, the metadata node, and server-set metadata fields.
STRIP = FieldSet(
    {"f:apiVersion", "f:kind", "f:metadata"},
    {"f:metadata": FieldSet({
        "f:name", "f:namespace", "f:creationTimestamp", "f:selfLink", "f:uid", "f:clusterName",
        "f:generation", "f:managedFields", "f:resourceVersion",
    })},
)


def strip_meta(fs: FieldSet) -> FieldSet:
    return fs.difference(STRIP)


@dataclass(slots=True)
class Entry:
    manager: str
    operation: str
    api_version: str
    fields: FieldSet
    time: str | None = None
    subresource: str = ""

    @property
    def applied(self) -> bool:
        return self.operation == APPLY

    @property
    def ident(self) -> str:
        return identifier(self.manager, self.operation, self.api_version, self.subresource)

    def describe(self) -> str:
        """The manager as conflict messages name it."""
        out = json.dumps(self.manager, ensure_ascii=False)
        if self.subresource:
            out += f" with subresource {json.dumps(self.subresource, ensure_ascii=False)}"
        if self.operation == UPDATE:
            out += f" using {self.api_version}"
        return out

    def with_fields(self, fields: FieldSet) -> Entry:
        return Entry(self.manager, self.operation, self.api_version, fields, self.time, self.subresource)


Managed = dict[str, Entry]  # identifier → entry


@lru_cache(maxsize=1024)
def identifier(manager: str, operation: str, api_version: str, subresource: str) -> str:
    """kube-apiserver's manager identifier: the entry's JSON without time, fields, Apply's apiVersion."""
    d: dict[str, str] = {}
    if manager:
        d["manager"] = manager
    if operation:
        d["operation"] = operation
    if api_version and operation != APPLY:
        d["apiVersion"] = api_version
    if subresource:
        d["subresource"] = subresource
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=256)
def normalize_time(value: str) -> str:
    """RFC3339 UTC with whole seconds; ValueError if unparsable."""
    dt = datetime.fromisoformat(value.replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=1024)
def _seconds(t: str | None) -> float:
    if not t:
        return 0.0
    try:
        return datetime.fromisoformat(t).timestamp()
    except ValueError:
        return 0.0


# fieldsV1 JSON -> its set (sets are never changed once built); entries of objects applied from
# one template repeat.
_PARSED: JsonMemo[FieldSet] = JsonMemo(max_entries=1024, max_key_bytes=4 * 1024 * 1024, max_text=16 * 1024)


def _parse_fields(data: Any) -> FieldSet:
    """FieldSet.from_fields_v1, memoised."""
    key = _PARSED.key(None, data)
    if key is None:
        return FieldSet.from_fields_v1(data)
    fs = _PARSED.get(key)
    if fs is None:
        fs = FieldSet.from_fields_v1(data)  # ValueError: not memoised
        _PARSED.put(key, fs)
    return fs


def decode(raw: Any) -> Managed:
    """Entries of a managedFields list; ValueError when any entry is invalid."""
    out: Managed = {}
    if raw is None:
        return out
    if not isinstance(raw, list):
        raise ValueError("managedFields must be a list")
    for i, e in enumerate(raw):
        if not isinstance(e, dict):
            raise ValueError(f"managed fields entry {i} must be an object")
        op = e.get("operation")
        if op not in (APPLY, UPDATE):
            raise ValueError("operation must be `Apply` or `Update`")
        api_version = e.get("apiVersion")
        if not isinstance(api_version, str) or not api_version:
            raise ValueError("apiVersion must not be empty")
        ftype = e.get("fieldsType")
        if ftype != "FieldsV1":
            raise ValueError(f"invalid fieldsType in managed fields entry {i}")
        t = e.get("time")
        entry = Entry(
            manager=str(e.get("manager") or ""),
            operation=op,
            api_version=api_version,
            fields=_parse_fields(e.get("fieldsV1")),
            time=normalize_time(t) if isinstance(t, str) and t else None,
            subresource=str(e.get("subresource") or ""),
        )
        out[entry.ident] = entry
    return out


def decode_lenient(raw: Any) -> Managed:
    try:
        return decode(raw)
    except ValueError:
        return {}


def _sort_key(e: Entry) -> tuple[int, float, str, str, str]:
    return (0 if e.applied else 1, _seconds(e.time), e.manager, e.api_version, e.subresource)


def encode(managed: Managed) -> list[dict[str, Any]]:
    """The managedFields list: non-empty entries, sorted."""
    out: list[dict[str, Any]] = []
    entries = [e for e in managed.values() if e.fields]
    if len(entries) > 1:
        entries.sort(key=_sort_key)
    for e in entries:
        d: dict[str, Any] = {"manager": e.manager, "operation": e.operation, "apiVersion": e.api_version}
        if e.time:
            d["time"] = e.time
        d["fieldsType"] = "FieldsV1"
        d["fieldsV1"] = e.fields.to_fields_v1()
        if e.subresource:
            d["subresource"] = e.subresource
        out.append(d)
    return out


def cap_updates(managed: Managed, limit: int = MAX_UPDATE_MANAGERS) -> Managed:
    """Merge the oldest Update entries into `ancient-changes` until at most `limit` remain."""
    updaters = [k for k, e in managed.items() if not e.applied]
    if len(updaters) <= limit:
        return managed
    updaters.sort(key=lambda k: (int(_seconds(managed[k].time)), k))
    out = dict(managed)
    first_of_version: dict[str, str] = {}
    length = len(updaters)
    for ident in updaters:
        if length <= limit:
            break
        e = out[ident]
        version = e.api_version
        bucket = identifier(ANCIENT_CHANGES, UPDATE, version, "")
        first = first_of_version.get(version)
        if first is None:
            first_of_version[version] = ident
            continue
        if ident == bucket:  # an existing bucket newer than another entry: keep it
            continue
        if bucket not in out:
            fe = out.pop(first)
            out[bucket] = Entry(ANCIENT_CHANGES, UPDATE, version, fe.fields, fe.time)
        b = out[bucket]
        out[bucket] = Entry(ANCIENT_CHANGES, UPDATE, version, e.fields.union(b.fields), e.time)
        del out[ident]
        length -= 1
    return out


__all__ = [
    "ANCIENT_CHANGES",
    "APPLY",
    "BEFORE_FIRST_APPLY",
    "MAX_UPDATE_MANAGERS",
    "STRIP",
    "UPDATE",
    "Entry",
    "Managed",
    "cap_updates",
    "decode",
    "decode_lenient",
    "encode",
    "identifier",
    "normalize_time",
    "strip_meta",
]
