"""`compare`: one resource's desired, predicted and live state → a `ResourceDiff`.

Two modes, chosen by what the caller has:
- server-side (a predicted object is given): the object the API server returned for a
  server-side-apply dry run of desired (`dryRun=All`, `fieldManager=trueup`, `force=true`) is
  compared with live, both normalized. Defaults, other managers' fields and fields removed from
  Git are all handled by the API server itself, so every difference is real.
- legacy (no predicted object, e.g. `trueup diff --desired D --live L` offline): desired is laid
  over live (`merge.overlay`) so only fields present in desired count.

Then, on both sides: ignore rules, masks (Secret data, sensitive pointers), the walk. Each change
names the manager that last wrote the field in live, read from `metadata.managedFields`.
"""

from __future__ import annotations

from trueup.model import Manifest, ResourceKey

from .fieldsv1 import find_owner, managed_entries
from .ignore import apply_ignore_rules
from .mask import mask_sides
from .merge import overlay
from .normalize import drop_empty, normalize
from .paths import human_path, json_pointer
from .types import DiffError, DiffMode, DiffOptions, FieldChange, Obj, ResourceDiff, SyncStatus
from .walk import diff_trees

__all__ = ["compare"]


def _resource_key(desired: Obj | None, predicted: Obj | None, live: Obj | None) -> ResourceKey:
    observed = live or predicted
    namespace = str(((observed or {}).get("metadata") or {}).get("namespace") or "")
    anchor = desired or predicted or live
    if anchor is None:
        raise DiffError("nothing to compare: neither a desired nor a live object was given")
    return ResourceKey.of(anchor, default_namespace=namespace)


def _drop_equal_annotation(before: Obj | None, after: Obj | None, name: str) -> None:
    """Drop annotation `name` from both sides when both carry the same value (private copies, in place)."""
    if before is None or after is None:
        return
    left = (before.get("metadata") or {}).get("annotations") or {}
    right = (after.get("metadata") or {}).get("annotations") or {}
    if name in left and name in right and left[name] == right[name]:
        for side in (before, after):
            meta = dict(side["metadata"])
            annotations = {k: v for k, v in meta["annotations"].items() if k != name}
            if annotations:
                meta["annotations"] = annotations
            else:
                del meta["annotations"]
            side["metadata"] = meta


def compare(
    desired: Manifest | Obj | None, predicted: Obj | None, live: Obj | None, options: DiffOptions | None = None,
) -> ResourceDiff:
    """Compare one resource. `desired` None → Extra (live only); `live` None → Missing."""
    options = options or DiffOptions()
    manifest = desired if isinstance(desired, Manifest) else (None if desired is None else Manifest(desired))
    desired_obj = manifest.obj if manifest is not None else None
    key = _resource_key(desired_obj, predicted, live)
    mode = DiffMode.SERVER_SIDE if predicted is not None or desired_obj is None else DiffMode.LEGACY

    before = normalize(live) if live is not None else None
    after: Obj | None = None
    if predicted is not None:
        after = normalize(predicted)
    elif desired_obj is not None:
        after = normalize(desired_obj)
        if before is not None:
            after = overlay(before, after)

    if any(rule.matches(key) for rule in options.ignore):
        ignored = apply_ignore_rules(options.ignore, key, live, [before, after])
        before, after = (None if side is None else drop_empty(side) for side in ignored)
    before, after = mask_sides(key, before, after, options.sensitive_pointers)

    source, line = (manifest.source, manifest.line) if manifest is not None else ("", 0)
    if after is None:
        return ResourceDiff(key, SyncStatus.EXTRA, (), before, None, mode, source, line)
    if before is None:
        return ResourceDiff(key, SyncStatus.MISSING, (), None, after, mode, source, line)
    entries = managed_entries(live)
    changes = tuple(
        FieldChange(json_pointer(path), human_path(path), action, old, new, find_owner(entries, before, path))
        for path, action, old, new in diff_trees(before, after)
    )
    status = SyncStatus.OUT_OF_SYNC if changes else SyncStatus.SYNCED
    _drop_equal_annotation(before, after, options.tracking_annotation)  # equal: noise in the rendered diff
    return ResourceDiff(key, status, changes, before, after, mode, source, line)
