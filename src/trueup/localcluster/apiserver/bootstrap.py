"""What every cluster has from its first start: system namespaces and the `kubernetes` Service.

Created through the normal write pipeline (defaulted, validated, with managedFields of
`kube-apiserver`), only when absent, so a restart changes nothing.
"""

from __future__ import annotations

from . import writes
from .allocate import KUBERNETES_SERVICE_IP
from .state import APIState, WriteOptions

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def bootstrap(state: APIState, port: int) -> None:
    opts = WriteOptions(manager="kube-apiserver")
    ns_type = state.resource_type("", "v1", "namespaces")
    for name in SYSTEM_NAMESPACES:
        if state.store.get("namespaces", "", name) is None:
            writes.create(state, ns_type, "", {"apiVersion": "v1", "kind": "Namespace",
                                               "metadata": {"name": name}}, WriteOptions(manager="kube-apiserver"))
    if state.store.get("services", "default", "kubernetes") is None:
        svc_type = state.resource_type("", "v1", "services")
        writes.create(state, svc_type, "default", {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {
                "clusterIP": KUBERNETES_SERVICE_IP,
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}],
                "sessionAffinity": "None",
                "type": "ClusterIP",
            },
        }, opts)
