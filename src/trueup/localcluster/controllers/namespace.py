"""The namespace controller: a deleted namespace is emptied, then finalized.

`kubectl delete namespace x` makes the API server set deletionTimestamp and phase Terminating
and keep the namespace while `spec.finalizers` holds `kubernetes`. This controller then, as
kube-controller-manager's namespace controller does:

1. discovers every namespaced resource type (`/api/v1`, `/apis`: CRDs included);
2. deletes the namespace's Pods first (OrderedNamespaceDeletion), then every other type
   (deletecollection, propagationPolicy Background; one DELETE per object where the type has
   no deletecollection);
3. counts what remains (objects kept by finalizers, or not yet gone) and writes the five
   status conditions `kubectl describe namespace` shows (NamespaceDeletionDiscoveryFailure,
   NamespaceDeletionGroupVersionParsingFailure, NamespaceDeletionContentFailure,
   NamespaceContentRemaining, NamespaceFinalizersRemaining) with their real reasons;
4. once nothing remains, PUTs `/api/v1/namespaces/<name>/finalize` without `kubernetes`, after
   which the API server removes the namespace.

While content remains it requeues itself (and any informer event on the namespace too).
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from typing import Any

from ..client import NAMESPACES, PODS, ApiError, Res
from ._apidiscovery import discover
from .informer import Key
from .runtime import Controller

log = logging.getLogger("trueup.localcluster.controllers")

Obj = dict[str, Any]
FINALIZER = "kubernetes"

# (type, reason when fine, message when fine, reason when failing)
CONDITIONS = (
    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered",
     "DiscoveryFailed"),
    ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions",
     "All legacy kube types successfully parsed", "GroupVersionParsingFailed"),
    ("NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted",
     "ContentDeletionFailed"),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed", "SomeResourcesRemain"),
    ("NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished",
     "SomeFinalizersRemain"),
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def group_resource(res: Res) -> str:
    return f"{res.plural}.{res.group}" if res.group else res.plural


def remaining_messages(remaining: dict[str, int], finalizers: dict[str, int]) -> tuple[str, str]:
    """The messages of NamespaceContentRemaining and NamespaceFinalizersRemaining (pure)."""
    content = ""
    if remaining:
        content = "Some resources are remaining: " + ", ".join(
            f"{gr} has {n} resource instances" for gr, n in sorted(remaining.items()))
    fins = ""
    if finalizers:
        fins = "Some content in the namespace has finalizers remaining: " + ", ".join(
            f"{f} in {n} resource instances" for f, n in sorted(finalizers.items()))
    return content, fins


def deletion_conditions(previous: list[Obj], failures: dict[str, str], now: str) -> list[Obj]:
    """The namespace's deletion conditions (pure).

    `failures` maps a condition type to its failure message; absent types are fine ("False").
    lastTransitionTime only moves when a condition's status changes, as the real controller does.
    """
    old = {str(c.get("type")): c for c in previous}
    out = [c for c in previous if c.get("type") not in {t for t, *_ in CONDITIONS}]
    for ctype, ok_reason, ok_message, failed_reason in CONDITIONS:
        failed = ctype in failures
        cond = {
            "type": ctype,
            "status": "True" if failed else "False",
            "reason": failed_reason if failed else ok_reason,
            "message": failures[ctype] if failed else ok_message,
            "lastTransitionTime": now,
        }
        prior = old.get(ctype)
        if prior is not None and prior.get("status") == cond["status"] and prior.get("lastTransitionTime"):
            cond["lastTransitionTime"] = prior["lastTransitionTime"]
        out.append(cond)
    return out


class NamespaceController(Controller):
    name = "namespace-controller"
    resource = NAMESPACES
    workers = 4

    def _interval(self) -> float:
        return 0.05 if self.settings.timing == "fast" else 1.0

    async def reconcile(self, key: Key) -> float | None:
        ns = self.primary.get("", key[1])
        if ns is None:
            return None
        meta = ns.get("metadata") or {}
        spec_finalizers = list((ns.get("spec") or {}).get("finalizers") or [])
        if not meta.get("deletionTimestamp") or FINALIZER not in spec_finalizers:
            return None
        name = str(meta.get("name"))
        failures: dict[str, str] = {}
        try:
            types = [r for r in await discover(self.client, ("list", "delete")) if r.namespaced]
        except ApiError as exc:
            failures["NamespaceDeletionDiscoveryFailure"] = f"Discovery failed for some groups: {exc}"
            types = []
        types.sort(key=lambda r: r != PODS)  # Pods first
        errors: list[str] = []
        for res in types:
            try:
                await self._delete_all(res, name)
            except ApiError as exc:
                if exc.code not in (404, 405):
                    errors.append(f"failed to delete {group_resource(res)}: {exc.message or exc}")
        if errors:
            failures["NamespaceDeletionContentFailure"] = "Failed to delete all resource types, " \
                f"{len(errors)} remaining: {', '.join(errors)}"
        remaining: dict[str, int] = {}
        finalizers: dict[str, int] = {}
        for res in types:
            try:
                items, _ = await self.client.list(res, name)
            except ApiError:
                continue
            if items:
                remaining[group_resource(res)] = len(items)
                for item in items:
                    for f in (item.get("metadata") or {}).get("finalizers") or []:
                        finalizers[f] = finalizers.get(f, 0) + 1
        content_msg, fin_msg = remaining_messages(remaining, finalizers)
        if content_msg:
            failures["NamespaceContentRemaining"] = content_msg
        if fin_msg:
            failures["NamespaceFinalizersRemaining"] = fin_msg
        await self._write_conditions(ns, failures)
        if failures:
            return self._interval()
        latest = await self.client.get(NAMESPACES, None, name)
        if latest is None:
            return None
        body = copy.deepcopy(latest)
        body.setdefault("spec", {})["finalizers"] = [f for f in spec_finalizers if f != FINALIZER]
        await self.client.update(NAMESPACES, None, name, body, field_manager=self.name, subresource="finalize")
        return None

    async def _delete_all(self, res: Res, namespace: str) -> None:
        options = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}
        try:
            await self.client.request("DELETE", res.path(namespace), body=options)
            return
        except ApiError as exc:
            if exc.code != 405:
                raise
        items, _ = await self.client.list(res, namespace)
        for item in items:
            m = item.get("metadata") or {}
            if not m.get("deletionTimestamp"):
                await self.client.delete(res, namespace, str(m.get("name")), propagation="Background")

    async def _write_conditions(self, ns: Obj, failures: dict[str, str]) -> None:
        status = ns.get("status") or {}
        previous = list(status.get("conditions") or [])
        conditions = deletion_conditions(previous, failures, _now())
        if conditions == previous:
            return
        body = copy.deepcopy(ns)
        body.setdefault("status", {})["conditions"] = conditions
        try:
            await self.client.update(NAMESPACES, None, str(ns["metadata"]["name"]), body,
                                     field_manager=self.name, subresource="status")
        except ApiError as exc:
            if not (exc.conflict or exc.not_found):
                raise
            # A newer version is on its way through the informer; the next pass writes them.
