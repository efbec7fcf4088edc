"""Resource types the embedded API server serves: built-ins as data, CRD types at run time."""

from .builtin import BUILTIN_TYPES, GROUP_ORDER
from .registry import Registry, types_from_crd
from .types import ALL_VERBS, PrinterColumn, ResourceType

__all__ = [
    "ALL_VERBS",
    "BUILTIN_TYPES",
    "GROUP_ORDER",
    "PrinterColumn",
    "Registry",
    "ResourceType",
    "types_from_crd",
]
