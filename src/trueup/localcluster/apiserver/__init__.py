"""The embedded API server: Kubernetes REST semantics over aiohttp, backed by the store.

`build_app` gives the aiohttp application; `APIState` the shared state the verbs act on.
"""

from .allocate import ServiceAllocator
from .app import build_app
from .bootstrap import bootstrap
from .hooks import load_crds
from .state import APIState

__all__ = ["APIState", "ServiceAllocator", "bootstrap", "build_app", "load_crds"]
