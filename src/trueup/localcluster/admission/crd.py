"""Validation of a CustomResourceDefinition itself (apiextensions.k8s.io/v1).

name == <plural>.<group>; group a DNS subdomain with a dot; scope Namespaced|Cluster; names
plural/singular DNS-1035 labels (lower case), kind and listKind present; at least one version,
unique version names, exactly one storage version, at least one served; every version has an
`openAPIV3Schema` whose root is `type: object`. Pure.
"""

from __future__ import annotations

from typing import Any

from trueup.localcluster.errors import Cause

from ._util import dicts
from .messages import duplicate, invalid, not_supported, required
from .names import dns1035_label, dns1123_subdomain

SCOPES = ("Cluster", "Namespaced")


def _names(names: Any) -> list[Cause]:
    if not isinstance(names, dict):
        return [required("spec.names.plural"), required("spec.names.kind")]
    causes: list[Cause] = []
    for key in ("plural", "singular", "listKind", "kind"):
        value = names.get(key)
        path = f"spec.names.{key}"
        if not value:
            if key in ("plural", "kind"):
                causes.append(required(path))
            continue
        check = str(value).lower() if key in ("kind", "listKind") else str(value)
        causes += [invalid(path, value, m) for m in dns1035_label(check)]
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        causes.append(invalid("spec.names.listKind", names.get("listKind"),
                              "kind and listKind cannot be the same"))
    return causes


def _versions(spec: dict[str, Any]) -> list[Cause]:
    versions = dicts(spec.get("versions"))
    if not versions:
        return [required("spec.versions", "must have exactly one version marked as storage version")]
    causes: list[Cause] = []
    seen: set[str] = set()
    for i, version in enumerate(versions):
        name = version.get("name")
        path = f"spec.versions[{i}]"
        if not name:
            causes.append(required(f"{path}.name"))
        else:
            causes += [invalid(f"{path}.name", name, m) for m in dns1035_label(str(name))]
            if name in seen:
                causes.append(duplicate(f"{path}.name", name))
            seen.add(str(name))
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        spath = f"{path}.schema.openAPIV3Schema"
        if not isinstance(schema, dict) or not schema:
            causes.append(required(spath, "schemas are required"))
        elif schema.get("type") != "object":
            if not schema.get("type"):
                causes.append(required(f"{spath}.type", "must not be empty at the root"))
            else:
                causes.append(invalid(f"{spath}.type", schema.get("type"), "must be object at the root"))
    storage = [v for v in versions if v.get("storage") is True]
    if len(storage) != 1:
        causes.append(invalid("spec.versions", [str(v.get("name", "")) for v in versions],
                              "must have exactly one version marked as storage version"))
    if not any(v.get("served") is True for v in versions):
        causes.append(invalid("spec.versions", [str(v.get("name", "")) for v in versions],
                              "must have at least one version marked as served"))
    return causes


def validate_crd(crd: dict[str, Any]) -> list[Cause]:
    """Causes for an invalid CustomResourceDefinition (empty when valid)."""
    spec = crd.get("spec") if isinstance(crd.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    causes: list[Cause] = []
    group = spec.get("group") or ""
    names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
    assert isinstance(names, dict)
    name = (crd.get("metadata") or {}).get("name") or ""
    plural = names.get("plural") or ""
    if name != f"{plural}.{group}":
        causes.append(invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'))
    if not group:
        causes.append(required("spec.group"))
    else:
        causes += [invalid("spec.group", group, m) for m in dns1123_subdomain(str(group))]
        if "." not in str(group):
            causes.append(invalid("spec.group", group, "should be a domain with at least one dot"))
    scope = spec.get("scope")
    if not scope:
        causes.append(required("spec.scope"))
    elif scope not in SCOPES:
        causes.append(not_supported("spec.scope", scope, SCOPES))
    causes += _names(spec.get("names"))
    causes += _versions(spec)
    return causes
