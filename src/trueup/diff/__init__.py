"""Diff: desired vs live without false drift (normalization, ignoreDifferences, Secret masking), as text and JSON.

Pure: no cluster or network I/O. The engine asks the API server for a server-side-apply dry run
of each desired object (the "predicted" object) and passes desired, predicted and live here:

    rules = parse_ignore_differences(app["spec"].get("ignoreDifferences"), source="app.yaml")
    diff = compare(manifest, predicted, live, DiffOptions(ignore=rules))
    diff.status            # Synced | OutOfSync | Missing | Extra
    diff.changes           # FieldChange(pointer, path, action, before, after, changed_by)
    render_text(diff, color=True); render_json([diff]); render_markdown([diff])

Modules: `normalize` (what never counts), `quantity`, `listkeys` (list-map keys), `paths`,
`fieldsv1` (managedFields), `ignore`, `mask`, `merge` (offline target), `walk` (the comparison),
`compare`, `render_text`, `render_json`, `render_markdown`, `types`.
"""

from .compare import compare
from .ignore import IgnoreRule, parse_ignore_differences
from .mask import MASK, MASK_CHANGED
from .normalize import normalize
from .quantity import canonical_quantity, format_quantity, parse_quantity
from .render_json import render_json, summarize
from .render_markdown import render_markdown
from .render_text import render_text, render_texts, to_yaml
from .types import (
    ChangeAction,
    DiffError,
    DiffMode,
    DiffOptions,
    FieldChange,
    FieldOwner,
    ResourceDiff,
    SyncStatus,
)

__all__ = [
    "MASK",
    "MASK_CHANGED",
    "ChangeAction",
    "DiffError",
    "DiffMode",
    "DiffOptions",
    "FieldChange",
    "FieldOwner",
    "IgnoreRule",
    "ResourceDiff",
    "SyncStatus",
    "canonical_quantity",
    "compare",
    "format_quantity",
    "normalize",
    "parse_ignore_differences",
    "parse_quantity",
    "render_json",
    "render_markdown",
    "render_text",
    "render_texts",
    "summarize",
    "to_yaml",
]
