"""Server-side apply and metadata.managedFields, as kube-apiserver (structured-merge-diff) does them.

Pure: no I/O. Objects are plain JSON dicts in the request's apiVersion; schemas are
`trueup.localcluster.schema.SchemaNode` (built-in kinds or `crd_root`; unknown content is `any`:
dicts are granular maps, lists atomic).

Public API
----------
apply(live, config, *, schema, manager, api_version, force, now, subresource="", reset_fields=()) -> dict
    Server-side apply of `config` onto `live` (None = create). Returns the merged object, not yet
    defaulted (the caller defaults and validates it), with metadata.managedFields updated
    (absent when no entry is left). A no-op apply returns an object equal to `live`.
    `now` is an RFC3339 time (normalized to UTC whole seconds). `reset_fields` are field-name
    paths, e.g. ("status",), whose config values are neither applied nor owned.
    Raises APIError: 422 when `manager` is empty; 400 `metadata.managedFields must be nil`;
    500 `failed to create typed patch object (<GVK>): ...` for duplicate or keyless list-map
    items and unknown fields of built-in kinds; 409 Conflict with FieldManagerConflict causes.
    Manager `kubectl` gets the last-applied annotation handling (forgiven conflicts, rewrite).

update_managed_fields(old, new, *, schema, manager, api_version, now, subresource="", reset_fields=())
        -> list[dict]
    The managedFields list for a non-apply write of `new` over `old` (None = create): the updater
    takes what it added or changed, removals leave every entry, Update entry per (manager,
    subresource, apiVersion), ancient-changes cap, sorted. `new`'s own managedFields follow the
    body rules (valid non-empty → base; omitted/null/invalid → old's; [] or [{}] → reset;
    ignored for subresources). An existing object without entries stays untracked ([]).

fields_of(obj, schema) -> FieldSet
    The paths an object sets, apply-style (scalars, atomic values, list items, map keys, `{}`/null).

FieldSet
    A path set: union / difference / intersection / recursive_difference, has(path), paths(),
    to_fields_v1() -> dict, FieldSet.from_fields_v1(dict).

compare(lhs, rhs, schema) -> Comparison  (added / modified / removed FieldSets)
path_string(path) -> str                 (`.spec.containers[name="x"].image`)
"""

from __future__ import annotations

from .apply import apply
from .compare import Comparison, compare
from .fieldset import FieldSet, Path, path_string
from .managed import strip_meta
from .update import update_managed_fields
from .walk import fields_of

__all__ = [
    "Comparison",
    "FieldSet",
    "Path",
    "apply",
    "compare",
    "fields_of",
    "path_string",
    "strip_meta",
    "update_managed_fields",
]
