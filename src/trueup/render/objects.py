"""Documents → `Manifest`s: what counts as a Kubernetes object, and uniqueness.

Rules (the same for every renderer):
- `kind: List` (and `*List` kinds with `items`) are flattened into their items.
- A document must be a mapping with `apiVersion`, `kind` and `metadata.name` (or
  `metadata.generateName`); anything else is an error naming the file, line and field.
- Plain directories only: a YAML/JSON *file* none of whose documents looks like a manifest
  (has `kind`, or `apiVersion` together with `metadata`) is not a manifest attempt (a values
  file, a Chart.yaml, a tool's config) and is skipped, reported in `RenderResult.ignored_files`.
  As soon as one document of a file looks like a manifest, every document of that file must be
  a complete object.
- Two objects with the same group, kind, namespace (the app namespace when unset) and name are
  an error naming both places.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trueup.model import Manifest, ResourceKey

from .errors import RenderError


def looks_like_manifest(doc: Any) -> bool:
    """A manifest attempt: has `kind`, or `apiVersion` with `metadata` (Helm's Chart.yaml has
    an `apiVersion` but is not one)."""
    return isinstance(doc, dict) and ("kind" in doc or ("apiVersion" in doc and "metadata" in doc))


def _is_list(doc: dict[str, Any]) -> bool:
    kind = doc.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list)


def _check(doc: Any, file: str, line: int, renderer: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise RenderError(
            f"a document here is a {type(doc).__name__}, not a Kubernetes object; "
            "each document must be a mapping with apiVersion, kind and metadata",
            file=file, line=line, renderer=renderer)
    for name in ("apiVersion", "kind"):
        value = doc.get(name)
        if not isinstance(value, str) or not value:
            raise RenderError(f"object has no {name}; add {name} to this document", file=file, line=line,
                              renderer=renderer)
    meta = doc.get("metadata")
    what = f"{doc['kind']} object"
    if not isinstance(meta, dict):
        raise RenderError(f"{what} has no metadata; add metadata.name", file=file, line=line, renderer=renderer)
    if not meta.get("name") and not meta.get("generateName"):
        raise RenderError(f"{what} has no metadata.name; add metadata.name", file=file, line=line,
                          renderer=renderer)
    return doc


def to_manifests(docs: Iterable[tuple[Any, int]], file: str, *, renderer: str,
                 extra: dict[str, Any] | None = None) -> list[Manifest]:
    """Validate and flatten documents of one file (or one renderer output) into manifests."""
    out: list[Manifest] = []
    for doc, line in docs:
        if isinstance(doc, dict) and _is_list(doc):
            for item in doc["items"]:
                out.append(Manifest(_check(item, file, line, renderer), source=file, line=line,
                                    extra=dict(extra or {})))
            continue
        out.append(Manifest(_check(doc, file, line, renderer), source=file, line=line, extra=dict(extra or {})))
    return out


def check_unique(manifests: Iterable[Manifest], namespace: str, *, renderer: str) -> None:
    """Refuse two manifests with the same identity (objects with only generateName are exempt)."""
    seen: dict[ResourceKey, Manifest] = {}
    for m in manifests:
        if not (m.obj.get("metadata") or {}).get("name"):
            continue
        key = ResourceKey.of(m.obj, namespace)
        first = seen.get(key)
        if first is not None:
            raise RenderError(
                f"duplicate resource {key}: also defined at {_where(first)}; "
                "remove one of them or give them different names",
                file=m.source, line=m.line, renderer=renderer)
        seen[key] = m


def _where(m: Manifest) -> str:
    return f"{m.source}:{m.line}" if m.line else m.source
