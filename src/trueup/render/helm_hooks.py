"""Helm hook annotations → the Argo CD hook annotations they mean, as Argo CD maps them.

Recorded in `Manifest.extra["argocd.annotations"]` (annotation name → value), never written into
the object (the object stays as rendered, so diffs compare what Git holds). The sync engine reads
an object's own `argocd.argoproj.io/*` annotation first and falls back to this dict; an explicit
Argo CD annotation on the object always wins, so its key is never present here.

- `helm.sh/hook`: pre-install, pre-upgrade → `PreSync`; post-install, post-upgrade → `PostSync`
  (comma-separated lists allowed, duplicates dropped). Any other Helm hook (test, pre-delete,
  post-rollback, …) has no Argo CD phase: Argo never runs it, recorded as `Skip`.
  `crd-install` is not a hook (legacy CRD marker).
- `helm.sh/hook-weight` → `argocd.argoproj.io/sync-wave`.
- `helm.sh/hook-delete-policy`: before-hook-creation, hook-succeeded, hook-failed →
  `BeforeHookCreation`, `HookSucceeded`, `HookFailed` (unknown entries dropped).
"""

from __future__ import annotations

from typing import Any

ARGO_EXTRA = "argocd.annotations"
HOOK = "argocd.argoproj.io/hook"
WAVE = "argocd.argoproj.io/sync-wave"
DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"

HOOK_PHASES: dict[str, str] = {
    "pre-install": "PreSync",
    "pre-upgrade": "PreSync",
    "post-install": "PostSync",
    "post-upgrade": "PostSync",
}
DELETE_POLICIES: dict[str, str] = {
    "before-hook-creation": "BeforeHookCreation",
    "hook-succeeded": "HookSucceeded",
    "hook-failed": "HookFailed",
}


def _csv(value: Any) -> list[str]:
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _unique(values: list[str]) -> str:
    return ",".join(dict.fromkeys(values))


def argo_annotations(obj: dict[str, Any]) -> dict[str, str]:
    """The Argo CD annotations a Helm-hook object implies (empty for non-hooks)."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if not isinstance(annotations, dict):
        return {}
    hook = annotations.get("helm.sh/hook")
    if hook is None or str(hook).strip() == "crd-install":
        return {}
    derived: dict[str, str] = {}
    phases = [HOOK_PHASES[t] for t in _csv(hook) if t in HOOK_PHASES]
    derived[HOOK] = _unique(phases) if phases else "Skip"
    weight = annotations.get("helm.sh/hook-weight")
    if weight is not None and str(weight).strip():
        derived[WAVE] = str(weight).strip()
    policies = [DELETE_POLICIES[p] for p in _csv(annotations.get("helm.sh/hook-delete-policy", ""))
                if p in DELETE_POLICIES]
    if policies:
        derived[DELETE_POLICY] = _unique(policies)
    return {k: v for k, v in derived.items() if k not in annotations}
