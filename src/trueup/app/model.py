"""The Application: Argo CD's `argoproj.io/v1alpha1` manifests, field for field, and trueup's own
`trueup.dev/v1alpha1` with the same field names.

`parse_application(doc, source=path)` validates what the engine needs (a name, a repoURL, a
destination) and raises `AppError` naming the file and field otherwise. Every field trueup does
not support is collected in `Application.unsupported` (reported as a condition on the app,
never silently ignored). Source options stay plain dicts with Argo's field names: the renderers
read them as they are.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .depends import Dependency, DependencyError, dependencies

Obj = dict[str, Any]

API_VERSIONS = ("argoproj.io/v1alpha1", "trueup.dev/v1alpha1")

# The fields trueup understands, as a tree: {} = a leaf of any shape, a dict = known sub-fields,
# [dict] = a list of items with those sub-fields.
_SOURCE: Obj = {
    "repoURL": {}, "targetRevision": {}, "path": {}, "chart": {}, "ref": {}, "name": {},
    "directory": {"recurse": {}, "include": {}, "exclude": {},
                  "jsonnet": {"extVars": {}, "tlas": {}, "libs": {}}},
    "helm": {"releaseName": {}, "values": {}, "valuesObject": {}, "valueFiles": {}, "parameters": {},
             "fileParameters": {}, "ignoreMissingValueFiles": {}, "skipCrds": {}, "passCredentials": {},
             "version": {}, "namespace": {}},
    "kustomize": {"namePrefix": {}, "nameSuffix": {}, "images": {}, "replicas": {}, "commonLabels": {},
                  "commonAnnotations": {}, "components": {}, "patches": {}, "namespace": {}, "version": {}},
}
_KNOWN: Obj = {
    "apiVersion": {}, "kind": {},
    "metadata": {},
    "operation": {},
    "status": {},
    "spec": {
        "project": {},
        "source": _SOURCE,
        "sources": [_SOURCE],
        "destination": {"server": {}, "name": {}, "namespace": {}},
        "syncPolicy": {
            "automated": {"enabled": {}, "prune": {}, "selfHeal": {}, "allowEmpty": {}},
            "syncOptions": {},
            "retry": {"limit": {}, "backoff": {"duration": {}, "factor": {}, "maxDuration": {}}},
            "managedNamespaceMetadata": {"labels": {}, "annotations": {}},
        },
        "ignoreDifferences": [{"group": {}, "kind": {}, "name": {}, "namespace": {}, "jsonPointers": {},
                               "jqPathExpressions": {}, "managedFieldsManagers": {}}],
        "revisionHistoryLimit": {},
        "info": {},
        "dependsOn": {},
    },
}


class AppError(Exception):
    """An Application the engine cannot act on; the message names the file and the field."""


@dataclass(frozen=True)
class Destination:
    server: str = ""
    name: str = ""
    namespace: str = ""


@dataclass(frozen=True)
class Retry:
    limit: int = 5
    duration: str = "5s"
    factor: float = 2.0
    max_duration: str = "3m"


@dataclass(frozen=True)
class SyncPolicy:
    automated: bool = False
    prune: bool = False
    self_heal: bool = False
    allow_empty: bool = False
    options: frozenset[str] = frozenset()
    retry: Retry | None = None
    namespace_labels: dict[str, str] = field(default_factory=dict, compare=False)
    namespace_annotations: dict[str, str] = field(default_factory=dict, compare=False)

    def has(self, option: str) -> bool:
        """`has("CreateNamespace=true")`, `has("Prune=false")`…"""
        return option in self.options


@dataclass
class Application:
    name: str
    namespace: str
    api_version: str
    project: str
    sources: list[Obj]
    destination: Destination
    sync_policy: SyncPolicy
    ignore_differences: list[Obj]
    depends_on: list[Dependency]  # as written; namespace empty = the app's own
    unsupported: list[str]
    raw: Obj = field(repr=False)
    source_file: str = ""

    @property
    def source(self) -> Obj:
        return self.sources[0]


def _unsupported(value: Any, known: Any, path: str, out: list[str]) -> None:
    if isinstance(known, list):
        if isinstance(value, list):
            for i, item in enumerate(value):
                _unsupported(item, known[0], f"{path}[{i}]", out)
        return
    if not known or not isinstance(value, dict):
        return
    for key, sub in value.items():
        if key not in known:
            out.append(f"{path}.{key}" if path else key)
        else:
            _unsupported(sub, known[key], f"{path}.{key}" if path else key, out)


def _bool(value: Any, where: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise AppError(f"{where} must be true or false, not {value!r}")


def parse_application(doc: Obj, source: str = "") -> Application:
    where = source or "the Application"
    if not isinstance(doc, dict):
        raise AppError(f"{where}: an Application must be a YAML mapping")
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    if kind != "Application" or api_version not in API_VERSIONS:
        raise AppError(f"{where}: expected kind Application with apiVersion {' or '.join(API_VERSIONS)}, "
                       f"got {kind!r} {api_version!r}")
    meta = doc.get("metadata") or {}
    name = str(meta.get("name") or "")
    if not name:
        raise AppError(f"{where}: metadata.name is required")
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        raise AppError(f"{where}: Application {name}: spec is required")
    sources = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
    if not sources:
        raise AppError(f"{where}: Application {name}: spec.source (or spec.sources) is required")
    for i, src in enumerate(sources):
        field_name = "spec.source" if "source" in spec else f"spec.sources[{i}]"
        if not isinstance(src, dict) or not src.get("repoURL"):
            raise AppError(f"{where}: Application {name}: {field_name}.repoURL is required")
    dest = spec.get("destination") or {}
    if not isinstance(dest, dict) or not (dest.get("server") or dest.get("name")):
        raise AppError(f"{where}: Application {name}: spec.destination.server or spec.destination.name is required")
    policy = spec.get("syncPolicy") or {}
    automated = policy.get("automated")
    retry_doc = policy.get("retry")
    retry = None
    if isinstance(retry_doc, dict):
        backoff = retry_doc.get("backoff") or {}
        retry = Retry(limit=int(retry_doc.get("limit", 5)), duration=str(backoff.get("duration", "5s")),
                      factor=float(backoff.get("factor", 2)), max_duration=str(backoff.get("maxDuration", "3m")))
    nsmeta = policy.get("managedNamespaceMetadata") or {}
    sync_policy = SyncPolicy(
        automated=isinstance(automated, dict) and automated.get("enabled", True) is not False,
        prune=_bool((automated or {}).get("prune"), f"{where}: spec.syncPolicy.automated.prune"),
        self_heal=_bool((automated or {}).get("selfHeal"), f"{where}: spec.syncPolicy.automated.selfHeal"),
        allow_empty=_bool((automated or {}).get("allowEmpty"), f"{where}: spec.syncPolicy.automated.allowEmpty"),
        options=frozenset(str(o) for o in policy.get("syncOptions") or []),
        retry=retry,
        namespace_labels=dict(nsmeta.get("labels") or {}),
        namespace_annotations=dict(nsmeta.get("annotations") or {}),
    )
    try:
        depends_on = dependencies(doc)
    except DependencyError as exc:
        raise AppError(f"{where}: Application {name}: {exc}") from None
    unsupported: list[str] = []
    _unsupported(doc, _KNOWN, "", unsupported)
    return Application(
        name=name,
        namespace=str(meta.get("namespace") or ""),
        api_version=str(api_version),
        project=str(spec.get("project") or "default"),
        sources=[dict(s) for s in sources],
        destination=Destination(server=str(dest.get("server") or ""), name=str(dest.get("name") or ""),
                                namespace=str(dest.get("namespace") or "")),
        sync_policy=sync_policy,
        ignore_differences=[dict(r) for r in spec.get("ignoreDifferences") or []],
        depends_on=depends_on,
        unsupported=unsupported,
        raw=doc,
        source_file=source,
    )


def pin_revision(doc: Obj, revision: str) -> Obj:
    """A copy of the Application document `doc` with its source(s) pinned to `revision` (a manual
    sync or rollback). With `spec.sources`, a revision as the status records it — one per source
    joined by "," — pins each source to its own; a single revision pins the first source only."""
    pinned = copy.deepcopy(doc)
    spec = pinned.setdefault("spec", {})
    sources = spec.get("sources")
    if isinstance(sources, list) and sources:
        parts = revision.split(",")
        if len(parts) == len(sources) and len(sources) > 1:
            for src, part in zip(sources, parts, strict=True):
                if isinstance(src, dict):
                    src["targetRevision"] = part
        elif isinstance(sources[0], dict):
            sources[0]["targetRevision"] = revision
        spec.pop("source", None)
    elif isinstance(spec.get("source"), dict):
        spec["source"]["targetRevision"] = revision
    return pinned
