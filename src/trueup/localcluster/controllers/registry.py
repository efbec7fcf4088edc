"""Every controller the embedded cluster runs: each Controller subclass defined in a module of
this package (with a `name`), ordered by its `order` then name. Adding a controller is adding a
module; nothing to register by hand."""

from __future__ import annotations

import importlib
import pkgutil

from .runtime import Controller

_INFRASTRUCTURE = frozenset({"events", "informer", "registry", "runtime"})


def all_controllers() -> list[type[Controller]]:
    package = __name__.rsplit(".", 1)[0]
    found: dict[str, type[Controller]] = {}
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if info.name in _INFRASTRUCTURE or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Controller) and value is not Controller
                    and value.__module__ == module.__name__ and value.name):
                found[value.name] = value
    return sorted(found.values(), key=lambda c: (c.order, c.name))
