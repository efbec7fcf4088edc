"""Chart dependencies, offline: vendored `charts/` is used as is, `file://` ones are built.

The Helm SDK silently renders without a declared dependency that is missing, so every
declared dependency is checked with `dependency_list()`. A chart whose `file://` dependencies
are not vendored is copied to a temporary directory (the source tree is read-only and never
modified), its `file://` references are rewritten to the confined, resolved paths (themselves
prepared the same way, recursively) and `dependency_build` packages them into the copy's
`charts/`. Any other missing dependency (https or oci repository) is an error: trueup renders
offline, so the chart must vendor it.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import helm_python
import yaml

from .confine import check_tree, confine
from .errors import RenderError
from .result import RenderContext

_OK = frozenset({"ok", "unpacked"})


def _declared(chart_dir: Path, shown: str) -> list[dict[str, Any]]:
    try:
        return helm_python.dependency_list(chart_dir)
    except helm_python.HelmError as exc:
        raise RenderError(f"cannot read the chart's dependencies: {exc}; fix Chart.yaml",
                          file=shown, renderer="helm") from None


def prepare_chart(ctx: RenderContext, chart_dir: Path, stack: ExitStack,
                  sources: dict[str, str], depth: int = 0) -> Path:
    """A directory with every dependency of `chart_dir` present (maybe `chart_dir` itself).

    `sources` collects subchart name → repository path of file:// dependencies (for messages).
    """
    chart_yaml = ctx.rel(chart_dir / "Chart.yaml")
    if depth > 10:
        raise RenderError("file:// dependencies nest more than 10 levels (a cycle?); fix Chart.yaml",
                          file=chart_yaml, renderer="helm")
    missing = [d for d in _declared(chart_dir, chart_yaml) if d.get("status") not in _OK]
    if not missing:
        return chart_dir
    rewrites: dict[str, str] = {}
    for dep in missing:
        name, repo = str(dep.get("name")), str(dep.get("repository") or "")
        if dep.get("status") != "missing" or not repo.startswith("file://"):
            state = dep.get("status")
            hint = ("vendor it: run `helm dependency build` and commit charts/, or use a file:// dependency"
                    if state == "missing" else "rebuild charts/ with `helm dependency build` and commit it")
            raise RenderError(f"dependency {name!r} ({repo or 'no repository'}) is {state}; trueup renders "
                              f"offline, {hint}", file=chart_yaml, renderer="helm")
        target = confine(ctx.root, chart_dir, repo.removeprefix("file://"),
                         what=f"dependency {name!r} repository", renderer="helm")
        if not (target / "Chart.yaml").is_file():
            raise RenderError(f"dependency {name!r}: {repo} has no Chart.yaml; fix the repository path",
                              file=chart_yaml, renderer="helm")
        check_tree(ctx.root, target, renderer="helm")
        sources[name] = ctx.rel(target)
        prepared = prepare_chart(ctx, target, stack, sources, depth + 1)
        rewrites[repo] = "file://" + str(prepared)
    return _build(ctx, chart_dir, rewrites, stack)


def _build(ctx: RenderContext, chart_dir: Path, rewrites: dict[str, str], stack: ExitStack) -> Path:
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="trueup-helm-")))
    copy = tmp / chart_dir.name
    shutil.copytree(chart_dir, copy, symlinks=False)
    (copy / "Chart.lock").unlink(missing_ok=True)
    (copy / "requirements.lock").unlink(missing_ok=True)
    for meta_name in ("Chart.yaml", "requirements.yaml"):
        meta_path = copy / meta_name
        if not meta_path.is_file():
            continue
        meta = yaml.load(meta_path.read_text(), Loader=yaml.CSafeLoader) or {}
        for dep in meta.get("dependencies") or []:
            if isinstance(dep, dict) and dep.get("repository") in rewrites:
                dep["repository"] = rewrites[dep["repository"]]
        meta_path.write_text(yaml.safe_dump(meta, sort_keys=False))
    chart_yaml = ctx.rel(chart_dir / "Chart.yaml")
    try:
        helm_python.dependency_build(copy, skip_refresh=True)
    except helm_python.HelmError as exc:
        raise RenderError(f"building file:// dependencies failed: {_clean(exc, tmp)}; fix the dependencies",
                          file=chart_yaml, renderer="helm") from None
    still = [str(d.get("name")) for d in _declared(copy, chart_yaml) if d.get("status") not in _OK]
    if still:
        raise RenderError(f"dependencies {', '.join(still)} are still missing after building them; "
                          "check their names and versions", file=chart_yaml, renderer="helm")
    return copy


def _clean(exc: Exception, tmp: Path) -> str:
    return str(exc).replace(str(tmp) + "/", "")
