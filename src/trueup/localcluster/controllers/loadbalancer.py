"""A simulated AWS load balancer: Service type LoadBalancer and Ingress addresses.

On by default (`Settings.load_balancer`; `trueup cluster up --no-load-balancer` turns it off,
and then LoadBalancer Services and Ingresses stay without an address, `<pending>` in kubectl,
so health checks report Progressing, as on a cluster without a cloud controller).

- service-controller: a Service of type LoadBalancer (no loadBalancerClass, or
  `service.k8s.aws/nlb`) gets the finalizer `service.kubernetes.io/load-balancer-cleanup`,
  Events EnsuringLoadBalancer / EnsuredLoadBalancer, and `status.loadBalancer.ingress`
  `[{hostname: <name>-<16 hex>.elb.us-east-1.amazonaws.com}]` (stable: derived from the UID).
  Deleting it, or changing its type, runs DeletingLoadBalancer / DeletedLoadBalancer, clears
  the status and removes the finalizer.
- aws-load-balancer-controller (Ingress): at start the IngressClass `alb` (controller
  `ingress.k8s.aws/alb`) is created if absent, marked default so an Ingress without a class is
  served by it, as on an EKS cluster where the ALB class is the default. An Ingress of a class
  whose controller is `ingress.k8s.aws/alb` (or with no class, or with the legacy annotation
  `kubernetes.io/ingress.class: alb`) gets the finalizer `ingress.k8s.aws/resources`, the Event
  SuccessfullyReconciled and an ALB hostname `k8s-<ns>-<name>-<10 hex>-<10 digits>.us-east-1.elb.
  amazonaws.com` (the group's name when `alb.ingress.kubernetes.io/group.name` is set, so
  grouped Ingresses share one). Ingresses of other classes are left alone.

Timing: fast assigns at once; realistic after 2-5 s (jittered), as provisioning takes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
from typing import Any

from ..client import INGRESSES, SERVICES, ApiError, Res
from .informer import Key, Obj
from .runtime import Context, Controller

log = logging.getLogger("trueup.localcluster.controllers")

INGRESSCLASSES = Res("networking.k8s.io", "v1", "ingressclasses", "IngressClass", False)
SERVICE_FINALIZER = "service.kubernetes.io/load-balancer-cleanup"
INGRESS_FINALIZER = "ingress.k8s.aws/resources"
ALB_CONTROLLER = "ingress.k8s.aws/alb"
NLB_CLASS = "service.k8s.aws/nlb"
REGION = "us-east-1"


def _meta(obj: Obj) -> Obj:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def service_hostname(svc: Obj) -> str:
    m = _meta(svc)
    name = str(m.get("name", "svc"))[:32].rstrip("-")
    return f"{name}-{_digest(str(m.get('uid', '')))[:16]}.elb.{REGION}.amazonaws.com"


def ingress_hostname(ing: Obj) -> str:
    m = _meta(ing)
    group = (m.get("annotations") or {}).get("alb.ingress.kubernetes.io/group.name")
    if group:
        label, seed = str(group)[:17], f"group/{group}"
    else:
        label, seed = f"{str(m.get('namespace', ''))[:8]}-{str(m.get('name', ''))[:8]}", str(m.get("uid", ""))
    digest = _digest(seed)
    digits = str(int(digest[10:26], 16))[-10:].rjust(10, "0")
    return f"k8s-{label.rstrip('-')}-{digest[:10]}-{digits}.{REGION}.elb.amazonaws.com"


def alb_ingress_class() -> Obj:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": "alb", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"},
                         "labels": {"app.kubernetes.io/name": "aws-load-balancer-controller"}},
            "spec": {"controller": ALB_CONTROLLER}}


def wants_service_lb(svc: Obj) -> bool:
    spec = svc.get("spec") or {}
    return spec.get("type") == "LoadBalancer" and spec.get("loadBalancerClass") in (None, "", NLB_CLASS)


def ingress_is_alb(ing: Obj, classes: dict[str, Obj]) -> bool:
    cls = (ing.get("spec") or {}).get("ingressClassName")
    legacy = (_meta(ing).get("annotations") or {}).get("kubernetes.io/ingress.class")
    if cls:
        found = classes.get(str(cls))
        return found is not None and (found.get("spec") or {}).get("controller") == ALB_CONTROLLER
    return legacy in (None, "", "alb")


def _addresses(obj: Obj) -> list[Any]:
    return list(((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [])


class _LoadBalancer(Controller):
    finalizer = ""
    component = ""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._ready_at: dict[str, float] = {}

    def _delay(self, uid: str) -> float:
        """Seconds until the simulated load balancer of `uid` is provisioned."""
        if self.settings.timing == "fast":
            return 0.0
        now = time.monotonic()
        ready = self._ready_at.setdefault(uid, now + random.uniform(2.0, 5.0))
        return max(ready - now, 0.0)

    async def _patch(self, obj: Obj, body: Obj, subresource: str = "") -> None:
        m = _meta(obj)
        try:
            await self.client.patch(self.resource, str(m.get("namespace")), str(m.get("name")), body,
                                    field_manager=self.name, subresource=subresource)
        except ApiError as exc:
            if not exc.not_found:
                raise

    async def _set_finalizer(self, obj: Obj, present: bool) -> None:
        m = _meta(obj)
        finalizers = list(m.get("finalizers") or [])
        if (self.finalizer in finalizers) == present:
            return
        finalizers = [*finalizers, self.finalizer] if present else [f for f in finalizers if f != self.finalizer]
        await self._patch(obj, {"metadata": {"resourceVersion": m.get("resourceVersion"),
                                             "finalizers": finalizers or None}})

    async def _set_address(self, obj: Obj, hostname: str | None) -> None:
        ingress = [{"hostname": hostname}] if hostname else None
        await self._patch(obj, {"status": {"loadBalancer": {"ingress": ingress}}}, "status")


class ServiceLoadBalancerController(_LoadBalancer):
    name = "service-controller"
    resource = SERVICES
    finalizer = SERVICE_FINALIZER

    async def reconcile(self, key: Key) -> float | None:
        svc = self.primary.get(*key)
        if svc is None:
            return None
        m = _meta(svc)
        uid = str(m.get("uid", ""))
        has_finalizer = self.finalizer in (m.get("finalizers") or [])
        if m.get("deletionTimestamp") or not wants_service_lb(svc):
            if has_finalizer or (_addresses(svc) and not m.get("deletionTimestamp")):
                self.events.record(svc, "Normal", "DeletingLoadBalancer", "Deleting load balancer", component=self.name)
                if _addresses(svc) and not m.get("deletionTimestamp"):
                    await self._set_address(svc, None)
                await self._set_finalizer(svc, False)
                self.events.record(svc, "Normal", "DeletedLoadBalancer", "Deleted load balancer", component=self.name)
            self._ready_at.pop(uid, None)
            return None
        if not self.settings.load_balancer:
            return None
        hostname = service_hostname(svc)
        if [a.get("hostname") for a in _addresses(svc)] == [hostname]:
            return None
        if not has_finalizer:
            await self._set_finalizer(svc, True)
            return None  # the update brings us back with the latest version
        if uid not in self._ready_at:
            self.events.record(svc, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer", component=self.name)
        delay = self._delay(uid)
        self._ready_at.setdefault(uid, time.monotonic())
        if delay > 0:
            return delay
        await self._set_address(svc, hostname)
        self.events.record(svc, "Normal", "EnsuredLoadBalancer", "Ensured load balancer", component=self.name)
        return None


class IngressLoadBalancerController(_LoadBalancer):
    name = "aws-load-balancer-controller"
    resource = INGRESSES
    watches = (INGRESSCLASSES,)
    finalizer = INGRESS_FINALIZER

    def setup(self) -> None:
        super().setup()

        def on_class(etype: str, obj: Obj, old: Obj | None) -> None:
            for ing in self.primary.list():
                self.enqueue((str(_meta(ing).get("namespace", "")), str(_meta(ing).get("name", ""))))

        self.informer(INGRESSCLASSES).add_handler(on_class)

    def start(self) -> None:
        super().start()
        self._tasks.append(asyncio.create_task(self._ensure_class(), name=f"{self.name}-class"))

    async def _ensure_class(self) -> None:
        body = alb_ingress_class()
        for attempt in range(20):
            try:
                if await self.client.get(INGRESSCLASSES, None, "alb") is None:
                    await self.client.create(INGRESSCLASSES, None, body, field_manager=self.name)
                return
            except ApiError as exc:
                if exc.code == 409:
                    return
                log.debug("IngressClass alb not created yet: %s", exc)
            except Exception as exc:
                log.debug("IngressClass alb not created yet: %s", exc)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.1 * (attempt + 1))

    async def reconcile(self, key: Key) -> float | None:
        ing = self.primary.get(*key)
        if ing is None:
            return None
        m = _meta(ing)
        uid = str(m.get("uid", ""))
        classes = {str(_meta(c).get("name")): c for c in self.informer(INGRESSCLASSES).list()}
        if m.get("deletionTimestamp") or not ingress_is_alb(ing, classes):
            if self.finalizer in (m.get("finalizers") or []):
                await self._set_finalizer(ing, False)
            self._ready_at.pop(uid, None)
            return None
        if not self.settings.load_balancer:
            return None
        hostname = ingress_hostname(ing)
        if [a.get("hostname") for a in _addresses(ing)] == [hostname]:
            return None
        if self.finalizer not in (m.get("finalizers") or []):
            await self._set_finalizer(ing, True)
            return None
        delay = self._delay(uid)
        self._ready_at.setdefault(uid, time.monotonic())
        if delay > 0:
            return delay
        await self._set_address(ing, hostname)
        self.events.record(ing, "Normal", "SuccessfullyReconciled", "Successfully reconciled", component="ingress")
        return None
