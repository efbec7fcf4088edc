"""Endpoints and EndpointSlices of Services, from their selectors and the Pods (endpoints_build).

- endpoint-controller: one Endpoints object per Service with a selector, named like it, labels
  copied from the Service (plus `service.kubernetes.io/headless` for headless ones); deleted
  with the Service. Services without a selector are left to their users, except
  `default/kubernetes`, whose Endpoints (and EndpointSlice `kubernetes`) point at the API
  server itself: the host and port of the controllers' own client URL (as kube-apiserver's
  endpoint reconciler does).
- endpointslice-controller: EndpointSlices `<service>-<random>` owned by the Service (so the
  garbage collector removes them), labelled `kubernetes.io/service-name` and
  `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`; existing slices
  are updated in place (matched by port set), extra ones deleted.

Every write carries the cached resourceVersion (409 → retried by the runtime).
"""

from __future__ import annotations

import copy
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from ..client import ENDPOINTS, ENDPOINTSLICES, NODES, PODS, SERVICES, ApiError
from . import endpoints_build as eb
from .informer import Key, Obj
from .runtime import Controller

APISERVER_SERVICE = ("default", "kubernetes")


def _meta(obj: Obj) -> Obj:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def apiserver_address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    host = parts.hostname or "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            host = socket.gethostbyname(host)
        except OSError:
            host = "127.0.0.1"
    return host, int(parts.port or 443)


class _ServiceEndpoints(Controller):
    resource = SERVICES

    def setup(self) -> None:
        super().setup()

        def on_pod(etype: str, obj: Obj, old: Obj | None) -> None:
            ns = str(_meta(obj).get("namespace", ""))
            services = self.primary.list(namespace=ns)
            for svc in services:
                if any(o is not None and eb.selects(svc, o) for o in (obj, old)):
                    self.enqueue((ns, str(_meta(svc).get("name", ""))))

        self.informer(PODS).add_handler(on_pod)

    def _apiserver(self) -> tuple[str, int]:
        return apiserver_address(self.client.base_url)


class EndpointsController(_ServiceEndpoints):
    name = "endpoint-controller"
    watches = (PODS, ENDPOINTS)
    workers = 4

    def setup(self) -> None:
        super().setup()

        def on_endpoints(etype: str, obj: Obj, old: Obj | None) -> None:
            self.enqueue((str(_meta(obj).get("namespace", "")), str(_meta(obj).get("name", ""))))

        self.informer(ENDPOINTS).add_handler(on_endpoints)

    async def reconcile(self, key: Key) -> float | None:
        ns, name = key
        svc = self.primary.get(ns, name)
        current = self.informer(ENDPOINTS).get(ns, name)
        if svc is None:
            if current is not None:
                await self.client.delete(ENDPOINTS, ns, name)
            return None
        labels: dict[str, str]
        if key == APISERVER_SERVICE:
            ip, port = self._apiserver()
            subsets: list[Obj] = [{"addresses": [{"ip": ip}],
                                   "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]
            labels = {"endpointslice.kubernetes.io/skip-mirror": "true"}
        elif not (svc.get("spec") or {}).get("selector") or (svc.get("spec") or {}).get("type") == "ExternalName":
            return None
        else:
            subsets = eb.endpoint_subsets(svc, self.informer(PODS).list(namespace=ns))
            labels = eb.service_labels(svc)
        if current is None:
            body: Obj = {"apiVersion": "v1", "kind": "Endpoints",
                         "metadata": {"name": name, "namespace": ns, "labels": labels}}
            if subsets:
                body["subsets"] = subsets
            try:
                await self.client.create(ENDPOINTS, ns, body, field_manager=self.name)
            except ApiError as exc:
                if exc.code not in (409, 403, 404):
                    raise
            return None
        if (current.get("subsets") or []) == subsets and (_meta(current).get("labels") or {}) == labels:
            return None
        updated = copy.deepcopy(current)
        _meta(updated)["labels"] = labels
        if subsets:
            updated["subsets"] = subsets
        else:
            updated.pop("subsets", None)
        await self.client.update(ENDPOINTS, ns, name, updated, field_manager=self.name)
        return None


class EndpointSliceController(_ServiceEndpoints):
    name = "endpointslice-controller"
    owns = (ENDPOINTSLICES,)
    watches = (PODS, NODES)
    workers = 4

    def _zones(self) -> dict[str, str]:
        out = {}
        for node in self.informer(NODES).list():
            zone = (_meta(node).get("labels") or {}).get(eb.ZONE_LABEL)
            if zone:
                out[str(_meta(node).get("name"))] = str(zone)
        return out

    async def reconcile(self, key: Key) -> float | None:
        ns, name = key
        svc = self.primary.get(ns, name)
        if svc is None:
            return None  # the garbage collector removes the slices it owns
        if key == APISERVER_SERVICE:
            await self._apiserver_slice()
            return None
        spec = svc.get("spec") or {}
        if not spec.get("selector") or spec.get("type") == "ExternalName":
            return None
        uid = str(_meta(svc).get("uid", ""))
        existing = [s for s in self.informer(ENDPOINTSLICES).owned_by(uid)
                    if (_meta(s).get("labels") or {}).get(eb.MANAGED_BY) == eb.CONTROLLER_NAME]
        desired = eb.slice_groups(svc, self.informer(PODS).list(namespace=ns), self._zones())
        labels = {**eb.service_labels(svc), eb.SERVICE_NAME: name, eb.MANAGED_BY: eb.CONTROLLER_NAME}
        placeholder = desired == [((), [])]
        unused = sorted(existing, key=lambda s: str(_meta(s).get("name")))
        for ports, endpoints in desired:
            want = eb.slice_body(svc, ports, endpoints, placeholder)
            match = next((s for s in unused if eb.slice_ports_key(s) == ports), None)
            if match is None:
                await self._create(svc, ns, name, labels, want)
                continue
            unused.remove(match)
            same = all(match.get(k) == want.get(k) for k in ("addressType", "endpoints", "ports"))
            if same and (_meta(match).get("labels") or {}) == labels:
                continue
            updated = copy.deepcopy(match)
            updated.update(want)
            if "ports" not in want:
                updated.pop("ports", None)
            _meta(updated)["labels"] = labels
            await self.client.update(ENDPOINTSLICES, ns, str(_meta(match).get("name")), updated,
                                     field_manager=self.name)
        for stale in unused:
            await self.client.delete(ENDPOINTSLICES, ns, str(_meta(stale).get("name")),
                                     preconditions={"uid": _meta(stale).get("uid")})
        return None

    async def _create(self, svc: Obj, ns: str, name: str, labels: dict[str, str], want: Obj) -> None:
        m = _meta(svc)
        body: dict[str, Any] = {
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"generateName": f"{name}-", "namespace": ns, "labels": labels,
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name,
                                              "uid": m.get("uid", ""), "controller": True,
                                              "blockOwnerDeletion": True}]},
            **want,
        }
        try:
            await self.client.create(ENDPOINTSLICES, ns, body, field_manager=self.name)
        except ApiError as exc:
            if exc.code not in (403, 404):  # the namespace is going away
                raise

    async def _apiserver_slice(self) -> None:
        ip, port = self._apiserver()
        ns, name = APISERVER_SERVICE
        want: Obj = {"addressType": "IPv4",
                     "endpoints": [{"addresses": [ip], "conditions": {"ready": True}}],
                     "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}
        labels = {eb.SERVICE_NAME: name}
        current = self.informer(ENDPOINTSLICES).get(ns, name)
        if current is None:
            try:
                await self.client.create(ENDPOINTSLICES, ns, {"apiVersion": "discovery.k8s.io/v1",
                                                              "kind": "EndpointSlice",
                                                              "metadata": {"name": name, "namespace": ns,
                                                                           "labels": labels}, **want},
                                         field_manager=self.name)
            except ApiError as exc:
                if exc.code != 409:
                    raise
            return
        if all(current.get(k) == v for k, v in want.items()):
            return
        updated = copy.deepcopy(current)
        updated.update(want)
        await self.client.update(ENDPOINTSLICES, ns, name, updated, field_manager=self.name)
