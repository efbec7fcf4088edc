"""Start and stop the embedded cluster (credentials, store, API server, kubeconfig)."""

from .kubeconfig import render_kubeconfig, write_kubeconfig
from .lock import DataDirInUse
from .pki import Credentials, ensure_credentials
from .server import DEFAULT_PORT, LocalCluster, free_port

__all__ = [
    "DEFAULT_PORT",
    "Credentials",
    "DataDirInUse",
    "LocalCluster",
    "ensure_credentials",
    "free_port",
    "render_kubeconfig",
    "write_kubeconfig",
]
