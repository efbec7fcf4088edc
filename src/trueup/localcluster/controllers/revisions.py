"""Shared, pure plumbing of the workload controllers (StatefulSet, DaemonSet, Job, CronJob).

- ControllerRevisions: the revision data of a pod template (`{"spec": {"template": {...,
  "$patch": "replace"}}}`, as the StatefulSet and DaemonSet controllers store it), its hash (FNV-1a
  32 of the canonical JSON plus the collision count, written with the same consonant/digit
  alphabet Kubernetes uses, so hashes look like `7c9f5b8d4`), equality, revision numbers and
  which old revisions history limits prune.
- Pod predicates: running, ready, available (minReadySeconds), terminal, deleting.
- Timestamps: RFC 3339 in and out.
- Expectations: creations/deletions a controller made and its informer has not yet seen, so a
  reconcile working from a stale cache does not create pods twice (client-go's
  ControllerExpectations, simplified to names with a timeout).
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

import orjson

Obj = dict[str, Any]

HASH_LABEL = "controller-revision-hash"
REVISION_HASH_LABEL = "controller.kubernetes.io/hash"
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


# ----- hashing and ControllerRevisions

def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode(s: str) -> str:
    return "".join(_ALPHANUMS[ord(c) % len(_ALPHANUMS)] for c in s)


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def hash_revision_data(data: Obj, collision_count: int | None = None) -> str:
    payload = canonical(data)
    if collision_count:
        payload += str(collision_count).encode()
    return safe_encode(str(fnv32a(payload)))


def template_revision_data(template: Obj) -> Obj:
    """What a StatefulSet/DaemonSet ControllerRevision stores: a patch replacing the template."""
    tpl = copy.deepcopy(template)
    tpl["$patch"] = "replace"
    return {"spec": {"template": tpl}}


def template_of_revision(revision: Obj) -> Obj:
    tpl = copy.deepcopy(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    tpl.pop("$patch", None)
    return tpl


def revision_equal(revision: Obj, data: Obj) -> bool:
    return canonical(revision.get("data") or {}) == canonical(data)


def revision_number(revision: Obj) -> int:
    return int(revision.get("revision") or 0)


def next_revision_number(revisions: Iterable[Obj]) -> int:
    return max((revision_number(r) for r in revisions), default=0) + 1


def new_revision(owner: Obj, template: Obj, data: Obj, hash_: str, number: int,
                 owner_ref: Obj) -> Obj:
    m = owner.get("metadata") or {}
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    labels[REVISION_HASH_LABEL] = hash_
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {
            "name": f"{m.get('name', '')}-{hash_}",
            "namespace": m.get("namespace", ""),
            "labels": labels,
            "ownerReferences": [owner_ref],
        },
        "data": data,
        "revision": number,
    }


def revisions_to_prune(revisions: Iterable[Obj], live: set[str], limit: int) -> list[str]:
    """Names of the oldest non-live revisions beyond `limit` (revisionHistoryLimit)."""
    dead = sorted((r for r in revisions if (r.get("metadata") or {}).get("name") not in live),
                  key=revision_number)
    excess = len(dead) - max(limit, 0)
    return [str(r["metadata"]["name"]) for r in dead[:max(excess, 0)]]


# ----- time

def parse_time(value: Any) -> float | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def fmt_time(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----- pods

def meta(obj: Obj) -> Obj:
    m: Obj = obj.get("metadata") or {}
    return m


def deleting(obj: Obj) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


def phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def terminal(pod: Obj) -> bool:
    return phase(pod) in ("Succeeded", "Failed")


def running(pod: Obj) -> bool:
    return phase(pod) == "Running"


def condition(obj: Obj, ctype: str) -> Obj | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return dict(c)
    return None


def ready(pod: Obj) -> bool:
    c = condition(pod, "Ready")
    return c is not None and c.get("status") == "True"


def ready_since(pod: Obj) -> float | None:
    c = condition(pod, "Ready")
    if c is None or c.get("status") != "True":
        return None
    return parse_time(c.get("lastTransitionTime"))


def available(pod: Obj, min_ready_seconds: int, now: float) -> bool:
    if not ready(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    since = ready_since(pod)
    return since is not None and since + min_ready_seconds <= now


def available_in(pod: Obj, min_ready_seconds: int, now: float) -> float | None:
    """Seconds until a ready pod becomes available (None: not ready or already available)."""
    if min_ready_seconds <= 0 or not ready(pod):
        return None
    since = ready_since(pod)
    if since is None:
        return None
    left = since + min_ready_seconds - now
    return left if left > 0 else None


def owned_by_uid(obj: Obj, uid: str) -> bool:
    return any(r.get("controller") and r.get("uid") == uid for r in meta(obj).get("ownerReferences") or [])


# ----- expectations

class Expectations:
    """Per controller key: object names created/deleted but not yet seen by the informer."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self._adds: dict[Any, dict[str, float]] = {}
        self._dels: dict[Any, dict[str, float]] = {}

    def expect_add(self, key: Any, name: str) -> None:
        self._adds.setdefault(key, {})[name] = time.monotonic()

    def expect_delete(self, key: Any, name: str) -> None:
        self._dels.setdefault(key, {})[name] = time.monotonic()

    def satisfied(self, key: Any, present: Iterable[str]) -> bool:
        """True once every expected add is present and every expected delete is gone."""
        names = set(present)
        now = time.monotonic()
        adds = {n: t for n, t in self._adds.get(key, {}).items() if n not in names and now - t < self.timeout}
        dels = {n: t for n, t in self._dels.get(key, {}).items() if n in names and now - t < self.timeout}
        self._adds[key], self._dels[key] = adds, dels
        if not adds:
            self._adds.pop(key, None)
        if not dels:
            self._dels.pop(key, None)
        return not adds and not dels

    def forget(self, key: Any) -> None:
        self._adds.pop(key, None)
        self._dels.pop(key, None)


# ----- the one piece with I/O: keeping a workload's ControllerRevisions (through a client)

async def sync_revisions(client: Any, res: Any, field_manager: str, owner: Obj, owner_ref: Obj,
                         revisions: list[Obj], collision_count: int) -> tuple[Obj, int, list[Obj]]:
    """Find or create the ControllerRevision of `owner`'s current template.

    Returns (update revision, collision count, all revisions). An equal older revision is
    reused (and renumbered to be the newest, as the real controllers do); a name clash with
    different data bumps the collision count. `client` is the controllers' `Client`; `res`
    is CONTROLLERREVISIONS.
    """
    from ..client import ApiError

    template = ((owner.get("spec") or {}).get("template")) or {}
    data = template_revision_data(template)
    revisions = sorted(revisions, key=revision_number)
    newest = next_revision_number(revisions)
    ns = str(meta(owner).get("namespace", ""))
    equal = [r for r in revisions if revision_equal(r, data)]
    if equal:
        update = equal[-1]
        if revision_number(update) != newest - 1:
            update = await client.patch(res, ns, meta(update)["name"], {"revision": newest},
                                        field_manager=field_manager)
            revisions = [update if meta(r).get("name") == meta(update).get("name") else r for r in revisions]
        return update, collision_count, revisions
    while True:
        h = hash_revision_data(data, collision_count)
        body = new_revision(owner, template, data, h, newest, owner_ref)
        try:
            created: Obj = await client.create(res, ns, body, field_manager=field_manager)
            return created, collision_count, [*revisions, created]
        except ApiError as exc:
            if exc.code != 409:
                raise
            existing = await client.get(res, ns, body["metadata"]["name"])
            if existing is not None and revision_equal(existing, data):
                return existing, collision_count, [*revisions, existing]
            collision_count += 1


async def prune_revisions(client: Any, res: Any, owner: Obj, revisions: Iterable[Obj], live: set[str]) -> None:
    """Delete the owner's ControllerRevisions beyond `spec.revisionHistoryLimit` (default 10)."""
    limit = (owner.get("spec") or {}).get("revisionHistoryLimit")
    namespace = (owner.get("metadata") or {}).get("namespace")
    for old in revisions_to_prune(revisions, live, 10 if limit is None else int(limit)):
        await client.delete(res, namespace, old)


def next_availability(owner: Obj, pods: Iterable[Obj], now: float) -> float | None:
    """Seconds until the next pod becomes available under `spec.minReadySeconds` (for a requeue)."""
    min_ready = int((owner.get("spec") or {}).get("minReadySeconds") or 0)
    waits = [w for w in (available_in(p, min_ready, now) for p in pods) if w is not None]
    return min(waits) + 0.01 if waits else None
