"""Helm values from Argo CD's `helm` options, composed in Argo CD's (and `helm template`'s) order.

1. `valueFiles` in order (paths relative to the chart directory, confined to the repository;
   `$ARGOCD_APP_*` substituted; `$name/path` is a file of the multi-source app's `ref: name`
   source, confined to that repository; missing files are an error unless
   `ignoreMissingValueFiles`),
2. `valuesObject`, or else `values` (a YAML string),
3. `parameters` (`--set name=value`; `forceString: true` → `--set-string`; commas in values are
   literal, as Argo CD escapes them),
4. `fileParameters` (`--set-file name=path`, the file's text as a string, confined).
Each layer deep-merges over the previous one (maps merge, anything else replaces), then the
chart's defaults are coalesced by Helm itself. A `--set` with a list index replaces the list.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import helm_python

from .confine import confine
from .envsubst import envsubst
from .errors import RenderError
from .result import RenderContext
from .yamldocs import yaml_documents

OPT = "spec.source.helm"
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    for key, value in override.items():
        current = base.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merge(current, value)
        else:
            base[key] = value
    return base


def _yaml_mapping(text: str, file: str) -> dict[str, Any]:
    docs = [doc for doc, _ in yaml_documents(text, file, renderer="helm")]
    if not docs:
        return {}
    if not isinstance(docs[0], dict):
        raise RenderError("Helm values must be a YAML mapping; fix the file", file=file, line=1, renderer="helm")
    return docs[0]


def _value_files(ctx: RenderContext, chart_dir: Path, helm: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for raw in helm.get("valueFiles") or []:
        name = envsubst(str(raw), ctx.env)
        if "://" in name:
            raise RenderError(
                f"value file {name!r} is not a path in a repository (remote URLs are not supported); copy the file "
                "into the repository or use a ref source and $ref/path", file=f"{OPT}.valueFiles", renderer="helm")
        if name.startswith("$"):
            ref, _, rel = name[1:].partition("/")
            if ref not in ctx.refs:
                known = ", ".join(f"${r}" for r in sorted(ctx.refs)) or "none"
                raise RenderError(
                    f"value file {name!r} names ref source {ref!r}, which this app does not have (refs: {known}); "
                    "add a source with `ref: " + ref + "` to spec.sources", file=f"{OPT}.valueFiles",
                    renderer="helm")
            ref_root = ctx.refs[ref]
            path = confine(ref_root, ref_root, rel or ".", what=f"{OPT}.valueFiles entry", renderer="helm")
            shown = f"${ref}/{path.relative_to(ref_root).as_posix()}"
        else:
            path = confine(ctx.root, chart_dir, name, what=f"{OPT}.valueFiles entry", renderer="helm")
            shown = ctx.rel(path) if path.exists() else ctx.rel(chart_dir / name)
        if not path.is_file():
            if helm.get("ignoreMissingValueFiles"):
                continue
            raise RenderError(
                f"value file {name!r} does not exist; fix {OPT}.valueFiles or set ignoreMissingValueFiles",
                file=shown, renderer="helm")
        out.append(_yaml_mapping(path.read_text(encoding="utf-8-sig"), shown))
    return out


def _escape(value: str) -> str:
    """Commas are literal (Argo CD escapes them), except in Helm's list syntax `{a,b}`."""
    if value.startswith("{") and value.endswith("}"):
        return value
    return _UNESCAPED_COMMA.sub(r"\\,", value)


def _set(expression: str, force_string: bool) -> dict[str, Any]:
    parser = helm_python.parse_set_string_values if force_string else helm_python.parse_set_string
    try:
        return parser(expression)
    except helm_python.HelmError as exc:
        name = expression.split("=", 1)[0]
        raise RenderError(f"parameter {name!r} cannot be parsed ({exc}); fix {OPT}.parameters",
                          file=f"{OPT}.parameters", renderer="helm") from None


def compose_values(ctx: RenderContext, chart_dir: Path) -> dict[str, Any]:
    helm = ctx.option("helm")
    values: dict[str, Any] = {}
    for layer in _value_files(ctx, chart_dir, helm):
        merge(values, layer)
    inline = helm.get("valuesObject")
    if isinstance(inline, dict) and inline:
        merge(values, inline)
    elif isinstance(helm.get("values"), str) and helm["values"].strip():
        merge(values, _yaml_mapping(helm["values"], f"{OPT}.values"))
    for param in helm.get("parameters") or []:
        if not isinstance(param, dict) or not param.get("name"):
            raise RenderError(f"each parameter needs a name; fix {OPT}.parameters", file=f"{OPT}.parameters",
                              renderer="helm")
        value = _escape(envsubst(str(param.get("value", "")), ctx.env))
        merge(values, _set(f"{param['name']}={value}", bool(param.get("forceString"))))
    for param in helm.get("fileParameters") or []:
        if not isinstance(param, dict) or not param.get("name") or not param.get("path"):
            raise RenderError(f"each file parameter needs a name and a path; fix {OPT}.fileParameters",
                              file=f"{OPT}.fileParameters", renderer="helm")
        path = confine(ctx.root, chart_dir, envsubst(str(param["path"]), ctx.env),
                       what=f"{OPT}.fileParameters entry", renderer="helm")
        if not path.is_file():
            raise RenderError(f"file parameter {param['name']!r}: file does not exist; fix {OPT}.fileParameters",
                              file=ctx.rel(path), renderer="helm")
        merge(values, helm_python.parse_set_literal(f"{param['name']}={path.read_text()}"))
    return values
