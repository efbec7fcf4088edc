"""Load custom health checks from a directory (the only file reading the health package does).

A checks directory may hold, together:
- Argo CD Lua scripts laid out as `resource_customizations`: `<group>/<kind>/health.lua`
  (core kinds: `<kind>/health.lua`, `_/<kind>/health.lua` or `core/<kind>/health.lua`);
- top-level YAML/JSON files with Flux CEL checks: a list of `healthCheckExprs` entries, a mapping
  with a `healthCheckExprs` list, or a Flux Kustomization (its `spec.healthCheckExprs`);
- top-level `argocd-cm` style ConfigMaps whose `resource.customizations.health.<group>_<kind>`
  keys hold Lua scripts (a glob such as `*.crossplane.io_*` is allowed, as in Argo CD).
A top-level YAML file that is none of these is an error (`HealthCheckError` naming the file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from trueup.model import group_of

from .checks import HealthCheck
from .errors import HealthCheckError
from .registry import GroupKind, HealthRegistry

# The CEL and Lua runtimes are imported when a checks directory is loaded, not by every command.

_CM_PREFIX = "resource.customizations.health."
_DATA_SUFFIXES = (".yaml", ".yml", ".json")


def _documents(path: Path) -> Iterator[Any]:
    try:
        yield from yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as err:
        raise HealthCheckError(f"{path}: not valid YAML/JSON ({err}); fix the file or move it out of the "
                               "checks directory") from err


def _cel_entries(doc: Any) -> list[Any] | None:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        if isinstance(doc.get("healthCheckExprs"), list):
            return list(doc["healthCheckExprs"])
        spec = doc.get("spec")
        if isinstance(spec, dict) and isinstance(spec.get("healthCheckExprs"), list):
            return list(spec["healthCheckExprs"])
    return None


def _cel_checks(path: Path, entries: list[Any]) -> dict[GroupKind, HealthCheck]:
    from .celexpr import CelHealthCheck

    checks: dict[GroupKind, HealthCheck] = {}
    for index, entry in enumerate(entries):
        where = f"{path}: healthCheckExprs[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("apiVersion"), str) \
                or not isinstance(entry.get("kind"), str):
            raise HealthCheckError(f"{where}: each entry needs apiVersion and kind (strings) and a current "
                                   "expression")
        exprs = {k: entry[k] for k in ("current", "inProgress", "failed") if entry.get(k) is not None}
        checks[(group_of(entry["apiVersion"]), entry["kind"])] = CelHealthCheck(
            entry["apiVersion"], entry["kind"], exprs, where=where)
    return checks


def _configmap_checks(path: Path, doc: dict[str, Any]) -> dict[GroupKind, HealthCheck]:
    from .lua import LuaHealthCheck

    checks: dict[GroupKind, HealthCheck] = {}
    data = doc.get("data") or {}
    for key, script in data.items() if isinstance(data, dict) else ():
        if not (isinstance(key, str) and key.startswith(_CM_PREFIX) and isinstance(script, str)):
            continue
        group, _, kind = key.removeprefix(_CM_PREFIX).rpartition("_")
        checks[(group, kind)] = LuaHealthCheck(script, f"{path}#data.{key}")
    return checks


def load_checks(checks_dir: str | Path) -> dict[GroupKind, HealthCheck]:
    """All custom checks found in `checks_dir`, keyed by (group, kind)."""
    root = Path(checks_dir)
    if not root.is_dir():
        raise HealthCheckError(f"{root}: the checks directory does not exist or is not a directory")
    from .lua import load_lua_checks

    checks: dict[GroupKind, HealthCheck] = dict(load_lua_checks(root))
    for path in sorted(p for p in root.iterdir() if p.is_file() and p.suffix in _DATA_SUFFIXES):
        for doc in _documents(path):
            if doc is None:
                continue
            if isinstance(doc, dict) and doc.get("kind") == "ConfigMap":
                checks.update(_configmap_checks(path, doc))
                continue
            entries = _cel_entries(doc)
            if entries is None:
                raise HealthCheckError(
                    f"{path}: not a health check file: expected a healthCheckExprs list, a Flux Kustomization "
                    "or an argocd-cm ConfigMap; move other files out of the checks directory")
            checks.update(_cel_checks(path, entries))
    return checks


def registry_for(checks_dir: str | Path | None = None) -> HealthRegistry:
    """The built-in checks, overridden by the custom checks in `checks_dir` (if given)."""
    registry = HealthRegistry()
    if checks_dir is not None:
        registry.update(load_checks(checks_dir))
    return registry
