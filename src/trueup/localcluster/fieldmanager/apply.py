"""Server-side apply: merge a configuration into the live object and track field ownership.

Steps (kube-apiserver, structured-merge-diff):
1. an existing object without managedFields: its fields go to the Update entry `before-first-apply`;
2. merge the config into live (config wins; per key for map-lists and granular maps; atomic replaced);
3. the applier's set := the config's fields minus reset fields;
4. prune what the applier owned before, omits now and nobody else owns (a list item stays only if
   another manager owns the item itself);
5. per other manager, owned ∩ (modified + added) are conflicts → 409 unless `force` (which takes them);
   removed fields leave every entry.
The result is not defaulted: the caller defaults and validates it afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import errors
from ..errors import APIError
from ..schema import SchemaNode
from .compare import compare
from .conflicts import ApplyConflicts, find_conflicts
from .fieldset import FieldSet
from .lastapplied import KUBECTL, allowed_conflicts, rewrite_annotation
from .managed import (
    APPLY,
    BEFORE_FIRST_APPLY,
    STRIP,
    UPDATE,
    Entry,
    Managed,
    cap_updates,
    decode_lenient,
    identifier,
    normalize_time,
    strip_meta,
)
from .merge import merge
from .objects import drop_paths, reset_set, with_managed, without_managed
from .walk import ensure_named_fields_are_members, remove_items, typed_fields


def _gvk(api_version: str, kind: Any) -> str:
    group, _, version = api_version.rpartition("/")
    return f"{group}/{version}, Kind={kind or ''}"


def check_apply_request(config: dict[str, Any], schema: SchemaNode, manager: str, api_version: str) -> FieldSet:
    """Reject what kube-apiserver rejects before merging (422, 400, 500); the fields `config` sets."""
    if not manager:
        raise errors.invalid("PatchOptions", "", [errors.field_cause(
            "fieldManager", "Required value: is required for apply patch", "FieldValueRequired")],
            group="meta.k8s.io")
    md = config.get("metadata")
    if isinstance(md, dict) and md.get("managedFields") is not None:
        raise errors.bad_request("metadata.managedFields must be nil")
    errs, fields = typed_fields(config, schema)
    if errs:
        detail = errs[0] if len(errs) == 1 else "errors:\n  " + "\n  ".join(errs)
        raise APIError(500, "",
                       f"failed to create typed patch object ({_gvk(api_version, config.get('kind'))}): {detail}")
    return fields


def apply(
    live: dict[str, Any] | None,
    config: dict[str, Any],
    *,
    schema: SchemaNode,
    manager: str,
    api_version: str,
    force: bool,
    now: str,
    subresource: str = "",
    reset_fields: Sequence[tuple[str, ...]] = (),
) -> dict[str, Any]:
    """Server-side apply of `config` onto `live` (None: create); see the module docstring."""
    fields = check_apply_request(config, schema, manager, api_version)
    now = normalize_time(now)
    cfg = drop_paths(config, reset_fields)
    ignored = reset_set(reset_fields)
    # the applier's set: the config's fields without the reset ones (those and all below them)
    new_set = fields.recursive_difference(ignored)
    if live is None:
        live_obj: dict[str, Any] = {}
        managed: Managed = {}
    else:
        live_obj, raw = without_managed(live)
        managed = decode_lenient(raw)
        if not managed:
            fs = strip_meta(compare(None, live_obj, schema).changed())
            if fs:
                bfa = Entry(BEFORE_FIRST_APPLY, UPDATE, api_version, fs, now)
                managed[bfa.ident] = bfa
    args = (live_obj, cfg, new_set, schema, managed, manager, api_version, now, subresource)
    try:
        merged = _apply(*args, force=force)
    except ApplyConflicts as conflicts:
        if manager != KUBECTL or live is None:
            raise conflicts.error() from None
        allowed = allowed_conflicts(live_obj, schema, api_version)
        if allowed is None:
            raise conflicts.error() from None
        rest = conflicts.without(allowed)
        if rest.conflicts:
            raise rest.error() from None
        merged = _apply(*args, force=True)
    if manager == KUBECTL:
        merged = rewrite_annotation(merged, config)
    return merged


def _apply(live: dict[str, Any], config: dict[str, Any], new_set: FieldSet, schema: SchemaNode, managed: Managed,
           manager: str, api_version: str, now: str, subresource: str, *, force: bool) -> dict[str, Any]:
    ident = identifier(manager, APPLY, api_version, subresource)
    last = managed.get(ident)
    merged: dict[str, Any] = merge(live, config, schema)
    managers = dict(managed)
    managers[ident] = Entry(manager, APPLY, api_version, new_set, last.time if last else None, subresource)
    if last is not None and last.fields:
        merged = _prune(merged, last.fields, managers, schema)
    if last is None and len(managers) == 1:
        # The first apply onto an object nobody manages (a create): no other manager to conflict
        # with or to lose removed fields, and the applier's entry gets `now` either way; the
        # comparison of live and merged (a walk of the whole object) would change nothing.
        mine_only = strip_meta(new_set)
        entry = managers[ident].with_fields(mine_only)
        entry.time = now
        return with_managed(merged, cap_updates({ident: entry} if mine_only else {}))
    cmp = compare(live, merged, schema)
    conflicts = find_conflicts(managers, ident, cmp.changed())
    if conflicts.conflicts and not force:
        raise conflicts
    out: Managed = {}
    for key, entry in managers.items():
        fs = entry.fields
        if key != ident:
            taken = conflicts.conflicts.get(key)
            if taken is not None:
                fs = fs.difference(taken[1])
            fs = fs.difference(cmp.removed)
        fs = strip_meta(fs)
        if fs:
            out[key] = entry.with_fields(fs)
    mine = out.get(ident)
    if mine is not None and (last is None or not cmp.same()):
        mine.time = now
    return with_managed(merged, cap_updates(out))


def _prune(merged: dict[str, Any], last: FieldSet, managers: Managed, schema: SchemaNode) -> dict[str, Any]:
    """Remove what only the applier owned before and nobody (the applier's new set included) owns now."""
    owned = FieldSet()
    for entry in managers.values():
        owned = owned.union(entry.fields)
    if not last.difference(owned):
        # everything owned before is still owned (e.g. a repeated apply): nothing to remove
        return merged
    removal = ensure_named_fields_are_members(last, schema).difference(
        ensure_named_fields_are_members(owned, schema))
    removal = removal.difference(STRIP)
    if not removal:
        return merged
    out: dict[str, Any] = remove_items(merged, removal, schema)
    return out


__all__ = ["apply", "check_apply_request"]
