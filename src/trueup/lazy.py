"""Package exports imported on first use (PEP 562), so that importing a package does not import
every module it re-exports: `trueup sync` of a plain directory never loads Helm chart pulls,
semver ranges, Lua or CEL health checks, or the markdown diff renderer.

    if TYPE_CHECKING:               # what mypy and readers see
        from .cache import RepoCache
    __getattr__ = lazy_exports(__name__, {"RepoCache": ".cache"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def lazy_exports(package: str, names: dict[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that imports `names[name]` (a module relative to `package`) on first
    access of `name` and keeps the value in the package's namespace."""

    def __getattr__(name: str) -> object:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
