"""The controller's side of the HTTP server (`trueup.server.ServerHooks`), read from its caches.

    hooks = server_hooks(controller)
    running = await serve(build_app(config, hooks, controller.metrics), "127.0.0.1:8080")

- `apps()`: one `AppRef` per Application source (repo URL, targetRevision, path, and the
  `argocd.argoproj.io/manifest-generate-paths` annotation) for webhook matching, Argo CD's
  Applications included when the controller reconciles them (its followers).
- `refresh(apps, reason)`: a hard refresh (Git fetched whatever the fetch interval) of each app.
- `app_list()` / `app_get(name)`: JSON summaries of the trueup.dev Applications: name, namespace, project,
  repo, path, revision, sync status, health, conditions, and the last operation's phase. Only
  fields of the spec and status: no credentials (repository URLs lose their user-info).
- `ready()`: the controller started and its Application cache synced.
"""

from __future__ import annotations

import logging
from typing import Any

from ..metrics import scrub_repo_url
from ..server import ServerHooks
from ..webhooks import MANIFEST_GENERATE_PATHS, AppRef
from .controller import Controller

log = logging.getLogger("trueup.controller")

Obj = dict[str, Any]


def _sources(doc: Obj) -> list[Obj]:
    spec = doc.get("spec") or {}
    sources = [spec.get("source"), *(spec.get("sources") or [])]
    return [s for s in sources if isinstance(s, dict) and isinstance(s.get("repoURL"), str)]


def app_refs(doc: Obj) -> list[AppRef]:
    """The webhook view of one Application: one AppRef per source."""
    meta = doc.get("metadata") or {}
    paths = (meta.get("annotations") or {}).get(MANIFEST_GENERATE_PATHS)
    return [AppRef(repo_url=str(src["repoURL"]), target_revision=str(src.get("targetRevision") or ""),
                   path=str(src.get("path") or ""), refresh_paths=paths if isinstance(paths, str) else None,
                   name=str(meta.get("name", "")), namespace=str(meta.get("namespace", "")))
            for src in _sources(doc)]


def _safe_url(url: str) -> str:
    try:
        return scrub_repo_url(url)
    except Exception:
        return ""


def summary(doc: Obj) -> Obj:
    """One Application as the API shows it (no secrets: only names, URLs without user-info, status)."""
    meta = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    status = doc.get("status") or {}
    sources = _sources(doc)
    first = sources[0] if sources else {}
    sync = status.get("sync") or {}
    op = status.get("operationState") or {}
    return {
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "project": spec.get("project") or "default",
        "repo": _safe_url(str(first.get("repoURL") or "")),
        "path": first.get("path") or "",
        "targetRevision": first.get("targetRevision") or "",
        "destination": {k: v for k, v in (spec.get("destination") or {}).items() if k in ("namespace", "name")},
        "sync": {"status": sync.get("status") or "Unknown", "revision": sync.get("revision") or ""},
        "health": {"status": (status.get("health") or {}).get("status") or "Unknown"},
        "operationPhase": op.get("phase") or "",
        "conditions": [{k: c.get(k) for k in ("type", "message", "lastTransitionTime")}
                       for c in status.get("conditions") or [] if isinstance(c, dict)],
        "reconciledAt": status.get("reconciledAt") or "",
    }


def server_hooks(controller: Controller) -> ServerHooks:
    """The server's callbacks, answered from `controller`'s Application cache."""

    def docs() -> list[Obj]:
        return sorted(controller.apps.list(controller.namespace), key=lambda d: str(d["metadata"]["name"]))

    controllers = [controller, *controller.followers]  # Argo CD's Applications too, when reconciled

    def apps() -> list[AppRef]:
        return [ref for c in controllers for doc in c.apps.list(c.namespace) for ref in app_refs(doc)]

    async def refresh(refs: list[AppRef], reason: str) -> None:
        done: set[tuple[str, str]] = set()
        for ref in refs:
            for c in controllers:
                namespace = ref.namespace or controller.namespace
                if ref.name and c.namespace == namespace and c.apps.get(namespace, ref.name) is not None:
                    c.hard_refresh(ref.name)
                    done.add((namespace, ref.name))
        if done:
            log.info("hard refresh of %d app(s): %s", len(done), reason)

    async def app_list() -> list[Obj]:
        return [summary(doc) for doc in docs()]

    async def app_get(name: str) -> Obj | None:
        doc = controller.apps.get(controller.namespace, name)
        return summary(doc) if doc is not None else None

    return ServerHooks(apps=apps, refresh=refresh, app_list=app_list, app_get=app_get, ready=controller.ready)


__all__ = ["app_refs", "server_hooks", "summary"]
