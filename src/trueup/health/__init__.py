"""Health: built-in checks per kind, Argo CD Lua scripts and CEL expressions, and the roll-up to an app status.

Pure: no cluster or network I/O. The only files read are custom check definitions
(`load_checks`, `registry_for`) and the object file of the offline `check_file`.

    result = assess(live_obj, registry_for(checks_dir))   # HealthResult | None
    status = roll_up([result, ...])                       # worst of, None skipped
    status = app_health([ResourceHealth(...), ...])       # Argo CD's app roll-up rules
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.lazy import lazy_exports

from .assess import assess
from .checks import BUILTIN_CHECKS, HealthCheck, generic_health
from .errors import HealthCheckError, HealthError, ObjectFileError
from .registry import GroupKind, HealthRegistry, default_registry
from .status import ORDER, HealthResult, HealthStatus, is_worse, roll_up

if TYPE_CHECKING:
    from .app import ResourceHealth, app_health
    from .celexpr import CelHealthCheck
    from .load import load_checks, registry_for
    from .lua import LuaHealthCheck, load_lua_checks
    from .offline import check_file, read_object

__all__ = [
    "BUILTIN_CHECKS",
    "ORDER",
    "CelHealthCheck",
    "GroupKind",
    "HealthCheck",
    "HealthCheckError",
    "HealthError",
    "HealthRegistry",
    "HealthResult",
    "HealthStatus",
    "LuaHealthCheck",
    "ObjectFileError",
    "ResourceHealth",
    "app_health",
    "assess",
    "check_file",
    "default_registry",
    "generic_health",
    "is_worse",
    "load_checks",
    "load_lua_checks",
    "read_object",
    "registry_for",
    "roll_up",
]

__getattr__ = lazy_exports(__name__, {
    "CelHealthCheck": ".celexpr",
    "LuaHealthCheck": ".lua",
    "ResourceHealth": ".app",
    "app_health": ".app",
    "check_file": ".offline",
    "load_checks": ".load",
    "load_lua_checks": ".lua",
    "read_object": ".offline",
    "registry_for": ".load",
})
