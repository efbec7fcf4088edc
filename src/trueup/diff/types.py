"""The diff vocabulary: sync status, one changed field, one resource's diff, options, errors.

Everything here is plain data. `ResourceDiff.to_dict()` is the structured form used by
`trueup diff -o json` and the API; the text and Markdown renderings live in `render_*`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from trueup.model import ResourceKey

if TYPE_CHECKING:
    from .ignore import IgnoreRule

Obj = dict[str, Any]


class DiffError(ValueError):
    """Bad diff input (an invalid ignore rule, objects that cannot be compared); the message says what to fix."""


class SyncStatus(StrEnum):
    SYNCED = "Synced"
    OUT_OF_SYNC = "OutOfSync"
    MISSING = "Missing"  # desired, not in the cluster
    EXTRA = "Extra"  # in the cluster only (a prune candidate)


class ChangeAction(StrEnum):
    ADDED = "added"  # only in desired: a sync adds it
    REMOVED = "removed"  # only in live: a sync removes it
    CHANGED = "changed"


class DiffMode(StrEnum):
    SERVER_SIDE = "server-side"  # predicted (server-side apply dry run) vs live
    LEGACY = "legacy"  # desired vs live, only fields present in desired count


@dataclass(frozen=True)
class FieldOwner:
    """The managedFields entry that last wrote a field in the live object."""

    manager: str
    operation: str = ""
    subresource: str = ""
    time: str = ""

    def to_dict(self) -> Obj:
        out: Obj = {"manager": self.manager, "operation": self.operation}
        if self.subresource:
            out["subresource"] = self.subresource
        if self.time:
            out["time"] = self.time
        return out


@dataclass(frozen=True)
class FieldChange:
    """One field that differs. `before` is the live value, `after` the desired one (masked for secrets)."""

    pointer: str  # JSON pointer into the object that holds the field: "/spec/template/spec/containers/0/image"
    path: str  # human form: '.spec.template.spec.containers[name="web"].image'
    action: ChangeAction
    before: Any = None
    after: Any = None
    changed_by: FieldOwner | None = None

    def to_dict(self) -> Obj:
        out: Obj = {"path": self.path, "pointer": self.pointer, "action": str(self.action)}
        if self.action is not ChangeAction.ADDED:
            out["before"] = self.before
        if self.action is not ChangeAction.REMOVED:
            out["after"] = self.after
        if self.changed_by is not None:
            out["changedBy"] = self.changed_by.to_dict()
        return out


@dataclass(frozen=True)
class ResourceDiff:
    """Desired vs live for one resource. `live` and `target` are normalized, ignore rules applied, masked."""

    key: ResourceKey
    status: SyncStatus
    changes: tuple[FieldChange, ...] = ()
    live: Obj | None = None
    target: Obj | None = None
    mode: DiffMode = DiffMode.SERVER_SIDE
    source: str = ""  # the desired manifest's file, when known
    line: int = 0

    @property
    def in_sync(self) -> bool:
        return self.status is SyncStatus.SYNCED

    @property
    def changed_paths(self) -> list[str]:
        return [c.path for c in self.changes]

    @property
    def changed_pointers(self) -> list[str]:
        return [c.pointer for c in self.changes]

    @property
    def managers(self) -> list[str]:
        """Distinct managers that last changed the differing fields, in change order."""
        seen: dict[str, None] = {}
        for change in self.changes:
            if change.changed_by is not None:
                seen.setdefault(change.changed_by.manager, None)
        return list(seen)

    def to_dict(self, include_objects: bool = False) -> Obj:
        out: Obj = {
            "group": self.key.group, "kind": self.key.kind, "namespace": self.key.namespace,
            "name": self.key.name, "status": str(self.status), "mode": str(self.mode),
            "changes": [c.to_dict() for c in self.changes],
        }
        if self.source:
            out["source"] = self.source if not self.line else f"{self.source}:{self.line}"
        if include_objects:
            out["live"] = self.live
            out["desired"] = self.target
        return out


@dataclass(frozen=True)
class DiffOptions:
    """How to compare: ignore rules (Argo CD `ignoreDifferences`), extra sensitive fields, our field manager."""

    ignore: tuple[IgnoreRule, ...] = ()
    # JSON pointers (any kind) whose values are masked like Secret data, e.g. "/spec/password".
    sensitive_pointers: tuple[str, ...] = ()
    field_manager: str = "trueup"
    tracking_annotation: str = "trueup.dev/tracking-id"
