"""Create, update (PUT) and patch: the write pipeline, in the order kube-apiserver runs it.

    decode → type/namespace checks → field validation (Strict/Warn/Ignore; unknown fields are
    dropped, as typed decoding does) → server-managed metadata → defaulting → allocation →
    validation → managedFields → (dryRun=All stops here) → store

Server-side apply merges first (fieldmanager.apply), then defaults the result, so the applier
owns only what it sent. A write that changes nothing is not stored: no new resourceVersion.
"""

from __future__ import annotations

import secrets

from .. import admission, errors, fieldmanager
from .. import patch as patches
from ..resources import ResourceType
from ..store import AlreadyExists, Conflict, NotFound
from . import codec, hooks
from .state import APIState, Obj, WriteOptions, as_version, check_type, deep_copy, meta, new_uid, now_rfc3339

_GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_SERVER_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation")


def _generated_name(prefix: str) -> str:
    return prefix[:58] + "".join(secrets.choice(_GENERATE_ALPHABET) for _ in range(5))


def _set_namespace(rt: ResourceType, namespace: str, obj: Obj) -> None:
    m = meta(obj)
    if not rt.namespaced:
        m.pop("namespace", None)
        return
    body_ns = m.get("namespace")
    if body_ns and body_ns != namespace:
        raise errors.bad_request(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    m["namespace"] = namespace


def _field_validation(state: APIState, rt: ResourceType, obj: Obj, opts: WriteOptions) -> None:
    schema = state.schema_for(rt)
    if schema.preserve_unknown and not rt.custom:
        return
    unknown = admission.unknown_fields(obj, schema)
    if not unknown:
        return
    if opts.field_validation == "Strict":
        listed = ", ".join(f'unknown field "{u}"' for u in unknown)
        raise errors.bad_request(
            f"{rt.kind} in version \"{rt.version}\" cannot be handled as a {rt.kind}: "
            f"strict decoding error: {listed}"
        )
    if opts.field_validation == "Warn":
        opts.warnings.extend(f'unknown field "{u}"' for u in unknown)
    admission.prune_unknown(obj, schema)


def _validate(state: APIState, rt: ResourceType, obj: Obj, old: Obj | None) -> None:
    name = str(meta(obj).get("name", ""))
    causes = admission.validate_create(rt.api_version, rt.kind, obj, namespaced=rt.namespaced)
    if old is not None:
        causes += admission.validate_update(rt.api_version, rt.kind, old, obj, namespaced=rt.namespaced)
    if rt.custom and rt.crd_schema:
        causes += admission.validate_schema(obj, state.schema_for(rt))
    causes += hooks.validate(state, rt, obj, old)
    if causes:
        raise errors.invalid(rt.kind, name, causes, group=rt.group)


def _require_active_namespace(state: APIState, rt: ResourceType, namespace: str) -> None:
    if not rt.namespaced:
        return
    ns = state.store.get_shared("namespaces", "", namespace)  # read only
    if ns is None:
        raise errors.not_found("namespaces", namespace)
    if (ns.get("status") or {}).get("phase") == "Terminating" or meta(ns).get("deletionTimestamp"):
        raise errors.forbidden(
            f'{rt.kind.lower()}s "{(meta(ns).get("name"))}" is forbidden: unable to create new content in '
            f"namespace {namespace} because it is being terminated"
        )


def _strip_status_on_create(rt: ResourceType, obj: Obj) -> None:
    if rt.has_subresource("status") and rt.kind != "Node":
        obj.pop("status", None)


def create(state: APIState, rt: ResourceType, namespace: str, obj: Obj, opts: WriteOptions,
           *, managed: list[Obj] | None = None) -> Obj:
    """POST a new object (or create-on-apply when `managed` carries the Apply entry)."""
    check_type(rt, obj)
    _set_namespace(rt, namespace, obj)
    m = meta(obj)
    if not m.get("name"):
        if m.get("generateName"):
            m["name"] = _generated_name(str(m["generateName"]))
        else:
            raise errors.invalid(rt.kind, "", [errors.field_cause(
                "metadata.name", "name or generateName is required", "FieldValueRequired")], group=rt.group)
    _require_active_namespace(state, rt, namespace)
    if managed is None:  # create-on-apply: the apply's config was validated (and pruned) before the merge
        _field_validation(state, rt, obj, opts)
    for k in (*_SERVER_META, "resourceVersion", "selfLink"):
        m.pop(k, None)
    m["uid"] = new_uid()
    m["creationTimestamp"] = now_rfc3339()
    if rt.has_generation:
        m["generation"] = 1
    _strip_status_on_create(rt, obj)
    body_managed = m.pop("managedFields", None)
    storage_rt = state.storage_type(rt)
    admission.apply_defaults(rt.api_version, rt.kind, obj)
    hooks.before_create(state, rt, obj, opts.dry_run)
    _validate(state, rt, obj, None)
    schema = state.schema_for(rt)
    if managed is not None:
        m["managedFields"] = managed
    elif isinstance(body_managed, list) and body_managed and all(isinstance(e, dict) and e for e in body_managed):
        m["managedFields"] = body_managed
    else:
        mf = fieldmanager.update_managed_fields(
            None, tracked_view(rt, obj, opts.subresource), schema=schema, manager=opts.manager,
            api_version=rt.api_version,
            now=m["creationTimestamp"], subresource=opts.subresource,
        )
        if mf:
            m["managedFields"] = mf
    stored = as_version(obj, storage_rt)
    if opts.dry_run:
        return as_version(stored, rt)
    try:
        out = state.store.create(storage_rt.storage_key, m.get("namespace", ""), m["name"], stored)
    except AlreadyExists:
        raise errors.already_exists(rt.plural, str(m["name"]), rt.group) from None
    hooks.after_write(state, rt, None, out)
    return as_version(out, rt)


def tracked_view(rt: ResourceType, obj: Obj, subresource: str) -> Obj:
    """What a write through `subresource` can own: main-resource writes of kinds with a status
    subresource never own status; /status writes own only status."""
    if not rt.has_subresource("status"):
        return obj
    if subresource == "status":
        return {k: v for k, v in obj.items() if k in ("apiVersion", "kind", "metadata", "status")} | {
            "metadata": {k: v for k, v in meta(obj).items() if k not in ("labels", "annotations")}}
    if subresource == "":
        return {k: v for k, v in obj.items() if k != "status"}
    return obj


def _get_live(state: APIState, rt: ResourceType, namespace: str, name: str) -> Obj | None:
    return state.store.get(rt.storage_key, namespace, name)


def _spec_changed(old: Obj, new: Obj) -> bool:
    skip = ("metadata", "status", "apiVersion", "kind")
    keys = (set(old) | set(new)) - set(skip)
    return any(old.get(k) != new.get(k) for k in keys)


def _carry_subresource_fields(rt: ResourceType, old: Obj, new: Obj, subresource: str) -> Obj:
    """Main-resource writes keep the live status; /status writes change only status."""
    if subresource == "finalize":
        out = deep_copy(old)
        out.setdefault("spec", {})["finalizers"] = list((new.get("spec") or {}).get("finalizers") or [])
        return out
    if subresource == "status":
        out = deep_copy(old)
        if "status" in new:
            out["status"] = new["status"]
        else:
            out.pop("status", None)
        new_meta = meta(new)
        if "managedFields" in new_meta:
            meta(out)["managedFields"] = new_meta["managedFields"]
        return out
    if rt.kind == "Namespace" and not rt.custom and "finalizers" in (old.get("spec") or {}):
        new.setdefault("spec", {})["finalizers"] = old["spec"]["finalizers"]
    if rt.has_subresource("status"):
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    return new


def commit_update(state: APIState, rt: ResourceType, old: Obj, new: Obj, opts: WriteOptions,
                  *, apply_managed: list[Obj] | None = None) -> Obj:
    """Store `new` as the next version of `old`, enforcing every update rule."""
    check_type(rt, new)
    old_meta = meta(old)
    new_meta = meta(new)
    name = str(old_meta.get("name", ""))
    body_rv = new_meta.get("resourceVersion")
    if body_rv and str(body_rv) != str(old_meta.get("resourceVersion")):
        raise errors.conflict(rt.plural, name, rt.group)
    if new_meta.get("name") not in (None, "", name):
        raise errors.bad_request(f'the name of the object ({new_meta.get("name")}) does not match the name on '
                                 f"the URL ({name})")
    if rt.namespaced and new_meta.get("namespace") not in (None, "", old_meta.get("namespace")):
        raise errors.bad_request(
            "the namespace of the provided object does not match the namespace sent on the request")
    if apply_managed is None:  # an apply's config was validated before the merge; live is valid
        _field_validation(state, rt, new, opts)
    new = _carry_subresource_fields(rt, old, new, opts.subresource)
    new_meta = meta(new)
    for k in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
              "deletionGracePeriodSeconds", "generation"):
        if k in old_meta:
            new_meta[k] = old_meta[k]
        else:
            new_meta.pop(k, None)
    new_meta.pop("selfLink", None)
    if opts.subresource not in ("status", "finalize"):
        # The main resource's strategy (e.g. Namespace keeps spec.finalizers and status); the
        # /status and /finalize strategies are _carry_subresource_fields above.
        admission.prepare_for_update(rt.api_version, rt.kind, old, new)
    admission.apply_defaults(rt.api_version, rt.kind, new)
    hooks.before_update(state, rt, old, new, opts.dry_run)
    _validate(state, rt, new, old)
    if rt.has_generation and _spec_changed(old, new):
        new_meta["generation"] = int(old_meta.get("generation") or 0) + 1
    now = now_rfc3339()
    if apply_managed is not None:
        new_meta["managedFields"] = apply_managed
    else:
        body_mf = new_meta.get("managedFields")
        if opts.subresource or body_mf is None:
            new_meta["managedFields"] = old_meta.get("managedFields") or []
        mf = fieldmanager.update_managed_fields(
            tracked_view(rt, old, opts.subresource), tracked_view(rt, new, opts.subresource),
            schema=state.schema_for(rt), manager=opts.manager,
            api_version=rt.api_version, now=now, subresource=opts.subresource,
        )
        if mf:
            new_meta["managedFields"] = mf
        else:
            new_meta.pop("managedFields", None)
    storage_rt = state.storage_type(rt)
    stored = as_version(new, storage_rt)
    old_cmp = {**old, "metadata": {k: v for k, v in old_meta.items() if k != "resourceVersion"}}
    new_cmp = {**stored, "metadata": {k: v for k, v in new_meta.items() if k != "resourceVersion"}}
    if old_cmp == new_cmp:
        return as_version(old, rt)
    new_meta["resourceVersion"] = old_meta.get("resourceVersion")
    if opts.dry_run:
        return as_version(stored, rt)
    ns = str(old_meta.get("namespace", ""))
    if new_meta.get("deletionTimestamp") and not new_meta.get("finalizers") and not (
        rt.kind == "Namespace" and not rt.custom and (new.get("spec") or {}).get("finalizers")
    ):
        from .deletes import finalize_delete

        return as_version(finalize_delete(state, rt, stored), rt)
    try:
        out = state.store.update(storage_rt.storage_key, ns, name, stored,
                                 expected_rv=int(old_meta["resourceVersion"]))
    except Conflict:
        raise errors.conflict(rt.plural, name, rt.group) from None
    except NotFound:
        raise errors.not_found(rt.plural, name, rt.group) from None
    hooks.after_write(state, rt, old, out)
    return as_version(out, rt)


def update(state: APIState, rt: ResourceType, namespace: str, name: str, obj: Obj, opts: WriteOptions) -> Obj:
    """PUT: replace the object (its status via /status)."""
    live = _get_live(state, rt, namespace, name)
    if live is None:
        raise errors.not_found(rt.plural, name, rt.group)
    return commit_update(state, rt, as_version(live, rt), obj, opts)


def _reset_fields(rt: ResourceType, subresource: str, config: Obj) -> list[tuple[str, ...]]:
    if subresource == "status":
        # /status owns status only: spec and labels (custom resources: all metadata) are reset.
        reset = [(k,) for k in config if k not in ("status", "apiVersion", "kind", "metadata")]
        return [*reset, ("metadata",)] if rt.custom else [*reset, ("metadata", "labels")]
    if rt.has_subresource("status"):
        return [("status",)]
    return []


def patch(state: APIState, rt: ResourceType, namespace: str, name: str, content_type: str, body: bytes,
          opts: WriteOptions) -> tuple[Obj, bool]:
    """PATCH of any type; returns (object, created). Apply patches create absent objects."""
    mt = codec.media_type(content_type)
    if mt not in codec.PATCH_TYPES:
        if mt == codec.APPLY_PATCH_CBOR or mt == codec.PROTOBUF:
            raise codec.refuse_protobuf()
        raise errors.unsupported_media_type(
            f"the body of the request was in an unknown format - accepted media types include: "
            f"{', '.join(codec.PATCH_TYPES)}"
        )
    if opts.force and mt != codec.APPLY_PATCH:
        raise errors.invalid(rt.kind, name, [errors.field_cause(
            "force", "may not be specified for non-apply patch", "FieldValueForbidden")])
    live = _get_live(state, rt, namespace, name)
    if mt == codec.APPLY_PATCH:
        return _apply(state, rt, namespace, name, body, live, opts)
    if live is None:
        raise errors.not_found(rt.plural, name, rt.group)
    current = as_version(live, rt)
    if mt == codec.STRATEGIC_PATCH:
        if rt.custom:
            raise errors.unsupported_media_type(
                "the body of the request was in an unknown format - accepted media types include: "
                "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
            )
        doc = codec.decode_any(body, mt)
        if not isinstance(doc, dict):
            raise errors.bad_request("a strategic merge patch must be a JSON object")
        patched = patches.strategic_merge_patch(current, doc, state.schema_for(rt))
    elif mt == codec.MERGE_PATCH:
        patched = patches.json_merge_patch(current, codec.decode_any(body, mt))
    else:
        patched = patches.json_patch(current, codec.decode_any(body, mt))
    if not isinstance(patched, dict):
        raise errors.bad_request("the patch did not produce an object")
    return commit_update(state, rt, current, patched, opts), False


def _apply(state: APIState, rt: ResourceType, namespace: str, name: str, body: bytes, live: Obj | None,
           opts: WriteOptions) -> tuple[Obj, bool]:
    config = codec.decode_any(body, codec.APPLY_PATCH)
    if not isinstance(config, dict):
        raise errors.bad_request("an apply patch must be an object")
    if config.get("apiVersion") != rt.api_version or config.get("kind") != rt.kind:
        gvk = f"{config.get('apiVersion', '')}, Kind={config.get('kind', '')}"
        raise errors.bad_request(f"invalid object type: {gvk}")
    if not opts.manager_given:
        raise errors.invalid(rt.kind, name, [errors.field_cause(
            "fieldManager", "is required for apply patch", "FieldValueRequired")])
    cm = config.get("metadata")
    if isinstance(cm, dict):
        if cm.get("managedFields") is not None:
            raise errors.bad_request("metadata.managedFields must be nil")
        if cm.get("name") not in (None, "", name):
            raise errors.bad_request(
                f'the name of the object ({cm.get("name")}) does not match the name on the URL ({name})')
    _field_validation(state, rt, config, opts)
    schema = state.schema_for(rt)
    reset = _reset_fields(rt, opts.subresource, config)
    now = now_rfc3339()
    if live is None:
        if opts.subresource:
            raise errors.not_found(rt.plural, name, rt.group)
        if isinstance(cm, dict) and cm.get("uid"):
            raise errors.conflict(rt.plural, name, rt.group, "uid precondition failed for a new object")
        merged = fieldmanager.apply(
            None, config, schema=schema, manager=opts.manager, api_version=rt.api_version,
            force=opts.force, now=now, subresource=opts.subresource, reset_fields=reset,
        )
        mm = meta(merged)
        managed = mm.pop("managedFields", None) or []
        mm["name"] = name
        return create(state, rt, namespace, merged, opts, managed=managed), True
    current = as_version(live, rt)
    merged = fieldmanager.apply(
        current, config, schema=schema, manager=opts.manager, api_version=rt.api_version,
        force=opts.force, now=now, subresource=opts.subresource, reset_fields=reset,
    )
    managed = meta(merged).get("managedFields") or []
    return commit_update(state, rt, current, merged, opts, apply_managed=list(managed)), False


__all__ = ["commit_update", "create", "patch", "update"]
