"""Argo CD's own Applications (`argoproj.io/v1alpha1`) in the cluster: whether trueup reconciles them.

    decision = await argocd_apps(client, mode="auto")   # Decision(enabled, reason)

- `off`: never.
- `on`: always; the CRD `applications.argoproj.io` must be installed (trueup does not ship it), or
  this is an error naming the CRD.
- `auto` (default): when the CRD is installed and no Argo CD application controller runs in the
  cluster: no Deployment or StatefulSet named `argocd-application-controller` in any namespace
  and no Pod labelled `app.kubernetes.io/name=argocd-application-controller`. When one is found,
  trueup leaves Argo CD's Applications to it (two controllers must never sync the same app) and
  the reason names what was found. When trueup cannot tell (its RBAC forbids listing those), it
  leaves them alone too and says why. Decided once, at start.

When enabled, one `Controller` per namespace (trueup's app namespace and `argocd` by default)
reads `applications.argoproj.io`, acting only while trueup's main controller leads, and writes
status with Argo CD's field names. Argo CD's CRD has no status subresource: status is written on
the Application itself (see operate.patch_status). Dependencies between them use the annotation
`trueup.dev/depends-on` (Argo CD's schema has no `spec.dependsOn`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..kube import ApiError, Client, Res
from ..kube.resources import DEPLOYMENTS, PODS, STATEFULSETS

ARGOCD_CRD = "applications.argoproj.io"
ARGOCD_CONTROLLER = "argocd-application-controller"
MODES = ("auto", "on", "off")

_CRDS = Res("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False)


class ArgoCDAppsError(Exception):
    """`--argocd-apps on` without Argo CD's CRD in the cluster."""


@dataclass(frozen=True)
class Decision:
    enabled: bool
    reason: str


async def crd_installed(client: Client) -> bool:
    return await client.get(_CRDS, None, ARGOCD_CRD) is not None


async def find_argocd_controller(client: Client) -> str | None:
    """What betrays a running Argo CD application controller (`Deployment argocd/…`), or None."""
    for res in (STATEFULSETS, DEPLOYMENTS):
        items, _ = await client.list(res, None, field_selector=f"metadata.name={ARGOCD_CONTROLLER}")
        for item in items:
            meta = item.get("metadata") or {}
            return f"{res.kind} {meta.get('namespace')}/{meta.get('name')}"
    pods, _ = await client.list(PODS, None, label_selector=f"app.kubernetes.io/name={ARGOCD_CONTROLLER}")
    for pod in pods:
        meta = pod.get("metadata") or {}
        return f"Pod {meta.get('namespace')}/{meta.get('name')} (app.kubernetes.io/name={ARGOCD_CONTROLLER})"
    return None


async def argocd_apps(client: Client, mode: str) -> Decision:
    if mode not in MODES:
        raise ValueError(f"argocd apps mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        return Decision(False, "argoproj.io Applications: not reconciled (--argocd-apps off)")
    try:
        installed = await crd_installed(client)
    except ApiError as exc:  # e.g. RBAC: a guess either way could have two controllers sync one app
        if mode == "on":
            raise ArgoCDAppsError(f"--argocd-apps on: cannot read the CRD {ARGOCD_CRD}: {exc.code} "
                                  f"{exc.message or exc.reason}") from None
        return Decision(False, f"argoproj.io Applications: not reconciled (cannot read the CRD {ARGOCD_CRD}: "
                               f"{exc.code} {exc.reason})")
    if mode == "on":
        if not installed:
            raise ArgoCDAppsError(f"--argocd-apps on: the CRD {ARGOCD_CRD} is not installed in the cluster "
                                  "(trueup does not ship Argo CD's CRD)")
        return Decision(True, "argoproj.io Applications: reconciled (--argocd-apps on)")
    if not installed:
        return Decision(False, f"argoproj.io Applications: not reconciled (CRD {ARGOCD_CRD} not installed)")
    try:
        found = await find_argocd_controller(client)
    except ApiError as exc:  # cannot tell whether Argo CD runs: leave its apps alone (the safe side)
        return Decision(False, f"argoproj.io Applications: not reconciled (cannot tell whether an Argo CD "
                               f"application controller runs: {exc.code} {exc.reason}); use --argocd-apps on "
                               "to reconcile them anyway")
    if found is not None:
        return Decision(False, f"argoproj.io Applications: left to Argo CD, whose application controller runs "
                               f"({found}); use --argocd-apps on to reconcile them anyway")
    return Decision(True, "argoproj.io Applications: reconciled (CRD installed, no Argo CD application "
                          "controller found)")


__all__ = ["ARGOCD_CONTROLLER", "ARGOCD_CRD", "MODES", "ArgoCDAppsError", "Decision", "argocd_apps",
           "crd_installed", "find_argocd_controller"]
