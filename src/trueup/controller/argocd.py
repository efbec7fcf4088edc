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
  leaves them alone too and says why. Decided at start and, in `auto`, checked again every
  `RECHECK_S` (10 s; `ArgoCDApps`): when an Argo CD application controller appears, trueup stops
  its argoproj.io controllers at once (a running sync gets the stop grace), leaves the apps' status
  as it is and says so once; when the CRD appears (or the Argo CD controller goes), it starts them.
  Between a change and the next check (≤ 10 s) trueup may still act on them.

When enabled, one `Controller` per namespace (trueup's app namespace and `argocd` by default)
reads `applications.argoproj.io`, acting only while trueup's main controller leads, and writes
status with Argo CD's field names. Argo CD's CRD has no status subresource: status is written on
the Application itself (see operate.patch_status). Dependencies between them use the annotation
`trueup.dev/depends-on` (Argo CD's schema has no `spec.dependsOn`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..kube import ApiError, Client, Res
from ..kube.resources import DEPLOYMENTS, PODS, STATEFULSETS

if TYPE_CHECKING:
    from .controller import Controller

log = logging.getLogger("trueup.controller")

ARGOCD_CRD = "applications.argoproj.io"
RECHECK_S = 10.0  # how often `auto` looks again for the CRD and for Argo CD's controller
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


class ArgoCDApps:
    """The followers reconciling Argo CD's Applications, one per namespace, kept in line with the
    decision (`argocd_apps`) as the cluster changes.

        switch = ArgoCDApps(controller, make, ["trueup", "argocd"], "auto", say=print)
        decision = await switch.start()     # before or after controller.start(); raises ArgoCDAppsError
        ...
        await switch.stop()                 # before controller.stop()

    `make(namespace)` builds a follower Controller for argoproj.io Applications in that namespace (a
    stopped one cannot restart: each enabling makes new ones). `say` gets one line per change."""

    def __init__(self, controller: Controller, make: Callable[[str], Controller], namespaces: list[str],
                 mode: str = "auto", *, recheck_s: float = RECHECK_S, say: Callable[[str], None] | None = None,
                 stop_grace_s: float = 10.0) -> None:
        self.controller = controller
        self.make = make
        self.namespaces = list(dict.fromkeys(namespaces))
        self.mode = mode
        self.recheck_s = recheck_s
        self.say = say
        self.stop_grace_s = stop_grace_s
        self.decision: Decision | None = None
        self.followers: list[Controller] = []
        self._task: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.followers)

    async def start(self) -> Decision:
        self.decision = await argocd_apps(self.controller.client, self.mode)
        if self.decision.enabled:
            await self._enable()
        if self.mode == "auto":
            self._task = asyncio.create_task(self._recheck(), name="trueup-argocd-recheck")
        return self.decision

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def check(self) -> Decision:
        """Decide again; start or stop the followers when the decision changed."""
        decision = await argocd_apps(self.controller.client, self.mode)
        if decision.enabled and not self.enabled:
            await self._enable()
            self._tell(f"{decision.reason} (it changed since the last check) in namespaces "
                       f"{', '.join(self.namespaces)}")
        elif not decision.enabled and self.enabled:
            await self._disable()
            self._tell(f"{decision.reason} (it changed since the last check): trueup stopped reconciling them "
                       "and left their status as it was")
        self.decision = decision
        return decision

    def _tell(self, line: str) -> None:
        log.warning("%s", line)
        if self.say is not None:
            self.say(line)

    async def _recheck(self) -> None:
        while True:
            await asyncio.sleep(self.recheck_s)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. the API unreachable a while: keep the current state, look again
                log.debug("argocd re-check failed: %s", type(exc).__name__)

    async def _enable(self) -> None:
        for ns in self.namespaces:
            follower = self.make(ns)
            self.followers.append(follower)
            await self.controller.add_follower(follower)

    async def _disable(self) -> None:
        followers, self.followers = self.followers, []
        for follower in followers:
            await self.controller.remove_follower(follower, self.stop_grace_s)


__all__ = ["ARGOCD_CONTROLLER", "ARGOCD_CRD", "MODES", "RECHECK_S", "ArgoCDApps", "ArgoCDAppsError", "Decision",
           "argocd_apps", "crd_installed", "find_argocd_controller"]
