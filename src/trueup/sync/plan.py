"""Sync planning (pure): which objects to apply, prune or run as hooks, and in what order.

The order is Argo CD's: phase (PreSync, Sync, PostSync; SyncFail only on failure), then wave
(`argocd.argoproj.io/sync-wave`, falling back to `helm.sh/hook-weight`, default 0), then kind
(Helm's install order: Namespaces and CRDs before the workloads that need them), then name.
Each wave is applied only after the previous one is healthy (the executor waits).

Pruning is proven, never guessed: a live object is pruned only if its tracking annotation says
this app created it (`trueup.dev/tracking-id: <app>:<group>/<kind>:<namespace>/<name>`), it is no
longer rendered, and neither the object (`Prune=false`) nor the app forbids it. Prunes run in the
wave of the live object (reverse kind order within it), or after everything with PruneLast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Manifest, ResourceKey

Obj = dict[str, Any]

TRACKING_ANNOTATION = "trueup.dev/tracking-id"
HOOK = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
HELM_HOOK = "helm.sh/hook"
HELM_WEIGHT = "helm.sh/hook-weight"
HELM_DELETE_POLICY = "helm.sh/hook-delete-policy"

PHASES = ("PreSync", "Sync", "PostSync", "SyncFail")
_HELM_PHASE = {"pre-install": "PreSync", "pre-upgrade": "PreSync", "post-install": "PostSync",
               "post-upgrade": "PostSync", "install": "Sync", "upgrade": "Sync"}
_HELM_POLICY = {"before-hook-creation": "BeforeHookCreation", "hook-succeeded": "HookSucceeded",
                "hook-failed": "HookFailed"}

# Helm's install order; kinds not listed go after, alphabetically.
KIND_ORDER: tuple[str, ...] = (
    "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
    "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
    "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
    "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job",
    "CronJob", "IngressClass", "Ingress", "APIService",
)
_KIND_RANK = {k: i for i, k in enumerate(KIND_ORDER)}


class PlanError(Exception):
    """Desired state that cannot be synced (names the resource and the annotation at fault)."""


ARGO_EXTRA = "argocd.annotations"  # Manifest.extra key where renderers put Argo meanings of Helm hooks


def sync_view(m: Manifest) -> Obj:
    """The object as the planner reads it: its own annotations, plus the Argo CD meaning a renderer
    derived (Helm hooks → `Manifest.extra["argocd.annotations"]`); the object's own annotations win.
    Only for reading: the applied object is `m.obj`."""
    extra = m.extra.get(ARGO_EXTRA)
    if not extra:
        return m.obj
    meta = dict(m.obj.get("metadata") or {})
    meta["annotations"] = {**extra, **(meta.get("annotations") or {})}
    return {**m.obj, "metadata": meta}


def tracking_id(app: str, key: ResourceKey) -> str:
    return f"{app}:{key.group}/{key.kind}:{key.namespace}/{key.name}"


def kind_rank(kind: str) -> tuple[int, str]:
    return (_KIND_RANK.get(kind, len(KIND_ORDER)), kind)


def _annotations(obj: Obj) -> dict[str, str]:
    return {str(k): str(v) for k, v in ((obj.get("metadata") or {}).get("annotations") or {}).items()}


def sync_options(obj: Obj) -> frozenset[str]:
    """Per-resource `argocd.argoproj.io/sync-options`, e.g. {"Prune=false", "ServerSideApply=true"}."""
    raw = _annotations(obj).get(SYNC_OPTIONS, "")
    return frozenset(o.strip() for o in raw.split(",") if o.strip())


def wave_of(obj: Obj, where: str = "") -> int:
    ann = _annotations(obj)
    raw = ann.get(SYNC_WAVE, ann.get(HELM_WEIGHT, "0"))
    try:
        return int(raw.strip() or 0)
    except ValueError:
        raise PlanError(f"{where or ResourceKey.of(obj)}: annotation {SYNC_WAVE}={raw!r} is not an integer") from None


def hook_of(obj: Obj, where: str = "") -> tuple[tuple[str, ...], frozenset[str]]:
    """The hook phases of an object (empty if it is not a hook) and its delete policies."""
    ann = _annotations(obj)
    phases: list[str] = []
    policies: set[str] = set()
    if HOOK in ann:
        for p in (x.strip() for x in ann[HOOK].split(",")):
            if p not in (*PHASES, "Skip", "PreDelete", "PostDelete"):
                raise PlanError(f"{where or ResourceKey.of(obj)}: unknown hook {p!r} in {HOOK} "
                                f"(use one of {', '.join(PHASES)}, Skip)")
            phases.append(p)
        policies.update(x.strip() for x in ann.get(HOOK_DELETE_POLICY, "").split(",") if x.strip())
    elif HELM_HOOK in ann:
        for h in (x.strip() for x in ann[HELM_HOOK].split(",")):
            if h in _HELM_PHASE and _HELM_PHASE[h] not in phases:
                phases.append(_HELM_PHASE[h])
        policies.update(_HELM_POLICY[x.strip()] for x in ann.get(HELM_DELETE_POLICY, "").split(",")
                        if x.strip() in _HELM_POLICY)
    if phases and not policies:
        policies.add("BeforeHookCreation")
    return tuple(phases), frozenset(policies)


def is_hook(obj: Obj) -> bool:
    """A live or desired object that is a hook (Argo CD or Helm annotation). Hooks are outside the
    app's resources: never pruned, never Extra, not part of sync status or health."""
    try:
        phases, _ = hook_of(obj)
    except PlanError:
        return True  # a hook annotation with an unknown value is still a hook
    return bool(phases)


@dataclass(frozen=True)
class Task:
    """One step of a sync: apply a desired object, run a hook, or prune a live object."""

    action: str  # "apply" | "hook" | "prune"
    key: ResourceKey
    phase: str
    wave: int
    obj: Obj = field(compare=False, hash=False)
    source: str = ""
    delete_policies: frozenset[str] = frozenset()
    options: frozenset[str] = frozenset()

    def order(self) -> tuple[int, int, int, tuple[int, str], str, str]:
        prune_last = self.action == "prune"
        rank = kind_rank(self.key.kind)
        if prune_last:  # prunes delete dependents before what they depend on
            rank = (-rank[0], rank[1])
        return (PHASES.index(self.phase), self.wave, int(prune_last), rank, self.key.namespace, self.key.name)


@dataclass
class Plan:
    tasks: list[Task]
    skipped: list[tuple[ResourceKey, str]] = field(default_factory=list)

    def waves(self, phase: str) -> list[tuple[int, list[Task]]]:
        """The tasks of one phase grouped by wave, in order."""
        out: dict[int, list[Task]] = {}
        for t in self.tasks:
            if t.phase == phase:
                out.setdefault(t.wave, []).append(t)
        return sorted(out.items())

    def by_action(self, action: str) -> list[Task]:
        return [t for t in self.tasks if t.action == action]


@dataclass(frozen=True)
class PlanOptions:
    prune: bool = False
    prune_last: bool = False
    apply_out_of_sync_only: bool = False


def plan(app: str, desired: Sequence[Manifest], live_tracked: Iterable[Obj], options: PlanOptions,
         in_sync: frozenset[ResourceKey] = frozenset()) -> Plan:
    """Order the desired objects and decide prunes.

    `live_tracked` are live objects carrying this app's tracking annotation; `in_sync` are keys the
    diff found Synced (skipped with ApplyOutOfSyncOnly).
    """
    tasks: list[Task] = []
    skipped: list[tuple[ResourceKey, str]] = []
    seen: dict[ResourceKey, str] = {}
    for m in desired:
        key = m.key
        where = f"{m.source}: {key}" if m.source else str(key)
        view = sync_view(m)
        phases, policies = hook_of(view, where)
        if phases:
            if "Skip" in phases:
                skipped.append((key, "hook Skip"))
                continue
            for phase in phases:
                if phase in PHASES:
                    tasks.append(Task("hook", key, phase, wave_of(view, where), m.obj, m.source, policies,
                                      sync_options(view)))
            continue
        if key in seen and key.name:
            raise PlanError(f"{key} is defined twice: in {seen[key] or '?'} and in {m.source or '?'}; "
                            "remove one of them")
        seen[key] = m.source
        if options.apply_out_of_sync_only and key in in_sync:
            skipped.append((key, "already in sync (ApplyOutOfSyncOnly)"))
            continue
        tasks.append(Task("apply", key, "Sync", wave_of(view, where), m.obj, m.source, frozenset(),
                          sync_options(view)))
    max_wave = max((t.wave for t in tasks if t.phase == "Sync"), default=0)
    for live in live_tracked:
        key = ResourceKey.of(live)
        if key in seen:
            continue
        if _annotations(live).get(TRACKING_ANNOTATION) != tracking_id(app, key):
            skipped.append((key, "not created by this app (tracking annotation differs): never pruned"))
            continue
        opts = sync_options(live)
        if "Prune=false" in opts:
            skipped.append((key, "Prune=false"))
            continue
        if not options.prune:
            skipped.append((key, "would be pruned, but pruning is off"))
            continue
        wave = max_wave + 1 if options.prune_last or "PruneLast=true" in opts else _safe_wave(live)
        tasks.append(Task("prune", key, "Sync", wave, live, "", frozenset(), opts))
    tasks.sort(key=Task.order)
    return Plan(tasks, skipped)


def _safe_wave(obj: Obj) -> int:
    try:
        return wave_of(obj)
    except PlanError:
        return 0
