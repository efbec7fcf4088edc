"""Argo CD's `kustomize` options as a temporary overlay kustomization (the source stays untouched).

The overlay lives in a temporary directory and lists the app directory as its only resource
(by a relative path: kustomize refuses absolute ones). It also asks for origin annotations so
each object can name the file it came from (see `kustomize`). Mapping of options:
`namePrefix`, `nameSuffix`, `namespace`, `commonAnnotations` → the same fields; `commonLabels`
→ `labels` with selectors (`labelWithoutSelector: true` → without, `labelIncludeTemplates`);
`images: ["nginx:1.27", "nginx=reg/nginx:1.27", "nginx@sha256:…"]` → `images` entries;
`replicas: [{name, count}]`; `components` (paths relative to the app directory, confined);
`patches` (inline `patch`, or `path` relative to the app directory, read and inlined).
String values get `$ARGOCD_APP_*` substituted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from .confine import confine
from .envsubst import envsubst
from .errors import RenderError
from .result import RenderContext

OPT = "spec.source.kustomize"
SUPPORTED = frozenset({
    "namePrefix", "nameSuffix", "namespace", "commonLabels", "commonAnnotations", "images", "replicas",
    "components", "patches", "labelWithoutSelector", "labelIncludeTemplates", "version",
})


def parse_image(spec: str) -> dict[str, str]:
    """`[old=]new[:tag|@digest]` (the `kustomize edit set image` syntax) → an images entry."""
    name, _, rest = spec.partition("=") if "=" in spec else ("", "", spec)
    entry: dict[str, str] = {}
    if "@" in rest:
        new_name, _, digest = rest.partition("@")
        entry["digest"] = digest
    else:
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        new_name, tag = (rest[:colon], rest[colon + 1:]) if colon > slash else (rest, "")
        if tag:
            entry["newTag"] = tag
    name = name or new_name
    if not name:
        raise RenderError(f"image {spec!r} has no name; use name[:tag] or name=newName[:tag]",
                          file=f"{OPT}.images", renderer="kustomize")
    entry["name"] = name
    if new_name and new_name != name:
        entry["newName"] = new_name
    return entry


def _strings(mapping: Any, env: dict[str, str]) -> dict[str, str]:
    return {str(k): envsubst(str(v), env) for k, v in (mapping or {}).items()}


def overlay_body(ctx: RenderContext, overlay_dir: Path) -> dict[str, Any]:
    k = ctx.option("kustomize")
    ctx.unsupported.extend(f"{OPT}.{key}" for key in sorted(k) if key not in SUPPORTED)
    body: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [os.path.relpath(ctx.app_dir, overlay_dir)],
        "buildMetadata": ["originAnnotations"],
    }
    for field in ("namePrefix", "nameSuffix", "namespace"):
        if k.get(field):
            body[field] = envsubst(str(k[field]), ctx.env)
    if k.get("commonLabels"):
        with_selector = not k.get("labelWithoutSelector")
        body["labels"] = [{"pairs": _strings(k["commonLabels"], ctx.env), "includeSelectors": with_selector,
                           "includeTemplates": with_selector or bool(k.get("labelIncludeTemplates"))}]
    if k.get("commonAnnotations"):
        body["commonAnnotations"] = _strings(k["commonAnnotations"], ctx.env)
    if k.get("images"):
        body["images"] = [parse_image(envsubst(str(image), ctx.env)) for image in k["images"]]
    if k.get("replicas"):
        body["replicas"] = [{"name": str(r.get("name")), "count": int(r.get("count", 0))} for r in k["replicas"]]
    if k.get("components"):
        body["components"] = [
            os.path.relpath(confine(ctx.root, ctx.app_dir, str(c), what=f"{OPT}.components entry",
                                    renderer="kustomize"), overlay_dir)
            for c in k["components"]]
    if k.get("patches"):
        body["patches"] = [_patch(ctx, p) for p in k["patches"]]
    return body


def _patch(ctx: RenderContext, patch: dict[str, Any]) -> dict[str, Any]:
    out = {key: value for key, value in patch.items() if key != "path"}
    if patch.get("path"):
        path = confine(ctx.root, ctx.app_dir, str(patch["path"]), what=f"{OPT}.patches path",
                       renderer="kustomize")
        out["patch"] = path.read_text()
    return out


def needs_overlay(ctx: RenderContext) -> bool:
    return bool(ctx.option("kustomize"))


def write_overlay(ctx: RenderContext, overlay_dir: Path) -> None:
    # JSON is YAML: no need for a YAML emitter.
    (overlay_dir / "kustomization.yaml").write_bytes(orjson.dumps(overlay_body(ctx, overlay_dir)))
