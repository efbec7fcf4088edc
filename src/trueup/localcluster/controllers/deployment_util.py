"""Pure Deployment helpers (no I/O): the pod-template-hash, maxSurge/maxUnavailable
resolution, the revision and replica annotations a Deployment puts on its ReplicaSets, and the
orderings kube-controller-manager sorts ReplicaSets by.

- pod-template-hash: FNV-1a (32 bit) of the canonical JSON of the pod template (plus the
  collision count), printed in decimal and mapped onto the "safe" alphabet
  `bcdfghjklmnpqrstvwxz2456789` as Kubernetes does, so hashes look like `7d4b9c5f8d`. Stable
  for a template, different when it changes.
- maxSurge rounds up, maxUnavailable rounds down; both zero means maxUnavailable 1.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from .replicaset_pods import meta, parse_time, replicas_of
from .revisions import fnv32a, safe_encode

Obj = dict[str, Any]

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
ROLLBACK_TO = "deprecated.deployment.rollback.to"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# Annotations a Deployment never copies onto its ReplicaSets.
SKIP_COPY = frozenset({LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO})
REVISION_HISTORY_LIMIT_CHARS = 2000
MAX_INT32 = 2**31 - 1


# ----- hashing
# Pod-template hashing is shared with the other workload controllers (revisions.py).


def template_hash(template: Mapping[str, Any], collision_count: int | None = None) -> str:
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        data += f"#{collision_count}".encode()
    return safe_encode(str(fnv32a(data)))


def without_hash(template: Mapping[str, Any] | None) -> Obj:
    t = json.loads(json.dumps(template or {}))
    labels = (t.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
        if not labels:
            t["metadata"].pop("labels")
    if "metadata" in t and not t["metadata"]:
        t.pop("metadata")
    return dict(t)


def equal_ignore_hash(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    return without_hash(a) == without_hash(b)


def template_with_hash(template: Mapping[str, Any], hash_value: str) -> Obj:
    t = json.loads(json.dumps(template or {}))
    t.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = hash_value
    return dict(t)


def selector_with_hash(selector: Mapping[str, Any] | None, hash_value: str) -> Obj:
    s = json.loads(json.dumps(selector or {}))
    s.setdefault("matchLabels", {})[HASH_LABEL] = hash_value
    return dict(s)


# ----- surge and unavailability
def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """An int-or-percent against `total` (GetScaledValueFromIntOrPercent)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.endswith("%"):
        pct = int(text[:-1])
        exact = pct * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(text)


def is_rolling(d: Mapping[str, Any]) -> bool:
    return bool(((d.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate")


def fenceposts(d: Mapping[str, Any]) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) resolved against spec.replicas."""
    ru = ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    desired = replicas_of(d)
    surge = scaled_value(ru.get("maxSurge", "25%"), desired, True)
    unavailable = scaled_value(ru.get("maxUnavailable", "25%"), desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d: Mapping[str, Any]) -> int:
    return fenceposts(d)[0] if is_rolling(d) else 0


def max_unavailable(d: Mapping[str, Any]) -> int:
    desired = replicas_of(d)
    if not is_rolling(d) or desired == 0:
        return 0
    return min(fenceposts(d)[1], desired)


# ----- annotations
def annotations_of(obj: Mapping[str, Any]) -> Obj:
    return dict(meta(obj).get("annotations") or {})


def revision_of(obj: Mapping[str, Any]) -> int:
    try:
        return int(annotations_of(obj).get(REVISION, "0"))
    except ValueError:
        return 0


def max_revision(rss: Iterable[Mapping[str, Any]]) -> int:
    return max((revision_of(rs) for rs in rss), default=0)


def int_annotation(obj: Mapping[str, Any], key: str) -> int | None:
    try:
        return int(annotations_of(obj)[key])
    except (KeyError, ValueError):
        return None


def set_replicas_annotations(rs: Obj, desired: int, max_replicas: int) -> bool:
    ann = rs.setdefault("metadata", {}).setdefault("annotations", {})
    changed = False
    for key, value in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(max_replicas))):
        if ann.get(key) != value:
            ann[key] = value
            changed = True
    return changed


def replicas_annotations_need_update(rs: Mapping[str, Any], desired: int, max_replicas: int) -> bool:
    ann = annotations_of(rs)
    return ann.get(DESIRED_REPLICAS) != str(desired) or ann.get(MAX_REPLICAS) != str(max_replicas)


def set_new_rs_annotations(d: Mapping[str, Any], rs: Obj, new_revision: int, exists: bool) -> bool:
    """Copy the Deployment's annotations, raise the revision (keeping the revision history on a
    rollback), and for a new ReplicaSet set desired/max replicas. True when anything changed."""
    ann = rs.setdefault("metadata", {}).setdefault("annotations", {})
    changed = False
    for k, v in annotations_of(d).items():
        if k in SKIP_COPY or ann.get(k) == v:
            continue
        ann[k] = v
        changed = True
    old_text = ann.get(REVISION)
    try:
        old_rev = int(old_text) if old_text is not None else 0
    except ValueError:
        old_rev = 0
    if old_rev < new_revision:
        ann[REVISION] = str(new_revision)
        changed = True
        if old_text:
            history = ann.get(REVISION_HISTORY, "")
            parts = history.split(",") if history else []
            total = len(history) + len(old_text) + 1
            start = 0
            while total > REVISION_HISTORY_LIMIT_CHARS and start < len(parts):
                total -= len(parts[start]) + 1
                start += 1
            if total <= REVISION_HISTORY_LIMIT_CHARS:
                ann[REVISION_HISTORY] = ",".join([*parts[start:], old_text])
    if not exists:
        desired = replicas_of(d)
        set_replicas_annotations(rs, desired, desired + max_surge(d))
        changed = True
    return changed


# ----- orderings
def _created(obj: Mapping[str, Any]) -> float:
    t = parse_time(meta(obj).get("creationTimestamp"))
    return t if t is not None else 0.0


def by_creation(rss: Iterable[Obj]) -> list[Obj]:
    return sorted(rss, key=lambda r: (_created(r), str(meta(r).get("name", ""))))


def by_revision(rss: Iterable[Obj]) -> list[Obj]:
    return sorted(rss, key=lambda r: (revision_of(r), _created(r), str(meta(r).get("name", ""))))


def by_size_newer(rss: Iterable[Obj]) -> list[Obj]:
    """Largest first; equal sizes: newer first."""
    return sorted(rss, key=lambda r: (-replicas_of(r, 0), -_created(r), _neg_name(r)))


def by_size_older(rss: Iterable[Obj]) -> list[Obj]:
    """Largest first; equal sizes: older first."""
    return sorted(rss, key=lambda r: (-replicas_of(r, 0), _created(r), str(meta(r).get("name", ""))))


def _neg_name(r: Mapping[str, Any]) -> tuple[int, ...]:
    return tuple(-ord(c) for c in str(meta(r).get("name", "")))


def active(rss: Iterable[Obj | None]) -> list[Obj]:
    return [r for r in rss if r is not None and replicas_of(r, 0) > 0]


def has_progress_deadline(d: Mapping[str, Any]) -> bool:
    pds = (d.get("spec") or {}).get("progressDeadlineSeconds")
    return isinstance(pds, int) and pds != MAX_INT32
