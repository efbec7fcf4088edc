"""The Helm renderer: a chart directory rendered offline with the Helm SDK (`helm_python`).

Like `helm template --include-crds` as Argo CD runs it: release name `helm.releaseName` (default:
the app name), namespace `helm.namespace` (default: the app's destination namespace), values as
composed by `helm_values`, dependencies as prepared by `helm_deps`. Output order: CRDs from
`crds/` (unless `skipCrds`), then templates by path; documents in file order. Only `.yaml`,
`.yml` and `.json` templates produce objects (NOTES.txt and partials never do). `skipTests`
drops `helm.sh/hook: test` objects. Helm hooks are mapped per `helm_hooks`.

Manifest.source is the template's path in the repository (a `file://` subchart's own
directory when it came from one); Manifest.line is the line in the rendered template.
"""

from __future__ import annotations

import asyncio
import re
from contextlib import ExitStack
from typing import Any

import helm_python
import orjson
from helm_python import _native

from trueup.model import Manifest

from .confine import check_tree
from .errors import RenderError
from .helm_deps import prepare_chart
from .helm_hooks import ARGO_EXTRA, argo_annotations
from .helm_values import OPT, compose_values
from .objects import to_manifests
from .result import RenderContext
from .yamldocs import yaml_documents

_AT = re.compile(r"\((?P<path>[^():\s]+):(?P<line>\d+)(?::\d+)?\)")
_MANIFEST_EXT = (".yaml", ".yml", ".json")
SUPPORTED = frozenset({
    "releaseName", "values", "valuesObject", "valueFiles", "parameters", "fileParameters",
    "ignoreMissingValueFiles", "skipCrds", "skipTests", "namespace", "kubeVersion", "apiVersions",
    "passCredentials", "version",
})


class _Paths:
    """Rendered template path (`<chart>/charts/<sub>/templates/x.yaml`) → path in the repository."""

    def __init__(self, chart_rel: str, sources: dict[str, str]) -> None:
        self.chart_rel = chart_rel
        self.sources = sources

    def __call__(self, rendered: str) -> str:
        parts = rendered.split("/")[1:]
        # innermost file:// subchart wins: …/charts/<name>/templates/x.yaml
        for i in range(len(parts) - 2, -1, -1):
            if parts[i] == "charts" and parts[i + 1] in self.sources:
                return "/".join([self.sources[parts[i + 1]], *parts[i + 2:]])
        prefix = "" if self.chart_rel in ("", ".") else self.chart_rel + "/"
        return prefix + "/".join(parts)


def _render_chart(chart: helm_python.Chart, values: dict[str, Any], release: str, namespace: str,
                  helm: dict[str, Any]) -> dict[str, str]:
    """`Chart.render`, or the SDK's native call when kubeVersion/apiVersions must be set
    (the Python wrapper does not expose them; helm-python-sdk is pinned, see pyproject)."""
    if not helm.get("kubeVersion") and not helm.get("apiVersions"):
        return chart.render(values, name=release, namespace=namespace, is_install=True)
    opts: dict[str, Any] = {"name": release, "namespace": namespace, "is_install": True}
    if helm.get("kubeVersion"):
        opts["kube_version"] = str(helm["kubeVersion"])
    if helm.get("apiVersions"):
        opts["api_versions"] = [str(v) for v in helm["apiVersions"]]
    rendered: dict[str, str] = orjson.loads(
        _native.call_string("helm_render", chart._raw(), orjson.dumps(values).decode(), orjson.dumps(opts).decode()))
    return rendered


def _helm_error(exc: helm_python.HelmError, paths: _Paths, chart_yaml: str) -> RenderError:
    detail = str(getattr(exc, "detail", "") or exc)
    m = _AT.search(detail)
    if m:
        return RenderError(f"Helm: {detail}; set the value or fix the template", file=paths(m.group("path")),
                           line=int(m.group("line")), renderer="helm")
    if "schema" in detail:
        schema = chart_yaml.removesuffix("Chart.yaml") + "values.schema.json"
        return RenderError(f"Helm: {detail.strip()}; fix the values", file=schema, renderer="helm")
    return RenderError(f"Helm: {detail}; fix the chart or its values", file=chart_yaml, renderer="helm")


def _objects(ctx: RenderContext, rendered: dict[str, str], crds: list[dict[str, str]],
             paths: _Paths) -> list[Manifest]:
    helm = ctx.option("helm")
    out: list[Manifest] = []
    if not helm.get("skipCrds"):
        for crd in sorted(crds, key=lambda c: c.get("filename", "")):
            file = paths(crd.get("filename", ""))
            out.extend(to_manifests(yaml_documents(crd.get("data", ""), file, renderer="helm"), file,
                                    renderer="helm"))
    for name in sorted(rendered):
        if not name.endswith(_MANIFEST_EXT):
            continue
        file = paths(name)
        for m in to_manifests(yaml_documents(rendered[name], file, renderer="helm"), file, renderer="helm"):
            annotations = argo_annotations(m.obj)
            if helm.get("skipTests") and _is_test(m.obj):
                continue
            if annotations:
                m.extra[ARGO_EXTRA] = annotations
            out.append(m)
    return out


def _is_test(obj: dict[str, Any]) -> bool:
    hook = ((obj.get("metadata") or {}).get("annotations") or {}).get("helm.sh/hook", "")
    return any(part.strip().startswith("test") for part in str(hook).split(","))


def _render_sync(ctx: RenderContext) -> list[Manifest]:
    helm = ctx.option("helm")
    # values.schema.json is always enforced: the SDK's render has no switch to skip it
    ctx.unsupported.extend(f"{OPT}.{k}" for k in sorted(helm) if k not in SUPPORTED and helm[k])
    chart_yaml = ctx.rel(ctx.app_dir / "Chart.yaml")
    check_tree(ctx.root, ctx.app_dir, renderer="helm")
    sources: dict[str, str] = {}
    paths = _Paths(ctx.rel(ctx.app_dir), sources)
    release = str(helm.get("releaseName") or ctx.app_name)
    namespace = str(helm.get("namespace") or ctx.namespace)
    with ExitStack() as stack:
        chart_dir = prepare_chart(ctx, ctx.app_dir, stack, sources)
        values = compose_values(ctx, ctx.app_dir)
        try:
            chart = stack.enter_context(helm_python.Chart.load(chart_dir))
        except helm_python.HelmError as exc:
            raise RenderError(f"cannot load the chart: {exc}; fix Chart.yaml", file=chart_yaml,
                              renderer="helm") from None
        try:
            rendered = _render_chart(chart, values, release, namespace, helm)
            crds = chart.crds
        except helm_python.HelmError as exc:
            raise _helm_error(exc, paths, chart_yaml) from None
        return _objects(ctx, rendered, crds, paths)


async def render_helm(ctx: RenderContext) -> list[Manifest]:
    if not (ctx.app_dir / "Chart.yaml").is_file():
        raise RenderError("is not a Helm chart (no Chart.yaml); remove spec.source.helm or fix spec.source.path",
                          file=ctx.path, renderer="helm")
    return await asyncio.to_thread(_render_sync, ctx)
