"""Which lists are maps keyed by item fields (containers by name, ports by port+protocol, …).

Kubernetes merges these lists item by item (server-side apply `x-kubernetes-list-map-keys`), so
the diff matches their items by key rather than by position: a reordered or injected item is not
a change to every item after it. The table is keyed by the list's field name and holds the
list-map keys of the built-in kinds (k8s.io/api 1.37). A key is used only when every item on
both sides has it (or its schema default) and the keys are unique; otherwise the list is
compared by position, which is always correct, only less readable.
"""

from __future__ import annotations

from typing import Any

__all__ = ["KEY_DEFAULTS", "ItemKey", "item_key", "list_key_fields"]

ItemKey = tuple[tuple[str, Any], ...]

_NAME = (("name",),)
LIST_MAP_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "containers": _NAME, "initContainers": _NAME, "ephemeralContainers": _NAME, "env": _NAME,
    "volumes": _NAME, "imagePullSecrets": _NAME, "resourceClaims": _NAME, "schedulingGates": _NAME,
    "claims": _NAME, "webhooks": _NAME, "secrets": _NAME,
    "ports": (("containerPort", "protocol"), ("port", "protocol")),
    "volumeMounts": (("mountPath",),),
    "volumeDevices": (("devicePath",),),
    "hostAliases": (("ip",),),
    "podIPs": (("ip",),),
    "topologySpreadConstraints": (("topologyKey", "whenUnsatisfiable"),),
    "conditions": (("type",),),
    "ownerReferences": (("uid",),),
}

# Schema defaults of key fields: an item without `protocol` matches the live item with TCP.
KEY_DEFAULTS: dict[str, Any] = {"protocol": "TCP"}

_MISSING = object()


def item_key(item: dict[str, Any], fields: tuple[str, ...]) -> ItemKey:
    return tuple((name, item.get(name, KEY_DEFAULTS.get(name))) for name in fields)


def _usable(fields: tuple[str, ...], items: list[Any]) -> bool:
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            return False
        values = []
        for name in fields:
            value = item.get(name, KEY_DEFAULTS.get(name, _MISSING))
            if value is _MISSING or isinstance(value, dict | list):
                return False
            values.append(repr(value))
        marker = "\x00".join(values)
        if marker in seen:
            return False
        seen.add(marker)
    return True


def list_key_fields(field_name: str, *sides: list[Any]) -> tuple[str, ...] | None:
    """The key fields to match items of list `field_name` on every side, or None (compare by position)."""
    for fields in LIST_MAP_KEYS.get(field_name, ()):
        if all(_usable(fields, side) for side in sides):
            return fields
    return None
