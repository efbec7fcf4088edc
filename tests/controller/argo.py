"""Argo CD's Applications (argoproj.io/v1alpha1) for in-process controller tests: the CRD stand-in
(argocd-crd.yaml) installed through the API, an Application as users write it for Argo CD, and
readers of its status and Events."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import yaml

from tests.controller.conftest import NAMESPACE, until
from tests.e2e.gitrepo import GitRepo
from trueup.controller import Controller
from trueup.controller.operate import ARGO_APPLICATIONS
from trueup.kube import ApiError, Client, Res, load_config
from trueup.kube.resources import EVENTS, NAMESPACES
from trueup.source import RepoCache

Obj = dict[str, Any]
CRD_FILE = Path(__file__).with_name("argocd-crd.yaml")
CRDS = Res("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False)
FOREGROUND = "resources-finalizer.argocd.argoproj.io"


async def install_argocd_crd(client: Client, namespaces: tuple[str, ...] = ("argocd",)) -> None:
    """Apply Argo CD's CRD (as a user would) and create its namespaces; return once it is served."""
    crd = yaml.safe_load(CRD_FILE.read_text())
    await client.apply(CRDS, None, crd["metadata"]["name"], crd, field_manager="kubectl")
    for ns in namespaces:
        await client.apply(NAMESPACES, None, ns, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
                           field_manager="kubectl")

    async def served() -> bool:
        try:
            await client.list(ARGO_APPLICATIONS, "argocd")
            return True
        except ApiError:
            return False
    await until(served, limit_s=60, what="applications.argoproj.io served")


def argo_app(name: str, namespace: str, repo: GitRepo, dest: str, path: str, *, finalizer: bool = True) -> Obj:
    meta: Obj = {"name": name, "namespace": namespace, **({"finalizers": [FOREGROUND]} if finalizer else {})}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta,
            "spec": {"project": "default",
                     "source": {"repoURL": str(repo.path), "targetRevision": "HEAD", "path": path},
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": dest},
                     "syncPolicy": {"automated": {"prune": True, "selfHeal": True},
                                    "syncOptions": ["CreateNamespace=true"]}}}


async def get_argo(client: Client, namespace: str, name: str) -> Obj:
    doc = await client.get(ARGO_APPLICATIONS, namespace, name)
    assert doc is not None, f"Application.argoproj.io {namespace}/{name} not found"
    return doc


async def argo_synced(client: Client, namespace: str, name: str, revision: str) -> Obj:
    async def check() -> Obj:
        s = (await get_argo(client, namespace, name)).get("status") or {}
        assert (s.get("sync") or {}).get("status") == "Synced" and s["sync"].get("revision") == revision \
            and (s.get("health") or {}).get("status") == "Healthy", s
        return dict(s)
    result: Obj = await until(check, limit_s=60, what=f"argoproj.io {namespace}/{name} Synced at {revision[:8]}")
    return result


def conditions(doc: Obj, type_: str) -> list[str]:
    return [str(c.get("message")) for c in (doc.get("status") or {}).get("conditions") or [] if c.get("type") == type_]


async def events(client: Client, namespace: str, name: str, reason: str) -> list[Obj]:
    items, _ = await client.list(EVENTS, namespace, field_selector=f"involvedObject.name={name}")
    return [e for e in items if e.get("reason") == reason]


@contextlib.asynccontextmanager
async def controller_following_argocd(kubeconfig: Path, git_dir: Path) -> AsyncIterator[Controller]:
    """trueup's controller (namespace `trueup`) with Argo CD's Applications followed in `trueup` and
    `argocd` (as `trueup up` does when it reconciles them), the CRD installed first."""
    c = Client.from_config(load_config(kubeconfig), user_agent="trueup")
    try:
        await install_argocd_crd(c)
        repos = RepoCache(git_dir, min_fetch_interval=0)
        ctl = Controller(c, repos, namespace=NAMESPACE, poll_interval=60.0, wave_timeout=30.0)
        for ns in (NAMESPACE, "argocd"):
            ctl.follow(Controller(c, repos, namespace=ns, poll_interval=60.0, wave_timeout=30.0, metrics=ctl.metrics,
                                  apps=ARGO_APPLICATIONS, install_crds=False))
        async with ctl:
            yield ctl
    finally:
        await c.close()
