"""The controller's side of the HTTP server (`trueup.server.ServerHooks`), read from its caches.

    hooks = server_hooks(controller)
    running = await serve(build_app(config, hooks, controller.metrics), "127.0.0.1:8080")

- `apps()`: one `AppRef` per Application source (repo URL, targetRevision, path, and the
  `argocd.argoproj.io/manifest-generate-paths` annotation) for webhook matching, Argo CD's
  Applications included when the controller reconciles them (its followers).
- `refresh(apps, reason)`: a hard refresh (Git fetched whatever the fetch interval) of each app.
- `app_list()` / `app_get(name, api=None)`: JSON summaries of the Applications the controller
  reconciles: name, namespace, project, repo, path, revision, sync status, health, conditions,
  and the last operation's phase. Only fields of the spec and status: no credentials (repository
  URLs lose their user-info). While Argo CD's Applications are reconciled too (followers), they are
  listed after trueup's and every item has `api` (`trueup.dev` | `argoproj.io`); a name in both
  APIs without `api` raises AmbiguousApplication (a 409 saying to pass ?api=).
- `ready()`: the controller started and its Application cache synced.
"""

from __future__ import annotations

import logging
from typing import Any

from ..metrics import scrub_repo_url
from ..server import AmbiguousApplication, ServerHooks
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


def api_of(doc: Obj) -> str:
    return str(doc.get("apiVersion") or "trueup.dev/").split("/", 1)[0]


def api_of_res(c: Controller) -> str:
    return c.apps_res.group


def server_hooks(controller: Controller) -> ServerHooks:
    """The server's callbacks, answered from `controller`'s Application cache."""

    def controllers() -> list[Controller]:  # Argo CD's Applications too, while reconciled (they come and go)
        return [controller, *controller.followers]

    def docs() -> list[Obj]:
        return [doc for c in controllers()
                for doc in sorted(c.apps.list(c.namespace), key=lambda d: str(d["metadata"]["name"]))]

    def apps() -> list[AppRef]:
        return [ref for c in controllers() for doc in c.apps.list(c.namespace) for ref in app_refs(doc)]

    async def refresh(refs: list[AppRef], reason: str) -> None:
        done: set[tuple[str, str]] = set()
        for ref in refs:
            for c in controllers():
                namespace = ref.namespace or controller.namespace
                if ref.name and c.namespace == namespace and c.apps.get(namespace, ref.name) is not None:
                    c.hard_refresh(ref.name)
                    done.add((namespace, ref.name))
        if done:
            log.info("hard refresh of %d app(s): %s", len(done), reason)

    def view(doc: Obj, both: bool) -> Obj:
        return {**summary(doc), "api": api_of(doc)} if both else summary(doc)

    async def app_list() -> list[Obj]:
        both = bool(controller.followers)
        return [view(doc, both) for doc in docs()]

    async def app_get(name: str, api: str | None = None) -> Obj | None:
        both = bool(controller.followers)
        found = [doc for c in controllers() if api is None or api_of_res(c) == api
                 for doc in [c.apps.get(c.namespace, name)] if doc is not None]
        if len(found) > 1:
            where = ", ".join(f"{api_of(d)} {d['metadata'].get('namespace')}/{name}" for d in found)
            raise AmbiguousApplication(f"application {name!r} exists in more than one place ({where}); "
                                       "choose one with ?api=trueup.dev or ?api=argoproj.io")
        return view(found[0], both) if found else None

    return ServerHooks(apps=apps, refresh=refresh, app_list=app_list, app_get=app_get, ready=controller.ready)


__all__ = ["api_of", "app_refs", "server_hooks", "summary"]
