"""YAML and JSON text → documents with their line numbers.

Parsing uses libyaml (`CSafeLoader`; the pure-Python loader rejects trailing TABs that Go's
reader accepts) with two changes so objects read as Kubernetes reads them:
- timestamps stay strings (Kubernetes YAML is JSON: `2024-01-01` is a string, not a date);
- mapping keys that are not strings become strings (`1: a` → `"1"`), as YAML→JSON does.
A key repeated in one mapping is an error naming its line (Go's strict decoding refuses it too).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import yaml

from .errors import RenderError


class _Loader(yaml.CSafeLoader):
    """CSafeLoader without timestamps and with duplicate-key detection."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # The tag of a plain scalar depends only on its text (this loader has no path
        # resolvers): remembered per text, as the same keys and values recur in every document.
        if kind is yaml.ScalarNode and not self.yaml_path_resolvers:
            if not implicit[0]:
                return _STR
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
                if len(_PLAIN_TAGS) < 8192:
                    _PLAIN_TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


_PLAIN_TAGS: dict[str, str] = {}


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def _key_text(key: Any) -> Any:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, int | float):
        return str(key)
    return key


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = _key_text(loader.construct_object(key_node, deep=True))
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a string", key_node.start_mark) from None
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key]})", key_node.start_mark)
        seen[key] = line
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Unusual(Exception):
    """The document needs the general constructor (aliases, merge keys, other tags, non-string or
    repeated keys): `_plain` gives up and the loader builds it the usual way."""


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _MAP, _SEQ = _TAG + "str", _TAG + "int", _TAG + "map", _TAG + "seq"
_SCALARS = {_TAG + "float": _Loader.construct_yaml_float, _TAG + "bool": _Loader.construct_yaml_bool,
            _TAG + "null": _Loader.construct_yaml_null, _INT: _Loader.construct_yaml_int}


_BUILDING = object()


def _begin(seen: dict[int, Any], node: yaml.Node) -> Any:
    """What an alias of `node` refers to, if it was already built (None: build it now, marked as
    being built; a recursive alias, met while it is being built, gives up)."""
    done = seen.get(id(node))
    if done is _BUILDING:
        raise _Unusual
    if done is None:
        seen[id(node)] = _BUILDING
    return done


def _plain(loader: _Loader, node: yaml.Node, seen: dict[int, Any]) -> Any:
    """The document as the loader would construct it, in one pass, for what manifests are made of:
    string-keyed mappings, sequences, strings, numbers, booleans and nulls (3-4x faster than the
    general constructor, which dispatches and tracks state per node). An alias of a mapping or
    sequence is the same object, as the general constructor makes it; a recursive one gives up."""
    tag = node.tag
    if tag == _STR:
        return node.value
    if isinstance(node, yaml.MappingNode):
        if tag != _MAP:
            raise _Unusual
        done = _begin(seen, node)
        if done is not None:
            return done
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag != _STR or not isinstance(key_node, yaml.ScalarNode):
                raise _Unusual
            key = key_node.value
            if key in out:
                raise _Unusual
            out[key] = _plain(loader, value_node, seen)
        seen[id(node)] = out
        return out
    if isinstance(node, yaml.SequenceNode):
        if tag != _SEQ:
            raise _Unusual
        done = _begin(seen, node)
        if done is not None:
            return done
        items = [_plain(loader, item, seen) for item in node.value]
        seen[id(node)] = items
        return items
    if tag == _INT and node.value.isdigit() and node.value.isascii() and (node.value[0] != "0" or node.value == "0"):
        return int(node.value)
    construct = _SCALARS.get(tag)
    if construct is None or not isinstance(node, yaml.ScalarNode):
        raise _Unusual
    return construct(loader, node)


def _error(exc: yaml.YAMLError, file: str, offset: int, renderer: str) -> RenderError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + offset if mark is not None else 0
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    text = f"{context}: {problem}" if context else str(problem)
    return RenderError(f"invalid YAML: {text}; fix the syntax at this line", file=file, line=line, renderer=renderer)


def yaml_documents(text: str, file: str, *, renderer: str = "directory",
                   line_offset: int = 0) -> Iterator[tuple[Any, int]]:
    """Each document of a YAML stream with the 1-based line where it starts (empty ones skipped)."""
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            line = node.start_mark.line + 1 + line_offset
            try:
                doc = _plain(loader, node, {})
            except _Unusual:
                doc = loader.construct_document(node)
            if doc is None:
                continue
            yield doc, line
    except yaml.YAMLError as exc:
        raise _error(exc, file, line_offset, renderer) from None
    finally:
        loader.dispose()


def json_documents(text: str, file: str, *, renderer: str = "directory") -> Iterator[tuple[Any, int]]:
    """A JSON file is one document (line 1); errors name the line."""
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise RenderError(f"invalid JSON: {exc.msg}; fix the syntax at this line", file=file,
                          line=exc.lineno, renderer=renderer) from None
    if doc is not None:
        yield doc, 1
