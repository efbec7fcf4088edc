"""Pure Deployment rollout planning (no I/O): given a Deployment, its ReplicaSets (and for
Recreate their Pods) and the time, what one sync of kube-controller-manager's
deployment-controller writes. The controller (deployment.py) executes the resulting Plan:

    plan = plan_sync(deployment, replicasets, pods_by_rs_uid, now)
    plan.create        the new ReplicaSet to create (name `<deployment>-<pod-template-hash>`)
    plan.updates       ReplicaSets to PUT (spec.replicas, annotations, minReadySeconds)
    plan.deletes       old ReplicaSets beyond revisionHistoryLimit
    plan.revision      the Deployment's new `deployment.kubernetes.io/revision`, if it changes
    plan.status        the Deployment status to write (None: unchanged)
    plan.events        ScalingReplicaSet Events, as (type, reason, message, replicaset name)
    plan.requeue       seconds after which to look again (progress deadline)

One sync, as upstream: paused conditions; paused or a scaling event (an active ReplicaSet's
desired-replicas annotation differs from spec.replicas) → proportional scaling only;
otherwise RollingUpdate (scale the new ReplicaSet up within maxSurge, then old ones down
within maxUnavailable, unhealthy first) or Recreate (old to zero, wait until their Pods are
gone, then the new one to full size); revisionHistoryLimit cleanup once complete or paused;
then the status with the Progressing estimate.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import deployment_status as st
from . import deployment_util as du
from .replicaset_pods import is_active, meta, replicas_of, status_int

Obj = dict[str, Any]


@dataclass
class Plan:
    create: Obj | None = None
    updates: dict[str, Obj] = field(default_factory=dict)
    deletes: list[Obj] = field(default_factory=list)
    revision: str | None = None
    status: Obj | None = None
    # (type, reason, message, name of the ReplicaSet whose write it reports, or "")
    events: list[tuple[str, str, str, str]] = field(default_factory=list)
    requeue: float | None = None


class _Sync:
    def __init__(self, d: Obj, rss: list[Obj], pods: dict[str, list[Obj]], now: float) -> None:
        self.d = copy.deepcopy(d)
        self.d.setdefault("status", {})
        self.orig_status = copy.deepcopy(d.get("status") or {})
        self.rss = [copy.deepcopy(r) for r in rss]
        self.pods = pods
        self.now = now
        self.plan = Plan()
        self.desired = replicas_of(d)

    # ----- helpers
    def _event(self, rs: Obj, message: str) -> None:
        self.plan.events.append(("Normal", "ScalingReplicaSet", message, str(meta(rs).get("name", ""))))

    def _store(self, rs: Obj) -> None:
        name = str(meta(rs).get("name", ""))
        if self.plan.create is not None and meta(self.plan.create).get("name") == name:
            self.plan.create = rs
        else:
            self.plan.updates[name] = rs

    def scale_rs(self, rs: Obj, new_scale: int, operation: str | None = None) -> bool:
        """scaleReplicaSet: set replicas and the replicas annotations; True when resized."""
        old = replicas_of(rs, 0)
        size_changed = old != new_scale
        max_replicas = self.desired + du.max_surge(self.d)
        if not size_changed and not du.replicas_annotations_need_update(rs, self.desired, max_replicas):
            return False
        rs.setdefault("spec", {})["replicas"] = new_scale
        du.set_replicas_annotations(rs, self.desired, max_replicas)
        self._store(rs)
        if size_changed:
            op = operation or ("up" if old < new_scale else "down")
            self._event(rs, f"Scaled {op} replica set {meta(rs).get('name')} to {new_scale} from {old}")
        return size_changed

    def scale_and_record(self, rs: Obj, new_scale: int) -> bool:
        if replicas_of(rs, 0) == new_scale:
            return False
        return self.scale_rs(rs, new_scale)

    # ----- new and old ReplicaSets
    def find_new(self) -> Obj | None:
        template = (self.d.get("spec") or {}).get("template")
        for rs in du.by_creation(self.rss):
            if du.equal_ignore_hash((rs.get("spec") or {}).get("template"), template):
                return rs
        return None

    def new_and_old(self, create: bool) -> tuple[Obj | None, list[Obj]]:
        new = self.find_new()
        olds = [r for r in self.rss if r is not new]
        new_revision = du.max_revision(olds) + 1
        if new is not None:
            changed = du.set_new_rs_annotations(self.d, new, new_revision, True)
            min_ready = int((self.d.get("spec") or {}).get("minReadySeconds") or 0)
            if int((new.get("spec") or {}).get("minReadySeconds") or 0) != min_ready:
                new["spec"]["minReadySeconds"] = min_ready
                changed = True
            if changed:
                self._store(new)
            self._set_revision(str(du.annotations_of(new).get(du.REVISION, "")))
            if du.has_progress_deadline(self.d) and st.get_condition(self.d["status"], st.PROGRESSING) is None:
                st.set_condition(self.d["status"], st.new_condition(
                    st.PROGRESSING, "True", st.FOUND_NEW_RS, f'Found new replica set "{meta(new).get("name")}"',
                    self.now))
            return new, olds
        if not create:
            return None, olds
        new = self._new_rs(olds, new_revision)
        self.plan.create = new
        self.rss.append(new)
        if replicas_of(new, 0) > 0:
            self._event(new, f"Scaled up replica set {meta(new).get('name')} to {replicas_of(new, 0)} from 0")
        self._set_revision(str(new_revision))
        if du.has_progress_deadline(self.d):
            st.set_condition(self.d["status"], st.new_condition(
                st.PROGRESSING, "True", st.NEW_RS_CREATED, f'Created new replica set "{meta(new).get("name")}"',
                self.now))
        return new, olds

    def _new_rs(self, olds: list[Obj], revision: int) -> Obj:
        spec = self.d.get("spec") or {}
        dm = meta(self.d)
        hash_value = du.template_hash(spec.get("template") or {}, (self.d.get("status") or {}).get("collisionCount"))
        template = du.template_with_hash(spec.get("template") or {}, hash_value)
        rs: Obj = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{dm.get('name')}-{hash_value}",
                "namespace": dm.get("namespace", ""),
                "labels": dict((template.get("metadata") or {}).get("labels") or {}),
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": dm.get("name", ""),
                                     "uid": dm.get("uid", ""), "controller": True, "blockOwnerDeletion": True}],
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": int(spec.get("minReadySeconds") or 0),
                "selector": du.selector_with_hash(spec.get("selector"), hash_value),
                "template": template,
            },
        }
        rs["spec"]["replicas"] = self.new_rs_replicas([*olds, rs], rs)
        du.set_new_rs_annotations(self.d, rs, revision, False)
        return rs

    def _set_revision(self, revision: str) -> None:
        if revision and du.annotations_of(self.d).get(du.REVISION) != revision:
            self.d.setdefault("metadata", {}).setdefault("annotations", {})[du.REVISION] = revision
            self.plan.revision = revision

    def new_rs_replicas(self, all_rss: list[Obj], new: Obj) -> int:
        if not du.is_rolling(self.d):
            return self.desired
        max_total = self.desired + du.fenceposts(self.d)[0]
        current = sum(replicas_of(r, 0) for r in all_rss)
        if current >= max_total:
            return replicas_of(new, 0)
        up = min(max_total - current, self.desired - replicas_of(new, 0))
        return replicas_of(new, 0) + up

    # ----- proportional scaling (scaling events, paused)
    def is_scaling_event(self) -> bool:
        new, olds = self.new_and_old(False)
        for rs in du.active([*olds, new]):
            want = du.int_annotation(rs, du.DESIRED_REPLICAS)
            if want is not None and want != self.desired:
                return True
        return False

    def scale(self, new: Obj | None, olds: list[Obj]) -> None:
        latest = self._active_or_latest(new, olds)
        if latest is not None:
            if replicas_of(latest, 0) != self.desired:
                self.scale_and_record(latest, self.desired)
            return
        if self._saturated(new):
            for old in du.active(olds):
                self.scale_and_record(old, 0)
            return
        if not du.is_rolling(self.d):
            return
        all_rss = du.active([*olds, new])
        total = sum(replicas_of(r, 0) for r in all_rss)
        allowed = self.desired + du.max_surge(self.d) if self.desired > 0 else 0
        to_add = allowed - total
        operation = ""
        if to_add > 0:
            all_rss = du.by_size_newer(all_rss)
            operation = "up"
        elif to_add < 0:
            all_rss = du.by_size_older(all_rss)
            operation = "down"
        added = 0
        sizes: list[int] = []
        for rs in all_rss:
            if to_add != 0:
                p = self._proportion(rs, to_add, added)
                sizes.append(replicas_of(rs, 0) + p)
                added += p
            else:
                sizes.append(replicas_of(rs, 0))
        for i, rs in enumerate(all_rss):
            if i == 0 and to_add != 0:
                sizes[0] = max(sizes[0] + to_add - added, 0)
            self.scale_rs(rs, sizes[i], operation or None)

    def _active_or_latest(self, new: Obj | None, olds: list[Obj]) -> Obj | None:
        if new is None and not olds:
            return None
        olds_desc = list(reversed(du.by_creation(olds)))
        act = du.active([*olds_desc, new])
        if not act:
            return new if new is not None else olds_desc[0]
        return act[0] if len(act) == 1 else None

    def _saturated(self, rs: Obj | None) -> bool:
        if rs is None:
            return False
        return (du.int_annotation(rs, du.DESIRED_REPLICAS) == self.desired and replicas_of(rs, 0) == self.desired
                and status_int(rs, "availableReplicas") == self.desired)

    def _proportion(self, rs: Obj, to_add: int, added: int) -> int:
        if replicas_of(rs, 0) == 0 or to_add == 0 or to_add == added:
            return 0
        fraction = self._fraction(rs)
        allowed = to_add - added
        return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)

    def _fraction(self, rs: Obj) -> int:
        size = replicas_of(rs, 0)
        if self.desired == 0:
            return -size
        max_now = self.desired + du.max_surge(self.d)
        before = du.int_annotation(rs, du.MAX_REPLICAS)
        if not before:
            before = status_int(self.d, "replicas")
            if before == 0:
                return 0
        exact = size * max_now / before
        return int(exact + 0.5) - size if exact >= 0 else -int(-exact + 0.5) - size

    # ----- rolling update
    def reconcile_new(self, all_rss: list[Obj], new: Obj) -> bool:
        size = replicas_of(new, 0)
        if size == self.desired:
            return False
        if size > self.desired:
            return self.scale_and_record(new, self.desired)
        return self.scale_and_record(new, self.new_rs_replicas(all_rss, new))

    def reconcile_old(self, all_rss: list[Obj], olds: list[Obj], new: Obj) -> bool:
        if sum(replicas_of(r, 0) for r in olds) == 0:
            return False
        all_count = sum(replicas_of(r, 0) for r in all_rss)
        min_available = self.desired - du.max_unavailable(self.d)
        new_unavailable = replicas_of(new, 0) - status_int(new, "availableReplicas")
        max_down = all_count - min_available - new_unavailable
        if max_down <= 0:
            return False
        cleaned = 0
        for rs in du.by_creation(olds):
            if cleaned >= max_down:
                break
            size = replicas_of(rs, 0)
            avail = status_int(rs, "availableReplicas")
            if size == 0 or size == avail:
                continue
            if avail > size:
                # Its status still counts Pods of a larger size (not observed yet): upstream refuses
                # this "invalid request to scale down" and retries once the status caught up.
                self.plan.requeue = 0.05
                return False
            down = min(max_down - cleaned, size - avail)
            self.scale_and_record(rs, size - down)
            cleaned += down
        scaled = 0
        available = sum(status_int(r, "availableReplicas") for r in [*olds, new])
        if available > min_available:
            target = available - min_available
            for rs in du.by_creation(olds):
                if scaled >= target:
                    break
                size = replicas_of(rs, 0)
                if size == 0:
                    continue
                down = min(size, target - scaled)
                self.scale_and_record(rs, size - down)
                scaled += down
        return cleaned + scaled > 0

    def rolling(self) -> None:
        new, olds = self.new_and_old(True)
        assert new is not None
        all_rss = [*olds, new]
        if self.reconcile_new(all_rss, new):
            self.rollout_status(all_rss, new)
            return
        if self.reconcile_old(all_rss, du.active(olds), new):
            self.rollout_status(all_rss, new)
            return
        if st.complete(self.d, self.d.get("status") or {}):
            self.cleanup(olds)
        self.rollout_status(all_rss, new)

    # ----- recreate
    def recreate(self) -> None:
        new, olds = self.new_and_old(False)
        all_rss: list[Obj | None] = [*olds, new]
        down = False
        for rs in du.active(olds):
            down = self.scale_and_record(rs, 0) or down
        if down or self._old_pods_running(new, olds):
            self.rollout_status(all_rss, new)
            return
        if new is None:
            new, olds = self.new_and_old(True)
            all_rss = [*olds, new]
        assert new is not None
        self.scale_and_record(new, self.desired)
        if st.complete(self.d, self.d.get("status") or {}):
            self.cleanup(olds)
        self.rollout_status(all_rss, new)

    def _old_pods_running(self, new: Obj | None, olds: list[Obj]) -> bool:
        if sum(status_int(r, "replicas") for r in olds) > 0:
            return True
        new_uid = meta(new).get("uid") if new is not None else None
        for uid, pods in self.pods.items():
            if new_uid is not None and uid == new_uid:
                continue
            if any(is_active(p) or (p.get("status") or {}).get("phase") == "Unknown" for p in pods):
                return True
        return False

    # ----- history cleanup
    def cleanup(self, olds: list[Obj]) -> None:
        limit = (self.d.get("spec") or {}).get("revisionHistoryLimit")
        if not isinstance(limit, int):
            return
        alive = [r for r in olds if not meta(r).get("deletionTimestamp")]
        diff = len(alive) - limit
        if diff <= 0:
            return
        for rs in du.by_revision(alive)[:diff]:
            if (status_int(rs, "replicas") != 0 or replicas_of(rs, 0) != 0
                    or int(meta(rs).get("generation") or 0) > status_int(rs, "observedGeneration")):
                continue
            self.plan.deletes.append(rs)

    # ----- status
    def rollout_status(self, all_rss: Sequence[Obj | None], new: Obj | None) -> None:
        self._finish(st.rollout_status(all_rss, new, self.d, self.now))

    def sync_status(self, all_rss: Sequence[Obj | None], new: Obj | None) -> None:
        self._finish(st.calculate_status(all_rss, new, self.d, self.now))

    def _finish(self, status: Obj) -> None:
        if status != self.orig_status:
            self.plan.status = status
        after = copy.deepcopy(self.d)
        after["status"] = status
        stuck = st.stuck_requeue(after, status, self.now)
        if stuck is not None:
            self.plan.requeue = stuck if self.plan.requeue is None else min(stuck, self.plan.requeue)

    # ----- the whole sync
    def run(self) -> Plan:
        spec = self.d.get("spec") or {}
        if spec.get("selector") == {}:
            # SelectingAll: nothing to do but observe the generation.
            status = dict(self.d["status"])
            status["observedGeneration"] = int(meta(self.d).get("generation") or 0)
            if status != self.orig_status:
                self.plan.status = status
            self.plan.events.append(("Warning", "SelectingAll",
                                     "This deployment is selecting all pods. A non-empty selector is required.", ""))
            return self.plan
        if meta(self.d).get("deletionTimestamp"):
            new, olds = self.new_and_old(False)
            self.sync_status([*olds, new], new)
            return self.plan
        paused_status = st.paused_condition(self.d, self.now)
        if paused_status is not None:
            self.d["status"] = paused_status
        if spec.get("paused") or self.is_scaling_event():
            new, olds = self.new_and_old(False)
            self.scale(new, olds)
            if spec.get("paused"):
                self.cleanup(olds)
            self.sync_status([*olds, new], new)
            return self.plan
        if du.is_rolling(self.d):
            self.rolling()
        else:
            self.recreate()
        return self.plan


def plan_sync(d: Obj, rss: list[Obj], pods_by_rs: dict[str, list[Obj]] | None, now: float) -> Plan:
    """One sync of a Deployment over the ReplicaSets it controls."""
    return _Sync(d, rss, pods_by_rs or {}, now).run()
