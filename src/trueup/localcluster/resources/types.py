"""What a resource type is: group, version, kind, names, scope, verbs and subresources.

A `ResourceType` is the unit of the API surface. Built-in types are listed as data in
`builtin.py`; custom resource types are derived from CustomResourceDefinitions by `Registry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALL_VERBS: tuple[str, ...] = (
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
)


@dataclass(frozen=True)
class PrinterColumn:
    """One extra Table column of a custom resource (CRD additionalPrinterColumns)."""

    name: str
    type: str
    json_path: str
    format: str = ""
    description: str = ""
    priority: int = 0


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()
    # metadata.generation is set to 1 on create and bumped on spec changes.
    has_generation: bool = False
    # The version objects are stored in (differs from `version` for multi-version CRDs).
    storage_version: str = ""
    # Custom resources only.
    custom: bool = False
    printer_columns: tuple[PrinterColumn, ...] = ()
    # The openAPIV3Schema of a custom resource version (None: no schema / built-in).
    crd_schema: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    # The CRD schema keeps unknown fields (x-kubernetes-preserve-unknown-fields at the root).
    preserve_unknown_fields: bool = False
    # Custom resources with a scale subresource: (specReplicasPath, statusReplicasPath,
    # labelSelectorPath) as JSON paths like ".spec.replicas"; built-ins use spec/status.replicas.
    scale_paths: tuple[str, str, str] = (".spec.replicas", ".status.replicas", "")

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> str:
        return self.api_version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def singular_name(self) -> str:
        return self.singular or self.kind.lower()

    @property
    def group_resource(self) -> str:
        """`deployments.apps`, `pods` — how Status messages name a resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def storage_key(self) -> str:
        """Key prefix in the store: objects of all versions of one resource share it."""
        return f"{self.group}/{self.plural}" if self.group else self.plural

    @property
    def effective_storage_version(self) -> str:
        return self.storage_version or self.version

    def has_subresource(self, name: str) -> bool:
        return name in self.subresources
