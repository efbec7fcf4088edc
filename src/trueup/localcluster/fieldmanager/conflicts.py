"""Apply conflicts and the 409 Status kube-apiserver words for them.

One conflict:  `Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas`
Several:       `Apply failed with N conflicts: ` + per manager (sorted by identifier)
               `conflicts with "m":` and `- <path>` lines, joined by newlines.
The manager is `"m"` [+ ` with subresource "s"`] [+ ` using <apiVersion>` for Update entries].
Each conflict is a cause {reason: FieldManagerConflict, message: "conflict with <manager>", field}.
"""

from __future__ import annotations

from ..errors import APIError
from .fieldset import FieldSet, Path, path_string
from .managed import Entry, Managed


class ApplyConflicts(Exception):
    """Conflicting paths per other manager (identifier → (entry, set))."""

    def __init__(self, conflicts: dict[str, tuple[Entry, FieldSet]]) -> None:
        super().__init__("apply conflicts")
        self.conflicts = conflicts

    def items(self) -> list[tuple[Entry, Path]]:
        out: list[tuple[Entry, Path]] = []
        for ident in sorted(self.conflicts):
            entry, fs = self.conflicts[ident]
            out.extend((entry, p) for p in fs.paths())
        return out

    def as_set(self) -> FieldSet:
        out = FieldSet()
        for _, fs in self.conflicts.values():
            out = out.union(fs)
        return out

    def without(self, allowed: FieldSet) -> ApplyConflicts:
        rest: dict[str, tuple[Entry, FieldSet]] = {}
        for ident, (entry, fs) in self.conflicts.items():
            left = fs.difference(allowed)
            if left:
                rest[ident] = (entry, left)
        return ApplyConflicts(rest)

    def error(self) -> APIError:
        items = self.items()
        causes = [
            {"reason": "FieldManagerConflict", "message": f"conflict with {e.describe()}", "field": path_string(p)}
            for e, p in items
        ]
        if len(items) == 1:
            e, p = items[0]
            message = f"Apply failed with 1 conflict: conflict with {e.describe()}: {path_string(p)}"
        else:
            lines: list[str] = []
            current = ""
            for e, p in items:
                if e.ident != current:
                    current = e.ident
                    lines.append(f"conflicts with {e.describe()}:")
                lines.append(f"- {path_string(p)}")
            message = f"Apply failed with {len(items)} conflicts: " + "\n".join(lines)
        return APIError(409, "Conflict", message, causes=causes)


def find_conflicts(managed: Managed, applier: str, changed: FieldSet) -> ApplyConflicts:
    """Per manager other than `applier`: its set ∩ changed."""
    out: dict[str, tuple[Entry, FieldSet]] = {}
    if changed:
        for ident, entry in managed.items():
            if ident == applier:
                continue
            both = entry.fields.intersection(changed)
            if both:
                out[ident] = (entry, both)
    return ApplyConflicts(out)


__all__ = ["ApplyConflicts", "find_conflicts"]
