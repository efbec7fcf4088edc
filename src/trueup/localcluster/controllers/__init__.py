"""Controllers of the embedded cluster: watch-driven loops that act only through the API.

`runtime` (Controller, Manager, Settings), `informer` (shared watch caches), `events`
(core/v1 Event recorder). Each controller lives in its own module and is listed in
`registry.ALL_CONTROLLERS`.
"""

from .informer import Cache, Informer, Key, key_of
from .runtime import Context, Controller, Manager, Settings, controller_owner, owner_reference

__all__ = [
    "Cache",
    "Context",
    "Controller",
    "Informer",
    "Key",
    "Manager",
    "Settings",
    "controller_owner",
    "key_of",
    "owner_reference",
]
