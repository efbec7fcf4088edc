"""`validate_create` and `validate_update`: ObjectMeta rules for every kind, then the per-kind
rules of `validate_kinds` (create and update) and `immutable` (update only), and `validate_crd`
for CustomResourceDefinitions. Both return causes; an empty list means valid. Pure.
"""

from __future__ import annotations

from typing import Any

from trueup.localcluster.errors import Cause

from . import immutable
from ._util import split_api_version
from .crd import validate_crd
from .names import validate_object_meta
from .validate_kinds import VALIDATORS

_CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")


def _kind_rules(group: str, kind: str, obj: dict[str, Any]) -> list[Cause]:
    if (group, kind) == _CRD:
        return [c for c in validate_crd(obj) if c["field"] != "metadata.name" or (obj.get("metadata") or {})
                .get("name")]
    validator = VALIDATORS.get((group, kind))
    return validator(obj) if validator else []


def validate_create(api_version: str, kind: str, obj: dict[str, Any], *, namespaced: bool) -> list[Cause]:
    """Causes that make creating `obj` fail with 422 (empty when valid)."""
    group, _ = split_api_version(api_version)
    causes = validate_object_meta(obj.get("metadata"), group, kind, namespaced=namespaced)
    return causes + _kind_rules(group, kind, obj)


def validate_update(api_version: str, kind: str, old: dict[str, Any], new: dict[str, Any], *,
                    namespaced: bool) -> list[Cause]:
    """Causes that make replacing `old` by `new` fail with 422 (empty when valid)."""
    group, _ = split_api_version(api_version)
    causes = immutable.metadata(old, new)
    causes += validate_object_meta(new.get("metadata"), group, kind, namespaced=namespaced, create=False)
    causes += _kind_rules(group, kind, new)
    rule = immutable.UPDATE_RULES.get((group, kind))
    if rule is not None:
        causes += rule(old, new)
    return causes
