"""Defaults that need cluster state, as pure helpers the API server calls with that state.

- `default_storage_class_name(pvc, classes)`: the DefaultStorageClass admission plugin.
- `default_ingress_class_name(ingress, classes)`: the DefaultIngressClass admission plugin.
Pure: the caller passes the objects it listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

DEFAULT_SC = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_SC = "storageclass.beta.kubernetes.io/is-default-class"
BETA_PVC_CLASS = "volume.beta.kubernetes.io/storage-class"
DEFAULT_IC = "ingressclass.kubernetes.io/is-default-class"
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def _annotations(obj: Any) -> dict[str, Any]:
    return ((obj or {}).get("metadata") or {}).get("annotations") or {}


def _newest(classes: Iterable[dict[str, Any]], keys: tuple[str, ...]) -> str | None:
    defaults = [c for c in classes if any(_annotations(c).get(k) == "true" for k in keys)]
    if not defaults:
        return None
    # newest creationTimestamp wins (RFC 3339 strings sort by time); a tie goes to the lowest name
    newest = max(str((c.get("metadata") or {}).get("creationTimestamp") or "") for c in defaults)
    names = sorted(str((c.get("metadata") or {}).get("name") or "") for c in defaults
                   if str((c.get("metadata") or {}).get("creationTimestamp") or "") == newest)
    return names[0]


def default_storage_class_name(pvc: dict[str, Any], classes: Iterable[dict[str, Any]]) -> str | None:
    """The class DefaultStorageClass admission would set on a new PVC, or None to leave it.

    Only when spec.storageClassName is absent (null) and there is no beta class annotation;
    `""` is kept (it asks for no class).
    """
    spec = pvc.get("spec") or {}
    if spec.get("storageClassName") is not None or BETA_PVC_CLASS in _annotations(pvc):
        return None
    return _newest(classes, (DEFAULT_SC, BETA_DEFAULT_SC))


def default_ingress_class_name(ingress: dict[str, Any], classes: Iterable[dict[str, Any]]) -> str | None:
    """The class DefaultIngressClass admission would set on a new Ingress, or None."""
    spec = ingress.get("spec") or {}
    if spec.get("ingressClassName") is not None or INGRESS_CLASS_ANNOTATION in _annotations(ingress):
        return None
    return _newest(classes, (DEFAULT_IC,))
