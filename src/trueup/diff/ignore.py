"""`ignoreDifferences`, as in Argo CD: which fields of which resources never count as drift.

An entry `{group, kind, name?, namespace?, jsonPointers[], jqPathExpressions[],
managedFieldsManagers[]}` matches resources by group and kind (and name/namespace when given;
`*` globs allowed). For a matching resource, before comparing, from both sides:
- each JSON pointer's field is removed;
- each jq path expression's matches are deleted (`del(<expr>)`, the python `jq` module);
- every field the named managers own in the live object's managedFields is removed.

`parse_ignore_differences` validates and compiles the entries once; an invalid entry raises
`DiffError` naming the file, the Application field (`spec.ignoreDifferences[1].jqPathExpressions[0]`),
the expression and what to do.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from typing import Any

import jq

from trueup.model import ResourceKey

from .fieldsv1 import managed_entries, remove_owned
from .paths import parse_pointer
from .types import DiffError, Obj

__all__ = ["IgnoreRule", "apply_ignore_rules", "parse_ignore_differences"]

_JQ_EXAMPLE = '.spec.template.spec.containers[] | select(.name == "sidecar") | .image'


@dataclasses.dataclass(frozen=True)
class IgnoreRule:
    kind: str
    group: str = ""
    name: str = ""
    namespace: str = ""
    json_pointers: tuple[str, ...] = ()
    jq_path_expressions: tuple[str, ...] = ()
    managed_fields_managers: tuple[str, ...] = ()
    location: str = "spec.ignoreDifferences[0]"  # the Application field that holds the rule, for errors
    source: str = ""
    _programs: tuple[Any, ...] = dataclasses.field(default=(), compare=False, repr=False)

    def matches(self, key: ResourceKey) -> bool:
        return (
            fnmatch.fnmatchcase(key.group, self.group or "")
            and fnmatch.fnmatchcase(key.kind, self.kind)
            and (not self.name or fnmatch.fnmatchcase(key.name, self.name))
            and (not self.namespace or fnmatch.fnmatchcase(key.namespace, self.namespace))
        )

    def to_dict(self) -> Obj:
        out: Obj = {"group": self.group, "kind": self.kind}
        for name, value in (("name", self.name), ("namespace", self.namespace)):
            if value:
                out[name] = value
        for name, values in (("jsonPointers", self.json_pointers), ("jqPathExpressions", self.jq_path_expressions),
                             ("managedFieldsManagers", self.managed_fields_managers)):
            if values:
                out[name] = list(values)
        return out


def _where(source: str, field_path: str) -> str:
    return f"{source}: {field_path}" if source else field_path


def _strings(entry: Obj, name: str, where: str) -> tuple[str, ...]:
    values = entry.get(name)
    if values is None:
        return ()
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise DiffError(f"{where}.{name}: must be a list of strings (got {type(values).__name__}); "
                        f"write it as a YAML list, e.g. {name}: [...]")
    return tuple(values)


def _compile(expression: str, where: str) -> Any:
    try:
        jq.compile(expression)
        return jq.compile(f"del({expression})")
    except ValueError as error:
        detail = " ".join(str(error).split())
        raise DiffError(
            f"{where}: invalid jq expression {expression!r}: {detail}. Fix the expression in the Application; "
            f"it must select the fields to ignore, e.g. {_JQ_EXAMPLE}"
        ) from None


def _parse_entry(entry: Any, where: str, source: str) -> IgnoreRule:
    if not isinstance(entry, dict):
        raise DiffError(f"{where}: must be a map with group, kind and jsonPointers, jqPathExpressions "
                        f"or managedFieldsManagers (got {type(entry).__name__})")
    kind = entry.get("kind")
    if not isinstance(kind, str) or not kind:
        raise DiffError(f"{where}.kind: required: name the kind the rule applies to (e.g. Deployment, or * for all)")
    for name in ("group", "name", "namespace"):
        if entry.get(name) is not None and not isinstance(entry.get(name), str):
            raise DiffError(f"{where}.{name}: must be a string")
    pointers = _strings(entry, "jsonPointers", where)
    for index, pointer in enumerate(pointers):
        try:
            parse_pointer(pointer)
        except ValueError as error:
            raise DiffError(f"{where}.jsonPointers[{index}]: invalid JSON pointer {pointer!r}: {error}") from None
    expressions = _strings(entry, "jqPathExpressions", where)
    programs = tuple(_compile(e, f"{where}.jqPathExpressions[{i}]") for i, e in enumerate(expressions))
    return IgnoreRule(
        kind=kind, group=str(entry.get("group") or ""), name=str(entry.get("name") or ""),
        namespace=str(entry.get("namespace") or ""), json_pointers=pointers, jq_path_expressions=expressions,
        managed_fields_managers=_strings(entry, "managedFieldsManagers", where),
        location=where.removeprefix(f"{source}: ") if source else where, source=source, _programs=programs,
    )


def parse_ignore_differences(
    entries: Any, field: str = "spec.ignoreDifferences", source: str = "",
) -> tuple[IgnoreRule, ...]:
    """Validate and compile an Application's `ignoreDifferences` list (None or [] → no rules)."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise DiffError(f"{_where(source, field)}: must be a list of rules (got {type(entries).__name__})")
    return tuple(_parse_entry(entry, _where(source, f"{field}[{i}]"), source) for i, entry in enumerate(entries))


def _remove_pointer(value: Any, tokens: list[str]) -> Any:
    if not tokens:
        return None
    head, rest = tokens[0], tokens[1:]
    if isinstance(value, dict) and head in value:
        out = dict(value)
        if rest:
            out[head] = _remove_pointer(value[head], rest)
        else:
            del out[head]
        return out
    if isinstance(value, list) and head.isdigit() and int(head) < len(value):
        index = int(head)
        items = list(value)
        if rest:
            items[index] = _remove_pointer(value[index], rest)
        else:
            del items[index]
        return items
    return value


def _run_jq(rule: IgnoreRule, index: int, obj: Obj, key: ResourceKey) -> Obj:
    try:
        result = rule._programs[index].input_value(obj).first()
    except ValueError as error:
        if "Invalid path expression" in str(error):
            expression = rule.jq_path_expressions[index]
            raise DiffError(
                f"{_where(rule.source, rule.location)}.jqPathExpressions[{index}]: jq expression {expression!r} "
                f"does not select fields of {key} ({' '.join(str(error).split())}); use a path such as {_JQ_EXAMPLE}"
            ) from None
        return obj  # nothing to select in this object (e.g. iterating a field it does not have)
    return result if isinstance(result, dict) else obj


def apply_ignore_rules(
    rules: tuple[IgnoreRule, ...], key: ResourceKey, live: Obj | None, sides: list[Obj | None],
) -> list[Obj | None]:
    """`sides` without the ignored fields; managers' fields are read from the raw `live` object."""
    entries = managed_entries(live)
    out = list(sides)
    for rule in rules:
        if not rule.matches(key):
            continue
        for pointer in rule.json_pointers:
            tokens = parse_pointer(pointer)
            out = [None if s is None else _remove_pointer(s, tokens) for s in out]
        for index in range(len(rule._programs)):
            out = [None if s is None else _run_jq(rule, index, s, key) for s in out]
        managers = set(rule.managed_fields_managers)
        for entry in entries:
            if entry["manager"] in managers:
                out = [None if s is None else remove_owned(s, entry["fieldsV1"]) for s in out]
    return out
