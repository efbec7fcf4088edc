"""The live set of resource types: built-ins plus whatever CustomResourceDefinitions add.

The API server looks every request up here (by URL path or by apiVersion/kind); discovery and
OpenAPI are generated from it. `revision` changes whenever the set changes, so generated
documents (and the OpenAPI hash kubectl caches by) can be invalidated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .builtin import BUILTIN_TYPES, GROUP_ORDER
from .types import PrinterColumn, ResourceType


def _group_rank(group: str) -> tuple[int, str]:
    try:
        return (GROUP_ORDER.index(group), group)
    except ValueError:
        return (len(GROUP_ORDER), group)


def types_from_crd(crd: Mapping[str, Any]) -> list[ResourceType]:
    """One ResourceType per served version of a CRD object (apiextensions.k8s.io/v1)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group = str(spec.get("group", ""))
    namespaced = spec.get("scope", "Namespaced") == "Namespaced"
    versions = spec.get("versions") or []
    storage = next((str(v.get("name")) for v in versions if v.get("storage")), "")
    out: list[ResourceType] = []
    for v in versions:
        if not v.get("served", True):
            continue
        subs = v.get("subresources") or {}
        sub_names = tuple(n for n in ("scale", "status") if n in subs)
        scale = subs.get("scale") or {}
        scale_paths = (
            str(scale.get("specReplicasPath") or ".spec.replicas"),
            str(scale.get("statusReplicasPath") or ".status.replicas"),
            str(scale.get("labelSelectorPath") or ""),
        )
        schema = (v.get("schema") or {}).get("openAPIV3Schema")
        columns = tuple(
            PrinterColumn(
                name=str(c.get("name", "")),
                type=str(c.get("type", "string")),
                json_path=str(c.get("jsonPath", "")),
                format=str(c.get("format", "")),
                description=str(c.get("description", "")),
                priority=int(c.get("priority", 0) or 0),
            )
            for c in (v.get("additionalPrinterColumns") or [])
        )
        out.append(
            ResourceType(
                group=group,
                version=str(v.get("name", "")),
                kind=str(names.get("kind", "")),
                plural=str(names.get("plural", "")),
                singular=str(names.get("singular") or str(names.get("kind", "")).lower()),
                namespaced=namespaced,
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=sub_names,
                has_generation=True,
                storage_version=storage,
                custom=True,
                printer_columns=columns,
                crd_schema=schema if isinstance(schema, dict) else None,
                scale_paths=scale_paths,
                preserve_unknown_fields=bool(
                    isinstance(schema, dict) and schema.get("x-kubernetes-preserve-unknown-fields")
                ),
            )
        )
    return out


class Registry:
    """Resource types by path and by kind. Not thread-safe; owned by the API server's loop."""

    def __init__(self, builtins: Iterable[ResourceType] = BUILTIN_TYPES) -> None:
        self._builtins = tuple(builtins)
        self._crds: dict[str, tuple[ResourceType, ...]] = {}
        self.revision = 0
        self._rebuild()

    def _rebuild(self) -> None:
        self._by_path: dict[tuple[str, str, str], ResourceType] = {}
        self._by_gvk: dict[tuple[str, str], ResourceType] = {}
        for rt in self.all():
            self._by_path[(rt.group, rt.version, rt.plural)] = rt
            self._by_gvk.setdefault((rt.api_version, rt.kind), rt)
        self.revision += 1

    def all(self) -> list[ResourceType]:
        """Every served resource type, built-ins first, then CRDs, in discovery order."""
        crd_types = [rt for types in self._crds.values() for rt in types]
        return list(self._builtins) + sorted(crd_types, key=lambda r: (r.group, r.version, r.plural))

    def groups(self) -> list[tuple[str, list[str]]]:
        """(group, versions) in discovery order; versions in preference order (first = preferred)."""
        seen: dict[str, list[str]] = {}
        for rt in self.all():
            versions = seen.setdefault(rt.group, [])
            if rt.version not in versions:
                versions.append(rt.version)
        for versions in seen.values():
            versions.sort(key=_version_priority)
        return sorted(seen.items(), key=lambda kv: _group_rank(kv[0]))

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [rt for rt in self.all() if rt.group == group and rt.version == version]

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_path.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        return self._by_gvk.get((api_version, kind))

    def version_of(self, rt: ResourceType, version: str) -> ResourceType | None:
        """The same resource at another served version (multi-version CRDs)."""
        return self._by_path.get((rt.group, version, rt.plural))

    def put_crd(self, crd: Mapping[str, Any]) -> list[ResourceType]:
        name = str((crd.get("metadata") or {}).get("name", ""))
        types = tuple(types_from_crd(crd))
        old = self._crds.get(name)
        # crd_schema is excluded from ResourceType equality (dicts are unhashable): compare it here.
        if old == types and all(a.crd_schema == b.crd_schema for a, b in zip(old, types, strict=True)):
            return list(types)
        self._crds[name] = types
        self._rebuild()
        return list(types)

    def remove_crd(self, name: str) -> None:
        if self._crds.pop(name, None) is not None:
            self._rebuild()

    def crd_types(self, name: str) -> tuple[ResourceType, ...]:
        return self._crds.get(name, ())


def _version_priority(version: str) -> tuple[int, int, int, str]:
    """Kubernetes version priority: GA > beta > alpha, higher numbers first, others last."""
    import re

    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (3, 0, 0, version)
    major = int(m.group(1))
    stage = {"": 0, "beta": 1, "alpha": 2}[m.group(2) or ""]
    minor = int(m.group(3) or 0)
    return (stage, -major, -minor, version)
