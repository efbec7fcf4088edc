"""Markdown for pull-request comments: a summary table, then each differing resource's diff collapsed.

```
### trueup diff: 2 of 7 resources differ
5 synced · 1 out of sync · 1 missing · 0 extra

| Status | Resource | Changed fields | Last changed by |
|---|---|---|---|
| OutOfSync | `apps/Deployment shop/web` | `.spec.replicas` | kubectl |

<details><summary>OutOfSync: apps/Deployment shop/web</summary> … ```diff … ``` </details>
```
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from .render_json import summarize
from .render_text import render_text
from .types import ResourceDiff, SyncStatus

__all__ = ["render_markdown"]

_MAX_FIELDS = 5


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    return f"{fence}{_cell(text)}{fence}"


def _fields(diff: ResourceDiff) -> str:
    if diff.status is SyncStatus.MISSING:
        return "not in the cluster"
    if diff.status is SyncStatus.EXTRA:
        return "not in Git"
    shown = [_code(path) for path in diff.changed_paths[:_MAX_FIELDS]]
    more = len(diff.changes) - _MAX_FIELDS
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _fence(body: str) -> str:
    fence = "```"
    while fence in body:
        fence += "`"
    return fence


def render_markdown(diffs: Iterable[ResourceDiff], title: str = "trueup diff") -> str:
    items = list(diffs)
    counts = summarize(items)
    differing = [d for d in items if not d.in_sync]
    lines = [
        f"### {title}: {len(differing)} of {counts['total']} resources differ" if differing
        else f"### {title}: no differences ({counts['total']} resources in sync)",
        f"{counts['Synced']} synced · {counts['OutOfSync']} out of sync · {counts['Missing']} missing"
        f" · {counts['Extra']} extra",
    ]
    if not differing:
        return "\n".join(lines) + "\n"
    lines += ["", "| Status | Resource | Changed fields | Last changed by |", "|---|---|---|---|"]
    for diff in differing:
        managers = ", ".join(_cell(m) for m in diff.managers)
        lines.append(f"| {diff.status} | {_code(str(diff.key))} | {_fields(diff)} | {managers} |")
    for diff in differing:
        body = render_text(diff).rstrip("\n")
        fence = _fence(body)
        lines += ["", f"<details><summary>{diff.status}: {html.escape(str(diff.key))}</summary>", "",
                  f"{fence}diff", body, fence, "", "</details>"]
    return "\n".join(lines) + "\n"
