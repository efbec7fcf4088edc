"""Get and list: selectors, paging, resourceVersion semantics, and response shapes.

A list answers with the objects as of the store's current resourceVersion (which is also the
list's `metadata.resourceVersion`, the point a following watch resumes from). Label and field
selectors filter; `limit`/`continue` page. Responses are plain lists, Tables (kubectl get) or
PartialObjectMetadataLists, as the Accept header asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import errors, query
from ..resources import ResourceType
from ..store import Expired, InvalidContinue
from .codec import Accept
from .state import APIState, Obj, as_version, meta

Predicate = Callable[[Obj], bool]


@dataclass(frozen=True)
class ListOptions:
    label_selector: str = ""
    field_selector: str = ""
    limit: int = 0
    continue_token: str = ""
    resource_version: str = ""
    resource_version_match: str = ""


def pinned_name(rt: ResourceType, opts: ListOptions) -> str | None:
    """The one object name a `metadata.name=x` field selector pins (kubectl wait/delete watch so)."""
    if not opts.field_selector:
        return None
    return query.parse_field_selector(opts.field_selector, rt.api_version, rt.kind).requires("metadata.name")


def predicate(rt: ResourceType, opts: ListOptions) -> Predicate | None:
    """One function deciding whether an object matches the label and field selectors."""
    checks: list[Predicate] = []
    if opts.label_selector:
        ls = query.parse_label_selector(opts.label_selector)
        checks.append(lambda o: ls.matches(meta(o).get("labels") or {}))
    if opts.field_selector:
        fs = query.parse_field_selector(opts.field_selector, rt.api_version, rt.kind)
        checks.append(fs.matches)
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda o: all(c(o) for c in checks)


def get(state: APIState, rt: ResourceType, namespace: str, name: str) -> Obj:
    obj = state.store.get(rt.storage_key, namespace, name)
    if obj is None:
        raise errors.not_found(rt.plural, name, rt.group)
    return as_version(obj, rt)


def list_objects(state: APIState, rt: ResourceType, namespace: str | None,
                 opts: ListOptions) -> tuple[list[Obj], int, str | None]:
    """The matching objects, the list resourceVersion and the next continue token."""
    match = predicate(rt, opts)
    if opts.resource_version and opts.resource_version_match == "Exact":
        rv = _parse_rv(opts.resource_version)
        if rv != state.store.current_rv:
            raise errors.gone(
                f"too old resource version: {rv} ({state.store.current_rv}); only the current "
                "resourceVersion can be listed exactly")
    name = pinned_name(rt, opts)
    if name is not None and namespace is not None and not opts.continue_token:
        # One object: read it, not the whole collection.
        obj = state.store.get(rt.storage_key, namespace, name)
        items = [as_version(obj, rt)] if obj is not None and (match is None or match(obj)) else []
        return items, state.store.current_rv, None
    try:
        if match is None:
            items, rv, next_token = state.store.list(rt.storage_key, namespace, limit=opts.limit,
                                                     continue_token=opts.continue_token or None)
            return [as_version(o, rt) for o in items], rv, next_token
        # Filtered paging: store pages of at most the remaining limit, so a page never holds more
        # than `limit` matches; it may hold fewer (the API allows that) with a continue token.
        out: list[Obj] = []
        token: str | None = opts.continue_token or None
        list_rv = 0
        while True:
            remaining = opts.limit - len(out) if opts.limit else 0
            items, rv, token = state.store.list(rt.storage_key, namespace, limit=remaining,
                                                continue_token=token)
            list_rv = list_rv or rv
            out.extend(as_version(o, rt) for o in items if match(o))
            if not token or (opts.limit and len(out) >= opts.limit):
                break
        return out, list_rv, token
    except Expired:
        raise errors.gone("The provided continue parameter is too old to display a consistent list "
                          "result. You can start a new list without the continue parameter.") from None
    except InvalidContinue:
        raise errors.bad_request("invalid continue token; start a new list without it") from None


def _parse_rv(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise errors.bad_request(f'invalid resource version "{text}"') from None


def list_body(rt: ResourceType, items: list[Obj], rv: int, token: str | None, accept: Accept) -> dict[str, Any]:
    if accept.as_kind == "Table":
        return query.to_table(rt, items, include_object=accept.include_object, list_rv=str(rv),
                              continue_token=token or "")
    list_meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if token:
        list_meta["continue"] = token
    if accept.as_kind.startswith("PartialObjectMetadata"):
        return {
            "kind": "PartialObjectMetadataList",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": list_meta,
            "items": [partial(o) for o in items],
        }
    return {"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": list_meta, "items": items}


def partial(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta(obj)}


def object_body(rt: ResourceType, obj: Obj, accept: Accept) -> dict[str, Any]:
    if accept.as_kind == "Table":
        return query.to_table(rt, [obj], include_object=accept.include_object,
                              list_rv=str(meta(obj).get("resourceVersion", "")))
    if accept.as_kind == "PartialObjectMetadata":
        return partial(obj)
    return obj
