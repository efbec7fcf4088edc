"""An Application's sources → one list of manifests (`spec.source` or Argo CD's `spec.sources`).

Each source is pinned first — a Git repository to a commit (credentials per repository URL),
a Helm chart repository's `chart` to a version (downloaded, verified, cached) — then every
source that has something to render is rendered and the manifests are combined in source
order. As in Argo CD, a source with `ref` and neither `path` nor `chart` only lends its files:
Helm `valueFiles: [$name/path]` of the other sources read them. One resource defined by two
sources is an error naming both. Any failure raises (nothing is compared or written, never a
prune); the errors name the source, repository, chart and version.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..app import Application
from ..model import Manifest
from ..render import RenderError, RenderResult, render
from ..source.revisions import Resolved, RevisionKind
from .credentials import CredentialSource
from .errors import EngineError

if TYPE_CHECKING:
    from ..source import ChartCache, RepoCache

Obj = dict[str, Any]
_REF_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


class SourcesError(EngineError):
    """Sources that cannot be combined (bad `ref`, a resource defined twice)."""


@dataclass
class Pinned:
    index: int
    source: Obj
    revision: Resolved
    root: Path  # the repository's files at that revision (or the extracted chart's parent)
    identity: str  # repo@commit, or repo/chart@version (render cache key)

    @property
    def renders(self) -> bool:
        return not (self.source.get("ref") and not self.source.get("path") and not self.source.get("chart"))

    @property
    def path(self) -> str:
        return str(self.source["chart"]) if self.source.get("chart") else str(self.source.get("path") or ".")


def field_of(app: Application, i: int) -> str:
    return "spec.source" if len(app.sources) == 1 and "sources" not in app.raw.get("spec", {}) else f"spec.sources[{i}]"


def check_refs(app: Application) -> None:
    seen: dict[str, int] = {}
    for i, src in enumerate(app.sources):
        ref = src.get("ref")
        if ref is None:
            continue
        if not isinstance(ref, str) or not _REF_NAME.match(ref):
            raise SourcesError(f"{app.source_file or app.name}: {field_of(app, i)}.ref {ref!r} must be letters, "
                               "digits, '-' or '_' (it is used as $ref in valueFiles)")
        if ref in seen:
            raise SourcesError(f"{app.source_file or app.name}: {field_of(app, i)}.ref {ref!r} is also "
                               f"{field_of(app, seen[ref])}.ref; ref names must be unique")
        if src.get("chart"):
            raise SourcesError(f"{app.source_file or app.name}: {field_of(app, i)} has both ref and chart; a ref "
                               "source must be a Git repository")
        seen[ref] = i


async def pin(app: Application, i: int, repos: RepoCache, charts: Callable[[], ChartCache],
              credentials: CredentialSource, *, force: bool = False) -> Pinned:
    src = app.sources[i]
    url = str(src["repoURL"])
    target = str(src.get("targetRevision") or "")
    creds = await credentials.lookup(url)
    if src.get("chart"):
        helm = src.get("helm") if isinstance(src.get("helm"), dict) else {}
        pulled = await charts().pull(url, str(src["chart"]), target, credentials=creds, force=force,
                                   pass_credentials=bool((helm or {}).get("passCredentials")))
        revision = Resolved(pulled.version, f"{pulled.chart}-{pulled.version}", RevisionKind.CHART, target)
        return Pinned(i, src, revision, pulled.path.parent,
                      f"{pulled.repo}/{pulled.chart}@{pulled.version}#{pulled.digest}")
    revision = await repos.resolve(url, target or "HEAD", credentials=creds, force=force)
    snapshot = await repos.read_tree(url, revision.commit_sha, credentials=creds)
    root = await snapshot.materialize("")
    return Pinned(i, src, revision, root, f"{snapshot.repo}@{revision.commit_sha}")


async def render_sources(app: Application, pinned: list[Pinned], namespace: str) -> RenderResult:
    """Render every renderable source (concurrently) and combine; duplicates across sources raise."""
    refs = {str(p.source["ref"]): p.root for p in pinned if p.source.get("ref")}
    ref_ids = "".join(f"|${p.source['ref']}={p.identity}" for p in pinned if p.source.get("ref"))
    renderable = [p for p in pinned if p.renders]
    if not renderable:
        raise SourcesError(f"{app.source_file or app.name}: every source is a ref source (ref without path or chart); "
                           "add a path or a chart to the source to render")

    async def one(p: Pinned) -> RenderResult:
        try:
            return await render(p.root, p.path, p.source, app_name=app.name, namespace=namespace,
                                cache_key=p.identity + ref_ids, refs=refs)
        except RenderError as exc:
            if len(pinned) == 1:
                raise
            # name the source: spec.source.helm… → spec.sources[2].helm…, and the repository
            field = field_of(app, p.index)
            what = f"chart {p.source['chart']} {p.revision.commit_sha}" if p.source.get("chart") else "path"
            raise RenderError(f"{exc.message.replace('spec.source.', field + '.')} ({field}: {p.source['repoURL']} "
                              f"{what} {p.path if not p.source.get('chart') else ''})".replace(" )", ")"),
                              file=exc.file.replace("spec.source.", field + "."), line=exc.line,
                              renderer=exc.renderer) from None

    results = await asyncio.gather(*(one(p) for p in renderable))
    if len(pinned) == 1:
        return results[0]
    owner: dict[tuple[str, str, str, str], tuple[int, Manifest]] = {}
    manifests: list[Manifest] = []
    unsupported: list[str] = []
    ignored: list[str] = []
    for p, result in zip(renderable, results, strict=True):
        for m in result.manifests:
            key = (m.key.group, m.key.kind, m.key.namespace or namespace, m.key.name)
            if key in owner and owner[key][0] != p.index:
                first_index, first = owner[key]
                raise SourcesError(
                    f"{app.source_file or app.name}: {m.key} is defined by both {field_of(app, first_index)} "
                    f"({first.source or 'rendered'}) and {field_of(app, p.index)} ({m.source or 'rendered'}); "
                    "keep it in one source")
            owner[key] = (p.index, m)
            manifests.append(m)
        unsupported += [u.replace("spec.source.", f"{field_of(app, p.index)}.", 1) for u in result.unsupported]
        ignored += result.ignored_files
    renderer = "+".join(dict.fromkeys(r.renderer for r in results)) or "none"
    return RenderResult(tuple(manifests), renderer, tuple(unsupported), tuple(ignored))


def combined_revision(pinned: list[Pinned]) -> Resolved:
    """One revision for the whole app: the source's own, or every source's joined by ',' (a change
    in any source — the values repository included — is a new revision to sync)."""
    if len(pinned) == 1:
        return pinned[0].revision
    first = pinned[0].revision
    return Resolved(",".join(p.revision.commit_sha for p in pinned), first.ref_name, first.kind,
                    ",".join(p.revision.revision for p in pinned))
