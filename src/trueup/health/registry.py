"""Which check judges which kind: a (group, kind) registry of built-in and custom checks.

Lookup order for an object of (group, kind): a custom check registered for exactly that key, then
a custom check whose key is a glob pattern (`*.crossplane.io`, `*`) in registration order, then
the built-in check, then (outside the Kubernetes API groups) the generic fallback. A custom check
returning None has no opinion and the lookup continues with the built-in check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from .checks import BUILTIN_CHECKS, HealthCheck, generic_health, is_kubernetes_group

GroupKind = tuple[str, str]


def _is_pattern(key: GroupKind) -> bool:
    return any(ch in part for part in key for ch in "*?[")


@dataclass
class HealthRegistry:
    """Built-in checks plus custom checks (Lua, CEL, or any callable) that override them."""

    builtin: Mapping[GroupKind, HealthCheck] = field(default_factory=lambda: dict(BUILTIN_CHECKS))
    custom: dict[GroupKind, HealthCheck] = field(default_factory=dict)
    use_generic: bool = True

    def register(self, group: str, kind: str, check: HealthCheck) -> None:
        """Add a custom check for (group, kind); either may be a glob pattern. Replaces an earlier one."""
        self.custom[(group, kind)] = check

    def update(self, checks: Mapping[GroupKind, HealthCheck]) -> None:
        for (group, kind), check in checks.items():
            self.register(group, kind, check)

    def custom_check(self, group: str, kind: str) -> HealthCheck | None:
        exact = self.custom.get((group, kind))
        if exact is not None:
            return exact
        for (group_pattern, kind_pattern), check in self.custom.items():
            if _is_pattern((group_pattern, kind_pattern)) and fnmatchcase(group, group_pattern) \
                    and fnmatchcase(kind, kind_pattern):
                return check
        return None

    def builtin_check(self, group: str, kind: str) -> HealthCheck | None:
        check = self.builtin.get((group, kind))
        if check is None and self.use_generic and not is_kubernetes_group(group):
            return generic_health
        return check

    def has_check(self, group: str, kind: str) -> bool:
        """True when a custom or built-in (not generic) check exists for the kind."""
        return self.custom_check(group, kind) is not None or (group, kind) in self.builtin


def default_registry() -> HealthRegistry:
    """The built-in checks and the generic fallback, no custom checks."""
    return HealthRegistry()
