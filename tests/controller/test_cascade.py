"""App-of-apps and cascade deletion on the embedded cluster: a parent app whose Git holds child
Applications creates them and the controller reconciles them; deleting an app with the
`resources-finalizer.argocd.argoproj.io` finalizer deletes what it tracks (child apps cascading in
turn through their own finalizers); without it, resources stay; pruning a child app from the
parent's Git removes the child and, through its finalizer, its resources."""

from __future__ import annotations

import json

from tests.controller.conftest import NAMESPACE, Kit, application, configmap, deployment, until
from trueup.controller import APPLICATIONS
from trueup.kube.resources import CONFIGMAPS, DEPLOYMENTS

FOREGROUND = "resources-finalizer.argocd.argoproj.io"
BACKGROUND = "resources-finalizer.argocd.argoproj.io/background"


def child_app(kit: Kit, name: str, finalizer: str | None = FOREGROUND) -> str:
    doc = application(name, kit.repo, name, automated={"prune": True, "selfHeal": True}, path=name)
    if finalizer:
        doc["metadata"]["finalizers"] = [finalizer]
    return json.dumps(doc, indent=2) + "\n"


def child_files(name: str) -> dict[str, str]:
    return {f"{name}/web.yaml": deployment("web"), f"{name}/cm.yaml": configmap("settings", owner=name)}


async def _gone(kit: Kit, name: str) -> bool:
    return await kit.client.get(APPLICATIONS, NAMESPACE, name) is None


async def _child_ready(kit: Kit, name: str) -> bool:
    doc = await kit.client.get(APPLICATIONS, NAMESPACE, name)
    s = (doc or {}).get("status") or {}
    ready = (s.get("sync") or {}).get("status") == "Synced" and (s.get("health") or {}).get("status") == "Healthy"
    if not ready:
        return False
    return await kit.client.get(DEPLOYMENTS, name, "web") is not None \
        and await kit.client.get(CONFIGMAPS, name, "settings") is not None


async def _resources_gone(kit: Kit, name: str) -> bool:
    return await kit.client.get(DEPLOYMENTS, name, "web") is None \
        and await kit.client.get(CONFIGMAPS, name, "settings") is None


async def _parent_with_children(kit: Kit, *, parent_finalizer: str | None = FOREGROUND) -> tuple[str, str]:
    c1, c2 = f"{kit.name}-c1", f"{kit.name}-c2"
    kit.repo.write({**child_files(c1), **child_files(c2),
                    f"parent/{c1}.yaml": child_app(kit, c1), f"parent/{c2}.yaml": child_app(kit, c2)})
    doc = application(kit.name, kit.repo, NAMESPACE, automated={"prune": True}, path="parent")
    if parent_finalizer:
        doc["metadata"]["finalizers"] = [parent_finalizer]
    await kit.create(doc)
    for child in (c1, c2):
        await until(lambda child=child: _child_ready(kit, child), limit_s=30, what=f"{child} Synced/Healthy")  # type: ignore[misc]
    parent = await until(lambda: _status_if(kit, "Synced", "Healthy"), limit_s=30, what="parent Synced/Healthy")
    kinds = {(r["kind"], r["name"]) for r in parent["resources"]}
    assert kinds == {("Application", c1), ("Application", c2)}
    return c1, c2


async def _status_if(kit: Kit, sync: str, health: str) -> dict[str, object] | None:
    s = await kit.status()
    ok = (s.get("sync") or {}).get("status") == sync and (s.get("health") or {}).get("status") == health
    return s if ok else None


async def test_app_of_apps_creates_children_and_cascade_deletes_them(kit: Kit) -> None:
    c1, c2 = await _parent_with_children(kit)
    child = await kit.client.get(APPLICATIONS, NAMESPACE, c1)
    assert child is not None
    assert child["metadata"]["annotations"]["trueup.dev/tracking-id"].startswith(f"{kit.name}:")

    await kit.client.delete(APPLICATIONS, NAMESPACE, kit.name)
    await until(lambda: _gone(kit, kit.name), limit_s=30, what="parent deleted")
    for name in (c1, c2):
        assert await _gone(kit, name), f"child {name} outlived its parent's foreground cascade"
        assert await _resources_gone(kit, name), f"resources of {name} outlived the cascade"


async def test_background_finalizer_cascades_too(kit: Kit) -> None:
    c1, c2 = await _parent_with_children(kit, parent_finalizer=BACKGROUND)
    await kit.client.delete(APPLICATIONS, NAMESPACE, kit.name)
    await until(lambda: _gone(kit, kit.name), limit_s=30, what="parent deleted")
    for name in (c1, c2):
        await until(lambda name=name: _gone(kit, name), limit_s=30, what=f"{name} deleted")  # type: ignore[misc]
        await until(lambda name=name: _resources_gone(kit, name), limit_s=30, what=f"{name} resources deleted")  # type: ignore[misc]


async def test_delete_without_finalizer_keeps_resources(kit: Kit) -> None:
    sha = kit.repo.write({"app/web.yaml": deployment("web"), "app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"prune": True}))
    await kit.synced(sha)
    await kit.client.delete(APPLICATIONS, NAMESPACE, kit.name)
    await until(lambda: _gone(kit, kit.name), what="app deleted")
    before = kit.controller.reconciles
    kit.controller.refresh(kit.name)  # a stray reconcile of a deleted app must do nothing
    await until(lambda: kit.controller.reconciles > before, what="one more reconcile")
    assert await kit.client.get(DEPLOYMENTS, kit.ns, "web") is not None
    assert await kit.client.get(CONFIGMAPS, kit.ns, "settings") is not None


async def test_pruning_a_child_from_git_removes_it_and_its_resources(kit: Kit) -> None:
    c1, c2 = await _parent_with_children(kit)
    (kit.repo.path / "parent" / f"{c2}.yaml").unlink()
    kit.repo.write({}, message=f"remove {c2}")
    kit.controller.refresh(kit.name)
    await until(lambda: _gone(kit, c2), limit_s=30, what=f"{c2} pruned")
    await until(lambda: _resources_gone(kit, c2), limit_s=30, what=f"{c2} resources deleted")
    assert await _child_ready(kit, c1)
    parent = await until(lambda: _status_if(kit, "Synced", "Healthy"), limit_s=30, what="parent Synced")
    assert {(r["kind"], r["name"]) for r in parent["resources"]} == {("Application", c1)}
    # clean up through the cascade (the other tests' cluster is shared)
    await kit.client.delete(APPLICATIONS, NAMESPACE, kit.name)
    await until(lambda: _gone(kit, kit.name), limit_s=30, what="parent deleted")
    assert await _resources_gone(kit, c1)


async def test_cascade_after_a_render_error_uses_the_live_tracking_only(kit: Kit) -> None:
    sha = kit.repo.write({"app/web.yaml": deployment("web"), "app/cm.yaml": configmap("settings", mode="a")})
    doc = application(kit.name, kit.repo, kit.ns, automated={"prune": True})
    doc["metadata"]["finalizers"] = [FOREGROUND]
    await kit.create(doc)
    await kit.synced(sha)
    kit.repo.write({"app/cm.yaml": "kind: [unclosed\n"})
    kit.controller.refresh(kit.name)
    await until(lambda: kit.conditions("ComparisonError"), what="ComparisonError")
    assert await kit.client.get(CONFIGMAPS, kit.ns, "settings") is not None  # no prune on a render error
    await kit.client.delete(APPLICATIONS, NAMESPACE, kit.name)
    await until(lambda: _gone(kit, kit.name), limit_s=30, what="app deleted")
    assert await kit.client.get(DEPLOYMENTS, kit.ns, "web") is None
    assert await kit.client.get(CONFIGMAPS, kit.ns, "settings") is None
