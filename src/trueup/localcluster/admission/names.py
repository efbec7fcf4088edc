"""Name, label and annotation rules of apimachinery (`validation.IsDNS1123Subdomain` & co.)
and ObjectMeta validation. Messages match kube-apiserver's. Pure.

Name rules per kind follow kube-apiserver: DNS-1123 label for Namespace, DNS-1035 label for
Service, path segment for RBAC kinds, DNS-1123 subdomain for everything else (custom
resources included).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from trueup.localcluster.errors import Cause

from .messages import forbidden, invalid, required, too_long

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN = _LABEL + r"(\." + _LABEL + r")*"
_DNS1035 = r"[a-z]([-a-z0-9]*[a-z0-9])?"
_QNAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE = r"(" + _QNAME + r")?"

_LABEL_RE = re.compile(f"^{_LABEL}$")
_SUBDOMAIN_RE = re.compile(f"^{_SUBDOMAIN}$")
_DNS1035_RE = re.compile(f"^{_DNS1035}$")
_QNAME_RE = re.compile(f"^{_QNAME}$")
_LABEL_VALUE_RE = re.compile(f"^{_LABEL_VALUE}$")

DNS1123_LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                     "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                     f"regex used for validation is '{_LABEL}')")
DNS1123_SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                         "'-' or '.', and must start and end with an alphanumeric character (e.g. "
                         f"'example.com', regex used for validation is '{_SUBDOMAIN}')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
               f"'abc-123', regex used for validation is '{_DNS1035}')")
QNAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
             "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
             f"validation is '{_QNAME}')")
LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                   "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                   f"'my_value',  or '12345', regex used for validation is '{_LABEL_VALUE}')")

TOTAL_ANNOTATION_SIZE = 256 * 1024


def _max_len(n: int) -> str:
    return f"must be no more than {n} characters"


def dns1123_label(value: str) -> list[str]:
    errs = [_max_len(63)] if len(value) > 63 else []
    if not _LABEL_RE.match(value):
        errs.append(DNS1123_LABEL_MSG)
    return errs


def dns1123_subdomain(value: str) -> list[str]:
    errs = [_max_len(253)] if len(value) > 253 else []
    if not _SUBDOMAIN_RE.match(value):
        errs.append(DNS1123_SUBDOMAIN_MSG)
    return errs


def dns1035_label(value: str) -> list[str]:
    errs = [_max_len(63)] if len(value) > 63 else []
    if not _DNS1035_RE.match(value):
        errs.append(DNS1035_MSG)
    return errs


def path_segment(value: str) -> list[str]:
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


def qualified_name(value: str) -> list[str]:
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
        prefix_errs: list[str] = []
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            prefix_errs = ["prefix part must be non-empty"]
        else:
            prefix_errs = ["prefix part " + m for m in dns1123_subdomain(prefix)]
    else:
        return ["a qualified name " + QNAME_MSG + " with an optional DNS subdomain prefix and '/' "
                "(e.g. 'example.com/MyName')"]
    errs = list(prefix_errs)
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + _max_len(63))
    if name and not _QNAME_RE.match(name):
        errs.append("name part " + QNAME_MSG)
    return errs


def label_value(value: str) -> list[str]:
    errs = [_max_len(63)] if len(value) > 63 else []
    if not _LABEL_VALUE_RE.match(value):
        errs.append(LABEL_VALUE_MSG)
    return errs


NameRule = Callable[[str], list[str]]

_NAME_RULES: dict[tuple[str, str], NameRule] = {
    ("", "Namespace"): dns1123_label,
    ("", "Service"): dns1035_label,
    ("rbac.authorization.k8s.io", "Role"): path_segment,
    ("rbac.authorization.k8s.io", "ClusterRole"): path_segment,
    ("rbac.authorization.k8s.io", "RoleBinding"): path_segment,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): path_segment,
}


def name_rule(group: str, kind: str) -> NameRule:
    return _NAME_RULES.get((group, kind), dns1123_subdomain)


def _mask_trailing_dash(value: str) -> str:
    return value[:-1] + "a" if len(value) > 1 and value.endswith("-") else value


# Labels, annotation keys and namespaces repeat across objects: their messages are memoised.
@lru_cache(maxsize=4096)
def _qualified_name_errors(value: str) -> tuple[str, ...]:
    return tuple(qualified_name(value))


@lru_cache(maxsize=4096)
def _label_value_errors(value: str) -> tuple[str, ...]:
    return tuple(label_value(value))


@lru_cache(maxsize=1024)
def _namespace_errors(value: str) -> tuple[str, ...]:
    return tuple(dns1123_label(value))


def validate_labels(labels: Any, field: str) -> list[Cause]:
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return [invalid(field, labels, "must be a map of strings")]
    causes: list[Cause] = []
    for key, value in labels.items():
        causes += [invalid(field, key, m) for m in _qualified_name_errors(str(key))]
        if not isinstance(value, str):
            causes.append(invalid(f"{field}", value, "label values must be strings"))
            continue
        causes += [invalid(field, value, m) for m in _label_value_errors(value)]
    return causes


def validate_annotations(annotations: Any, field: str) -> list[Cause]:
    if annotations is None:
        return []
    if not isinstance(annotations, dict):
        return [invalid(field, annotations, "must be a map of strings")]
    causes: list[Cause] = []
    total = 0
    for key, value in annotations.items():
        causes += [invalid(field, key, m) for m in _qualified_name_errors(str(key).lower())]
        total += len(str(key)) + len(value if isinstance(value, str) else str(value))
    if total > TOTAL_ANNOTATION_SIZE:
        causes.append(too_long(field, TOTAL_ANNOTATION_SIZE))
    return causes


def validate_object_meta(meta: Any, group: str, kind: str, *, namespaced: bool,
                         create: bool = True) -> list[Cause]:
    """ValidateObjectMeta: name or generateName, namespace, labels, annotations, finalizers."""
    if not isinstance(meta, dict):
        return [required("metadata")]
    causes: list[Cause] = []
    rule = name_rule(group, kind)
    name, generate = meta.get("name") or "", meta.get("generateName") or ""
    if generate:
        causes += [invalid("metadata.generateName", generate, m)
                   for m in rule(_mask_trailing_dash(str(generate)))]
    if name:
        causes += [invalid("metadata.name", name, m) for m in rule(str(name))]
    elif create and not generate:
        causes.append(required("metadata.name", "name or generateName is required"))
    namespace = meta.get("namespace") or ""
    if namespaced:
        if not namespace:
            causes.append(required("metadata.namespace"))
        else:
            causes += [invalid("metadata.namespace", namespace, m) for m in _namespace_errors(str(namespace))]
    elif namespace:
        causes.append(forbidden("metadata.namespace", "not allowed on this type"))
    causes += validate_labels(meta.get("labels"), "metadata.labels")
    causes += validate_annotations(meta.get("annotations"), "metadata.annotations")
    finalizers = meta.get("finalizers")
    if isinstance(finalizers, list):
        for fin in finalizers:
            causes += [invalid("metadata.finalizers", fin, m) for m in qualified_name(str(fin))]
    return causes
