"""The garbage collector's dependency graph and its decisions, pure (no I/O).

`Graph` holds one `Node` per object of every watched type (by UID) with its ownerReferences,
and the reverse index owner UID → dependent UIDs (owners that are not, or no longer, in the
graph included: those are the dangling references the collector checks).

`classify` sorts an object's owners into solid / dangling / waiting-for-dependents-deletion and
`decide` says what the collector does with the object, as kube-controller-manager's
attemptToDeleteItem does:

- no owners left solid, none waiting: delete it (propagation from its own finalizers:
  orphan → Orphan, foregroundDeletion → Foreground, else Background);
- some owner solid: drop the references to dangling and waiting owners, keep the object;
- an owner waiting (foreground deletion) and the object has dependents: delete it Foreground;
- an owner waiting and no dependents: delete it (Background).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"


@dataclass
class Node:
    uid: str
    api_version: str
    kind: str
    namespace: str
    name: str
    owners: list[Obj] = field(default_factory=list)
    finalizers: tuple[str, ...] = ()
    deleting: bool = False

    @property
    def deleting_dependents(self) -> bool:
        return self.deleting and FOREGROUND in self.finalizers

    @property
    def orphaning(self) -> bool:
        return self.deleting and ORPHAN in self.finalizers


def node_of(obj: Obj) -> Node:
    m = obj.get("metadata") or {}
    return Node(
        uid=str(m.get("uid", "")),
        api_version=str(obj.get("apiVersion", "")),
        kind=str(obj.get("kind", "")),
        namespace=str(m.get("namespace") or ""),
        name=str(m.get("name", "")),
        owners=[dict(r) for r in m.get("ownerReferences") or [] if r.get("uid")],
        finalizers=tuple(str(f) for f in m.get("finalizers") or []),
        deleting=bool(m.get("deletionTimestamp")),
    )


class Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self._dependents: dict[str, set[str]] = {}

    def upsert(self, node: Node) -> Node | None:
        old = self.nodes.get(node.uid)
        if old is not None:
            for ref in old.owners:
                deps = self._dependents.get(str(ref["uid"]))
                if deps is not None:
                    deps.discard(node.uid)
                    if not deps:
                        del self._dependents[str(ref["uid"])]
        self.nodes[node.uid] = node
        for ref in node.owners:
            self._dependents.setdefault(str(ref["uid"]), set()).add(node.uid)
        return old

    def remove(self, uid: str) -> Node | None:
        old = self.nodes.pop(uid, None)
        if old is not None:
            for ref in old.owners:
                deps = self._dependents.get(str(ref["uid"]))
                if deps is not None:
                    deps.discard(uid)
                    if not deps:
                        del self._dependents[str(ref["uid"])]
        return old

    def get(self, uid: str) -> Node | None:
        return self.nodes.get(uid)

    def dependents(self, uid: str) -> list[Node]:
        return [self.nodes[d] for d in sorted(self._dependents.get(uid, ())) if d in self.nodes]

    def blocking_dependents(self, uid: str) -> list[Node]:
        """Dependents whose reference to `uid` has blockOwnerDeletion: true."""
        return [d for d in self.dependents(uid)
                if any(r.get("uid") == uid and r.get("blockOwnerDeletion") for r in d.owners)]

    def __len__(self) -> int:
        return len(self.nodes)


# Owner states as the collector sees them after checking each reference.
SOLID, DANGLING, WAITING = "solid", "dangling", "waiting"


def classify(owners: list[Obj], state_of: dict[str, str]) -> tuple[list[Obj], list[Obj], list[Obj]]:
    """Split references into (solid, dangling, waiting) by `state_of[uid]` (unknown: solid)."""
    solid: list[Obj] = []
    dangling: list[Obj] = []
    waiting: list[Obj] = []
    for ref in owners:
        st = state_of.get(str(ref.get("uid")), SOLID)
        (dangling if st == DANGLING else waiting if st == WAITING else solid).append(ref)
    return solid, dangling, waiting


@dataclass(frozen=True)
class Decision:
    action: str  # "none" | "delete" | "remove-refs"
    propagation: str = ""
    remove_uids: tuple[str, ...] = ()


def decide(node: Node, state_of: dict[str, str], has_dependents: bool) -> Decision:
    """What to do with an object whose owners are in `state_of` (see module doc)."""
    if not node.owners or (node.deleting and not node.deleting_dependents):
        return Decision("none")
    solid, dangling, waiting = classify(node.owners, state_of)
    if solid:
        if not dangling and not waiting:
            return Decision("none")
        return Decision("remove-refs", remove_uids=tuple(str(r["uid"]) for r in (*dangling, *waiting)))
    if node.deleting:
        return Decision("none")  # already deleting its own dependents
    if waiting and has_dependents:
        return Decision("delete", "Foreground")
    if ORPHAN in node.finalizers:
        return Decision("delete", "Orphan")
    if FOREGROUND in node.finalizers:
        return Decision("delete", "Foreground")
    return Decision("delete", "Background")


def without_owner_refs(owners: list[Obj], uids: set[str]) -> list[Obj]:
    return [r for r in owners if str(r.get("uid")) not in uids]
