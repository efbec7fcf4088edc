"""Which of several reconciled Applications sharing a name may use it.   [pure]

    holder(doc, same_name_docs)   # None: `doc` holds its name; else the app that does
    clash_message(doc, other)     # the condition / Event text: who holds it, what to do

A tracking id (`trueup.dev/tracking-id: <app>:<group>/<kind>:<ns>/<name>`) names only the app, not
its API group or namespace. Two reconciled Applications with one name (a trueup.dev one and an
argoproj.io one, or Argo CD ones in two reconciled namespaces) would each take the other's objects
for its own, and prune them. So a name is held by one app at a time:

1. the app trueup already works on (its status written by trueup — a managedFields entry of
   manager `trueup` owning `status` — and no name clash reported), so that no app ever takes a
   name, and with it the objects, from a working one: not one created a moment later, nor an
   older one trueup starts reconciling only now (e.g. Argo CD's, once Argo CD's controller goes);
   of two worked on, the one whose status trueup wrote last (an Argo CD app trueup reconciled
   once, then left to Argo CD while a trueup.dev app took its name, does not take it back);
2. then the one created first: creationTimestamp (whole seconds), then namespace, then API group
   (deterministic).

Every other app of that name is not rendered, synced or pruned, and deleting it never cascades
(its tracked objects are the holder's). Once the holder is gone, the next in that order proceeds.
Within one controller process, an app that proceeds also claims its name in memory at once (the
controller's `claims`), before its status says so: two new apps of one name reconciled within the
same few milliseconds (each cache not yet having the other) cannot both proceed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

Obj = dict[str, Any]

CONDITION = "InvalidSpecError"  # Argo CD's type for an app that cannot be worked on as specified
REASON = "NameClash"  # the Event's reason
PREFIX = "name clash: "  # how the condition's message starts
MANAGER = "trueup"  # the controller's field manager (operate.FIELD_MANAGER; not imported: this module is pure)


def _meta(doc: Obj) -> Obj:
    return doc.get("metadata") or {}


def api_group(doc: Obj) -> str:
    return str(doc.get("apiVersion") or "").split("/", 1)[0]


def _clash(condition: Any) -> bool:
    return isinstance(condition, dict) and condition.get("type") == CONDITION \
        and str(condition.get("message") or "").startswith(PREFIX)


def working(doc: Obj) -> bool:
    """trueup works on it: trueup wrote its status (managedFields) and reports no name clash. Needs
    the object as the API returns it (the controller's caches drop managedFields)."""
    status = doc.get("status") or {}
    if any(_clash(c) for c in status.get("conditions") or []):
        return False
    return any(isinstance(m, dict) and m.get("manager") == MANAGER and "f:status" in (m.get("fieldsV1") or {})
               for m in _meta(doc).get("managedFields") or [])


def last_worked(doc: Obj) -> float:
    """When trueup last wrote the app's status (managedFields `time`, epoch seconds; 0 if unknown)."""
    latest = 0.0
    for m in _meta(doc).get("managedFields") or []:
        if isinstance(m, dict) and m.get("manager") == MANAGER and "f:status" in (m.get("fieldsV1") or {}):
            try:
                latest = max(latest, datetime.fromisoformat(str(m.get("time") or "")).timestamp())
            except ValueError:
                continue
    return latest


def order(doc: Obj) -> tuple[int, float, str, str, str]:
    """Who holds the name: the one trueup works on (of two, the one whose status trueup wrote last),
    then creationTimestamp (RFC 3339 UTC, seconds: sorts as text), then namespace, then API group."""
    meta = _meta(doc)
    worked = working(doc)
    return (0 if worked else 1, -last_worked(doc) if worked else 0.0, str(meta.get("creationTimestamp") or ""),
            str(meta.get("namespace") or ""), api_group(doc))


def _same(a: Obj, b: Obj) -> bool:
    ma, mb = _meta(a), _meta(b)
    if ma.get("uid") and mb.get("uid"):
        return bool(ma["uid"] == mb["uid"])
    return (api_group(a), ma.get("namespace"), ma.get("name")) == (api_group(b), mb.get("namespace"), mb.get("name"))


def holder(doc: Obj, same_name: Iterable[Obj]) -> Obj | None:
    """The Application among `same_name` (every reconciled one of `doc`'s name, read from the API;
    `doc` itself may be among them) that holds the name, when it is not `doc`; else None."""
    others = [d for d in same_name if not _same(d, doc)]
    if not others:
        return None
    first = min([doc, *others], key=order)
    return None if first is doc else first


def describe(doc: Obj) -> str:
    """`Application.trueup.dev trueup/web`: kind, API group, namespace and name."""
    meta = _meta(doc)
    return f"{doc.get('kind') or 'Application'}.{api_group(doc)} {meta.get('namespace')}/{meta.get('name')}"


def clash_message(doc: Obj, other: Obj) -> str:
    name = _meta(doc).get("name")
    return (f"{PREFIX}{describe(other)} holds the same name (reconciled already, or created first), and "
            f"trueup tracks an app's objects by name alone (trueup.dev/tracking-id {name}:…), so this app is not "
            f"rendered, synced or pruned, and deleting it deletes none of that app's objects; rename one of the "
            f"two (this app proceeds once {describe(other)} is gone)")


__all__ = ["CONDITION", "MANAGER", "PREFIX", "REASON", "api_group", "clash_message", "describe", "holder",
           "last_worked", "order", "working"]
