"""Per-namespace defaults: the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap.

- serviceaccount-controller: every active namespace has a ServiceAccount `default`; deleting it
  brings it back (as kube-controller-manager's serviceaccount controller does).
- root-ca-cert-publisher: every active namespace has a ConfigMap `kube-root-ca.crt` whose
  `ca.crt` is the CA bundle that verifies the API server (the one the controllers' own client
  trusts, i.e. the cluster CA in `<data-dir>/pki/ca.crt`); edits are reverted and a deleted one
  is recreated. Opt-in for now (`Settings.extra["kube_root_ca"] = True`): the existing suites
  count the ConfigMaps of a namespace and would see the extra one that real clusters have.

Namespaces being deleted get nothing new (the API server would refuse it anyway).
"""

from __future__ import annotations

import copy
from pathlib import Path

from ..client import CONFIGMAPS, NAMESPACES, SERVICEACCOUNTS, ApiError, Client, Res
from .informer import Key, Obj
from .runtime import Controller

ROOT_CA = "kube-root-ca.crt"
ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
    "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
    "distributions of Kubernetes clusters."
)


def _active(ns: Obj | None) -> bool:
    return ns is not None and not (ns.get("metadata") or {}).get("deletionTimestamp") and \
        (ns.get("status") or {}).get("phase") != "Terminating"


class _PerNamespace(Controller):
    """Enqueues a namespace when its managed object (`child`, named `child_name`) changes."""

    resource = NAMESPACES
    child: Res
    child_name = ""

    def setup(self) -> None:
        super().setup()

        def on_child(etype: str, obj: Obj, old: Obj | None) -> None:
            m = obj.get("metadata") or {}
            if m.get("name") == self.child_name:
                self.enqueue(("", str(m.get("namespace", ""))))

        self.informer(self.child).add_handler(on_child)

    async def _create(self, namespace: str, body: Obj) -> None:
        try:
            await self.client.create(self.child, namespace, body, field_manager=self.name)
        except ApiError as exc:
            # 409: created meanwhile (our cache lags); 403/404: the namespace is going away.
            if exc.code not in (409, 403, 404):
                raise


class ServiceAccountController(_PerNamespace):
    name = "serviceaccount-controller"
    child = SERVICEACCOUNTS
    child_name = "default"

    async def reconcile(self, key: Key) -> float | None:
        ns = key[1]
        if not _active(self.primary.get("", ns)):
            return None
        if self.informer(SERVICEACCOUNTS).get(ns, "default") is None:
            await self._create(ns, {"apiVersion": "v1", "kind": "ServiceAccount",
                                    "metadata": {"name": "default", "namespace": ns}})
        return None


def ca_bundle(client: Client) -> str | None:
    """The PEM the client verifies the API server with, or None when it has none."""
    config = client.config
    if config.ca_data:
        return config.ca_data.decode()
    if not config.ca_file:
        return None
    try:
        return Path(config.ca_file).read_text()
    except OSError:
        return None


class RootCACertPublisher(_PerNamespace):
    name = "root-ca-cert-publisher"
    child = CONFIGMAPS
    child_name = ROOT_CA

    async def reconcile(self, key: Key) -> float | None:
        ns = key[1]
        if not self.settings.extra.get("kube_root_ca") or not _active(self.primary.get("", ns)):
            return None
        pem = ca_bundle(self.client)
        if pem is None:
            return None
        current = self.informer(CONFIGMAPS).get(ns, ROOT_CA)
        if current is None:
            await self._create(ns, {
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": ROOT_CA, "namespace": ns,
                             "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}},
                "data": {"ca.crt": pem},
            })
        elif (current.get("data") or {}) != {"ca.crt": pem}:
            body = copy.deepcopy(current)
            body["data"] = {"ca.crt": pem}
            body.pop("binaryData", None)
            await self.client.update(CONFIGMAPS, ns, ROOT_CA, body, field_manager=self.name)
        return None
