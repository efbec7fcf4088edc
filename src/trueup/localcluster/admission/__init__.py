"""Admission for the embedded API server: server-side defaulting and validation. Pure, no I/O.

Public API:

- `apply_defaults(api_version, kind, obj)`: every default kube-apiserver 1.37 applies to a
  built-in object (defaulting functions, default-on admission plugins that need no cluster
  state, the status a new object starts with, canonical quantities), in place; idempotent.
  The registry `DEFAULTERS` is keyed by (group, kind).
- `apply_schema_defaults(obj, schema_raw)`: structural-schema `default`s of a custom resource.
- `prepare_for_update(api_version, kind, old, new)`: what the registry strategies carry over
  from the stored object on update (Namespace finalizers, DaemonSet template generation, CRD
  storedVersions, Service clusterIP when left empty).
- `validate_create(...)`, `validate_update(...)` -> list of causes (`errors.Cause` dicts
  with reason, message, field); `validate_crd(crd)`.
- `unknown_fields(obj, schema)`, `prune_unknown(obj, schema)`: field validation and pruning.
- `validate_schema(obj, schema)`: CRD openAPIV3Schema value validation.
- `default_storage_class_name(pvc, classes)`, `default_ingress_class_name(ingress, classes)`:
  admission defaults that need cluster state, for the API server to call.
- `canonical_quantity(text)`: Kubernetes' canonical quantity string.
"""

from __future__ import annotations

from .crd import validate_crd
from .defaults_crd import apply_schema_defaults
from .helpers import default_ingress_class_name, default_storage_class_name
from .quantity import QuantityError
from .quantity import canonical as canonical_quantity
from .registry import DEFAULTERS, apply_defaults, defaulted_kinds
from .structural import validate_schema
from .unknown import prune_unknown, unknown_fields
from .update import prepare_for_update
from .validation import validate_create, validate_update

__all__ = [
    "DEFAULTERS",
    "QuantityError",
    "apply_defaults",
    "apply_schema_defaults",
    "canonical_quantity",
    "default_ingress_class_name",
    "default_storage_class_name",
    "defaulted_kinds",
    "prepare_for_update",
    "prune_unknown",
    "unknown_fields",
    "validate_crd",
    "validate_create",
    "validate_schema",
    "validate_update",
]
