"""Renderers: a directory of a repository at a commit → Kubernetes manifests.

One entry point, `render(root, path, source, app_name=, namespace=)`, chooses like Argo CD
between plain directories (YAML, JSON, Jsonnet), Kustomize (the real kustomize in kubectl) and
Helm (the Helm SDK), with Argo CD's option names. It returns a `RenderResult` or raises
`RenderError` (file, line, what to fix) — never an empty list for a failure. Every path read
stays inside the repository. Results are cached per caller-supplied `cache_key`.

Modules: `api` (render), `select` (detection, registry), `directory`, `jsonnet`, `kustomize`
(+ `kustomize_overlay`, `kustomize_refs`), `helm` (+ `helm_values`, `helm_deps`, `helm_hooks`),
`yamldocs` (parsing), `objects` (what is a manifest, duplicates), `globs`, `confine`,
`envsubst`, `cache`, `result`, `errors`.
"""

from .api import render
from .cache import DEFAULT_CACHE, RenderCache
from .errors import RenderError
from .helm_hooks import ARGO_EXTRA
from .result import RenderResult, RenderSettings
from .select import RENDERERS

__all__ = ["ARGO_EXTRA", "DEFAULT_CACHE", "RENDERERS", "RenderCache", "RenderError", "RenderResult",
           "RenderSettings", "render"]
