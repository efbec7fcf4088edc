"""The embedded API server: Kubernetes REST semantics over aiohttp, backed by the store.

`build_server` gives the aiohttp (low-level) server; `APIState` the shared state the verbs act on.
"""

from .allocate import ServiceAllocator
from .app import build_server
from .bootstrap import bootstrap
from .hooks import load_crds
from .state import APIState

__all__ = ["APIState", "ServiceAllocator", "bootstrap", "build_server", "load_crds"]
