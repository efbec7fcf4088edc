"""Jsonnet files in directory mode: `*.jsonnet` evaluated with Argo CD's `directory.jsonnet`.

`extVars`/`tlas` are `[{name, value, code}]` (`code: true` → Jsonnet code, else a string;
`$ARGOCD_APP_*` substituted), `libs` are library directories relative to the repository root.
Every import (relative to the importing file, then each lib) is resolved through our own import
callback so it cannot leave the repository. The output may be an object, a list of objects or a
`List`. Errors carry the file and line from Jsonnet's own trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _jsonnet
import orjson

from .confine import confine
from .envsubst import envsubst
from .errors import RenderError
from .result import RenderContext

_LOCATION = re.compile(r"(?P<file>[^\s:]+\.(?:jsonnet|libsonnet|json)):(?P<line>\d+)")


@dataclass(frozen=True)
class JsonnetOptions:
    ext_vars: dict[str, str]
    ext_codes: dict[str, str]
    tla_vars: dict[str, str]
    tla_codes: dict[str, str]
    libs: tuple[Path, ...]


def _split(entries: Any, option: str, env: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    plain: dict[str, str] = {}
    code: dict[str, str] = {}
    for entry in entries or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            raise RenderError(f"each entry needs a name and a value; fix {option}", file=option,
                              renderer="jsonnet")
        value = envsubst(str(entry.get("value", "")), env)
        (code if entry.get("code") else plain)[str(entry["name"])] = value
    return plain, code


def jsonnet_options(ctx: RenderContext) -> JsonnetOptions:
    block = ctx.option("directory").get("jsonnet") or {}
    ext_vars, ext_codes = _split(block.get("extVars"), "spec.source.directory.jsonnet.extVars", ctx.env)
    tla_vars, tla_codes = _split(block.get("tlas"), "spec.source.directory.jsonnet.tlas", ctx.env)
    libs = tuple(
        confine(ctx.root, ctx.root, str(lib), what="spec.source.directory.jsonnet.libs entry", renderer="jsonnet")
        for lib in block.get("libs") or []
    )
    return JsonnetOptions(ext_vars, ext_codes, tla_vars, tla_codes, libs)


def _importer(root: Path, libs: tuple[Path, ...]) -> Any:
    def callback(base: str, rel: str) -> tuple[str, bytes]:
        for directory in (Path(base), *libs):
            candidate = directory / rel
            resolved = candidate.resolve()
            if resolved != root and root not in resolved.parents:
                raise RuntimeError(f"import {rel!r} leads outside the repository")
            if resolved.is_file():
                return str(candidate), resolved.read_bytes()
        raise RuntimeError(f"couldn't open import {rel!r}: not found next to the file nor in directory.jsonnet.libs")

    return callback


def _error(ctx: RenderContext, file: Path, message: str) -> RenderError:
    text = message.strip().replace(str(ctx.root) + "/", "")
    rel, line = ctx.rel(file), 0
    m = _LOCATION.search(text)
    if m:
        rel, line = m.group("file"), int(m.group("line"))
    first = text.splitlines()[0] if text else "evaluation failed"
    return RenderError(f"Jsonnet: {first}; fix the Jsonnet source", file=rel, line=line, renderer="jsonnet")


def evaluate(ctx: RenderContext, file: Path, options: JsonnetOptions) -> list[tuple[Any, int]]:
    """Evaluate one `.jsonnet` file to documents (line 0: positions inside Jsonnet output are moot)."""
    try:
        out = _jsonnet.evaluate_snippet(
            str(file), file.read_text(), ext_vars=options.ext_vars, ext_codes=options.ext_codes,
            tla_vars=options.tla_vars, tla_codes=options.tla_codes,
            import_callback=_importer(ctx.root, options.libs))
    except RuntimeError as exc:
        raise _error(ctx, file, str(exc)) from None
    doc = orjson.loads(out)
    if isinstance(doc, list):
        return [(item, 0) for item in doc if item is not None]
    return [] if doc is None else [(doc, 0)]
