"""Per-kind behaviour on writes that needs cluster state (the pure parts live in `admission`).

- CustomResourceDefinition: validated, given status (acceptedNames, NamesAccepted and
  Established conditions, storedVersions) and registered so its kinds are served at once;
  deleting it deletes every custom resource of it, then unregisters it.
- Service: ClusterIP and NodePort allocation (kept across updates, released on delete).
- PersistentVolumeClaim: the default StorageClass (DefaultStorageClass admission).
- Pod: a `spec.nodeName` may not change once set.
"""

from __future__ import annotations

from .. import admission, errors
from ..errors import Cause
from ..resources import ResourceType
from .state import APIState, Obj, meta, now_rfc3339

_CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")


def _is(rt: ResourceType, group: str, kind: str) -> bool:
    return rt.group == group and rt.kind == kind and not rt.custom


def validate(state: APIState, rt: ResourceType, obj: Obj, old: Obj | None) -> list[Cause]:
    if _is(rt, *_CRD):
        return admission.validate_crd(obj)
    return []


def _crd_status(crd: Obj, old: Obj | None) -> None:
    spec = crd.get("spec") or {}
    names = dict(spec.get("names") or {})
    names.setdefault("singular", str(names.get("kind", "")).lower())
    names.setdefault("listKind", f"{names.get('kind', '')}List")
    status = crd.get("status") if isinstance(crd.get("status"), dict) else {}
    assert isinstance(status, dict)
    now = now_rfc3339()
    previous = {c.get("type"): c for c in (status.get("conditions") or []) if isinstance(c, dict)}

    def cond(ctype: str, reason: str, message: str) -> Obj:
        old_c = previous.get(ctype)
        if old_c and old_c.get("status") == "True":
            return old_c
        return {"type": ctype, "status": "True", "lastTransitionTime": now, "reason": reason, "message": message}

    status["acceptedNames"] = names
    status["conditions"] = [
        cond("NamesAccepted", "NoConflicts", "no conflicts found"),
        cond("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ]
    stored = list(status.get("storedVersions") or [])
    for v in spec.get("versions") or []:
        if v.get("storage") and v.get("name") not in stored:
            stored.append(v.get("name"))
    status["storedVersions"] = stored
    crd["status"] = status


def _default_storage_class(state: APIState, pvc: Obj) -> None:
    spec = pvc.setdefault("spec", {})
    if "storageClassName" in spec:
        return
    annotations = meta(pvc).get("annotations") or {}
    if "volume.beta.kubernetes.io/storage-class" in annotations:
        return
    classes, _, _ = state.store.list("storage.k8s.io/storageclasses", None)
    name = admission.default_storage_class_name(pvc, classes)
    if name:
        spec["storageClassName"] = name


def before_create(state: APIState, rt: ResourceType, obj: Obj, dry_run: bool) -> None:
    if _is(rt, *_CRD):
        _crd_status(obj, None)
    elif _is(rt, "", "Service") and state.allocator is not None:
        state.allocator.assign(obj, None, dry_run)
    elif _is(rt, "", "PersistentVolumeClaim"):
        _default_storage_class(state, obj)


def before_update(state: APIState, rt: ResourceType, old: Obj, new: Obj, dry_run: bool) -> None:
    if _is(rt, *_CRD):
        _crd_status(new, old)
    elif _is(rt, "", "Service") and state.allocator is not None:
        state.allocator.assign(new, old, dry_run)
    elif _is(rt, "", "Pod"):
        old_node = (old.get("spec") or {}).get("nodeName")
        if old_node and (new.get("spec") or {}).get("nodeName") != old_node:
            raise errors.invalid("Pod", str(meta(old).get("name", "")), [errors.field_cause(
                "spec.nodeName", "field is immutable once set", "FieldValueForbidden")])


def after_write(state: APIState, rt: ResourceType, old: Obj | None, new: Obj) -> None:
    if _is(rt, *_CRD):
        state.registry.put_crd(new)


def after_delete(state: APIState, rt: ResourceType, obj: Obj) -> None:
    if _is(rt, *_CRD):
        name = str(meta(obj).get("name", ""))
        types = state.registry.crd_types(name)
        if types:
            key = types[0].storage_key
            items, _, _ = state.store.list(key, None)
            for item in items:
                m = meta(item)
                state.store.delete(key, str(m.get("namespace", "")), str(m.get("name", "")))
        state.registry.remove_crd(name)
    elif _is(rt, "", "Service") and state.allocator is not None:
        state.allocator.release(obj)


def load_crds(state: APIState) -> None:
    """Register every stored CRD (on server start)."""
    items, _, _ = state.store.list("apiextensions.k8s.io/customresourcedefinitions", None)
    for crd in items:
        state.registry.put_crd(crd)
