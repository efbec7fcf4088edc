"""Building blocks of Table printers: column definitions, printers, and cell formatting helpers.

Formatting mirrors kube-apiserver's printers (pkg/printers/internalversion): ages are
`duration.HumanDuration`, missing values print as `<none>`, label maps as `k=v,k2=v2`.
Every helper tolerates missing or malformed fields, so no stored object can break a listing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .labels import selector_from_label_selector_object

NONE = "<none>"
UNKNOWN = "<unknown>"

NAME_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name automatically. "
    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
    "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
AGE_DESCRIPTION = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. "
    "It is not guaranteed to be set in happens-before order across separate operations. Clients may "
    "not set this value. It is represented in RFC3339 form and is in UTC."
)


@dataclass(frozen=True)
class Column:
    """One `columnDefinitions` entry of a meta.k8s.io/v1 Table."""

    name: str
    type: str = "string"
    format: str = ""
    description: str = ""
    priority: int = 0

    def definition(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        }


NAME = Column("Name", "string", "name", NAME_DESCRIPTION)
AGE = Column("Age", "string", "", AGE_DESCRIPTION)

RowFunc = Callable[[Mapping[str, Any], datetime], list[Any]]


@dataclass(frozen=True)
class Printer:
    """Columns and a function producing one row's cells (same length as columns)."""

    columns: tuple[Column, ...]
    row: RowFunc
    conditions: Callable[[Mapping[str, Any]], list[dict[str, Any]]] | None = None


# --- navigation ---------------------------------------------------------------------------

def dig(obj: Any, *path: str | int) -> Any:
    """obj[p0][p1]... or None when any step is missing or of the wrong type."""
    cur = obj
    for p in path:
        if isinstance(p, int):
            if not isinstance(cur, list) or not -len(cur) <= p < len(cur):
                return None
            cur = cur[p]
        else:
            if not isinstance(cur, Mapping):
                return None
            cur = cur.get(p)
    return cur


def as_int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def or_none(text: str) -> str:
    return text if text else NONE


def name_of(obj: Mapping[str, Any]) -> str:
    return as_str(dig(obj, "metadata", "name"))


# --- time ---------------------------------------------------------------------------------

def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (metav1.Time or MicroTime) as an aware datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def human_duration(seconds: float) -> str:
    """kube's duration.HumanDuration: 5s, 3m2s, 4h, 2d3h, 3y12d."""
    secs = int(seconds)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 120:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        s = secs % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if dy == 0 else f"{years}y{dy}d"
    return f"{hours // 24 // 365}y"


def since(value: Any, now: datetime) -> str:
    """translateTimestampSince: the age of a timestamp, `<unknown>` when absent."""
    ts = parse_time(value)
    if ts is None:
        return UNKNOWN
    return human_duration((now - ts).total_seconds())


def age(obj: Mapping[str, Any], now: datetime) -> str:
    return since(dig(obj, "metadata", "creationTimestamp"), now)


# --- common cell formats ------------------------------------------------------------------

def format_labels(labels: Any) -> str:
    """labels.FormatLabels: sorted `k=v` joined by commas, `<none>` when empty."""
    m = as_map(labels)
    return ",".join(f"{k}={as_str(m[k])}" for k in sorted(m)) or NONE


def format_selector(selector: Any) -> str:
    """A metav1.LabelSelector as metav1.LabelSelectorAsSelector(...).String()."""
    if not isinstance(selector, Mapping):
        return NONE
    try:
        text = str(selector_from_label_selector_object(selector))
    except Exception:
        return NONE
    return text or NONE


def containers_and_images(containers: Any) -> tuple[str, str]:
    """layoutContainerCells: container names and images, comma-joined."""
    names = [as_str(dig(c, "name")) for c in as_list(containers)]
    images = [as_str(dig(c, "image")) for c in as_list(containers)]
    return ",".join(names), ",".join(images)


def pod_template_containers(obj: Mapping[str, Any], *prefix: str) -> Any:
    return dig(obj, *prefix, "template", "spec", "containers")


def condition(obj: Mapping[str, Any], cond_type: str) -> Mapping[str, Any] | None:
    for c in as_list(dig(obj, "status", "conditions")):
        if isinstance(c, Mapping) and c.get("type") == cond_type:
            return c
    return None


def condition_true(obj: Mapping[str, Any], cond_type: str) -> bool:
    c = condition(obj, cond_type)
    return c is not None and c.get("status") == "True"


ACCESS_MODE_SHORT = {
    "ReadWriteOnce": "RWO",
    "ReadOnlyMany": "ROX",
    "ReadWriteMany": "RWX",
    "ReadWriteOncePod": "RWOP",
}


def access_modes(modes: Any) -> str:
    """GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order, each once."""
    have = {as_str(m) for m in as_list(modes)}
    return ",".join(short for long_, short in ACCESS_MODE_SHORT.items() if long_ in have)
