"""Two reconciled Applications with one name (a trueup.dev and an argoproj.io one, or Argo CD ones in
two namespaces) would share tracking ids and prune each other's objects. The one created later is
blocked: never renders, syncs, prunes or cascades; it says why (condition and Event naming the
other); once the first is gone, it proceeds.

The cluster records every request it serves (`LocalCluster(audit=...)`): "touches nothing" is
counted on the server's side, not inferred from the client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.controller.argo import (
    FOREGROUND,
    argo_app,
    argo_synced,
    conditions,
    controller_following_argocd,
    events,
    get_argo,
)
from tests.controller.audit import Audit
from tests.controller.conftest import NAMESPACE, Kit, application, configmap, until
from trueup.controller import APPLICATIONS, Controller
from trueup.controller.names import clash_message, holder
from trueup.controller.operate import ARGO_APPLICATIONS
from trueup.kube.resources import CONFIGMAPS
from trueup.localcluster.cluster import LocalCluster

REFRESH = "argocd.argoproj.io/refresh"


AUDIT = Audit()


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalCluster]:
    async with LocalCluster(tmp_path_factory.mktemp("clash") / "cluster", audit=AUDIT) as c:
        yield c


@pytest.fixture(scope="module")
async def controller(cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Controller]:
    """trueup's controller with Argo CD's Applications followed in `trueup` and `argocd`."""
    async with controller_following_argocd(cluster.kubeconfig, tmp_path_factory.mktemp("git")) as ctl:
        yield ctl


def _files() -> dict[str, str]:
    return {"a/cm.yaml": configmap("first", v="a"), "b/cm.yaml": configmap("second", v="b")}


async def _first_app(kit: Kit) -> str:
    """The app created first: trueup.dev, path a (ConfigMap `first`), cascade finalizer; Synced."""
    sha = kit.repo.write(_files())
    doc = application(kit.name, kit.repo, kit.ns, automated={"prune": True, "selfHeal": True}, path="a")
    doc["metadata"]["finalizers"] = [FOREGROUND]
    await kit.create(doc)
    await kit.synced(sha)
    return sha


async def _blocked(kit: Kit, namespace: str, name: str) -> str:
    async def check() -> str:
        doc = await get_argo(kit.client, namespace, name)
        found = conditions(doc, "InvalidSpecError")
        assert found, f"no InvalidSpecError yet: {doc.get('status')}"
        return found[0]
    message: str = await until(check, limit_s=60, what=f"{namespace}/{name} blocked")
    return message


async def test_a_later_app_of_the_same_name_touches_nothing_and_says_why(kit: Kit) -> None:
    sha = await _first_app(kit)
    first_cm = await kit.client.get(CONFIGMAPS, kit.ns, "first")
    assert first_cm is not None
    mark = AUDIT.mark()
    # Argo CD's app of the same name, same destination, another path: were it reconciled, its
    # auto-sync with prune would delete ConfigMap `first` (its tracking id names it too)
    await kit.client.create(ARGO_APPLICATIONS, "argocd", argo_app(kit.name, "argocd", kit.repo, kit.ns, "b"),
                            field_manager="kubectl")
    message = await _blocked(kit, "argocd", kit.name)
    assert f"Application.trueup.dev {NAMESPACE}/{kit.name}" in message and "rename one" in message
    later = await get_argo(kit.client, "argocd", kit.name)
    assert later["status"]["sync"]["status"] == "Unknown" and "resources" not in later["status"]
    clash = await until(lambda: events(kit.client, "argocd", kit.name, "NameClash"), limit_s=30,
                        what="a NameClash Event")
    assert clash[0]["type"] == "Warning" and f"{NAMESPACE}/{kit.name}" in clash[0]["message"]

    # asked to refresh, it looks again (the annotation is removed once processed) and still touches nothing
    await kit.client.patch(ARGO_APPLICATIONS, "argocd", kit.name, {"metadata": {"annotations": {REFRESH: "hard"}}},
                           field_manager="kubectl")
    await until(lambda: _annotation_gone(kit, "argocd", kit.name), limit_s=60, what="the refresh processed")
    assert AUDIT.writes(mark, kit.ns) == []
    assert await kit.client.get(CONFIGMAPS, kit.ns, "second") is None
    now = await kit.client.get(CONFIGMAPS, kit.ns, "first")
    assert now is not None and now["metadata"]["resourceVersion"] == first_cm["metadata"]["resourceVersion"]
    first = await kit.status()
    assert first["sync"] == {**first["sync"], "status": "Synced", "revision": sha}
    assert not [c for c in first.get("conditions") or [] if c["type"] == "InvalidSpecError"]

    # deleting the blocked app (with the cascade finalizer) deletes none of the first app's objects
    await kit.client.delete(ARGO_APPLICATIONS, "argocd", kit.name)
    await until(lambda: _gone(kit, "argocd", kit.name), limit_s=60, what="the blocked app gone")
    assert AUDIT.writes(mark, kit.ns) == []
    now = await kit.client.get(CONFIGMAPS, kit.ns, "first")
    assert now is not None and now["metadata"]["resourceVersion"] == first_cm["metadata"]["resourceVersion"]

    # and the first keeps working: an out-of-band change is healed
    await kit.client.patch(CONFIGMAPS, kit.ns, "first", {"data": {"v": "edited"}}, field_manager="kubectl-edit")
    await until(lambda: _data(kit, "first", "a"), limit_s=60, what="ConfigMap first healed by the first app")


async def test_deleting_the_first_app_lets_the_later_one_proceed(kit: Kit) -> None:
    sha = await _first_app(kit)
    await kit.client.create(ARGO_APPLICATIONS, "argocd", argo_app(kit.name, "argocd", kit.repo, kit.ns, "b"),
                            field_manager="kubectl")
    await _blocked(kit, "argocd", kit.name)
    await kit.client.delete(APPLICATIONS, NAMESPACE, kit.name)  # its cascade deletes ConfigMap first
    status = await argo_synced(kit.client, "argocd", kit.name, sha)
    assert [r["name"] for r in status["resources"]] == ["second"]
    assert not [c for c in status.get("conditions") or [] if c["type"] == "InvalidSpecError"]
    assert await kit.client.get(APPLICATIONS, NAMESPACE, kit.name) is None
    assert await kit.client.get(CONFIGMAPS, kit.ns, "first") is None


async def test_argocd_apps_of_one_name_in_two_namespaces(kit: Kit) -> None:
    sha = kit.repo.write(_files())
    await kit.client.create(ARGO_APPLICATIONS, "argocd", argo_app(kit.name, "argocd", kit.repo, kit.ns, "a"),
                            field_manager="kubectl")
    await argo_synced(kit.client, "argocd", kit.name, sha)
    mark = AUDIT.mark()
    await kit.client.create(ARGO_APPLICATIONS, NAMESPACE, argo_app(kit.name, NAMESPACE, kit.repo, kit.ns, "b"),
                            field_manager="kubectl")
    message = await _blocked(kit, NAMESPACE, kit.name)
    assert f"Application.argoproj.io argocd/{kit.name}" in message
    assert AUDIT.writes(mark, kit.ns) == []
    assert await kit.client.get(CONFIGMAPS, kit.ns, "second") is None
    first = await get_argo(kit.client, "argocd", kit.name)
    assert first["status"]["sync"]["status"] == "Synced" and not conditions(first, "InvalidSpecError")


async def test_two_apps_of_one_name_created_together_one_proceeds(kit: Kit) -> None:
    """Created back to back, the second (argocd sorts before trueup: by the written rules it holds the
    name, if neither was worked on yet) reaches the controller while the first is being rendered,
    before trueup wrote the first's status: one of the two must still be the only one to write."""
    sha = kit.repo.write(_files())
    mark = AUDIT.mark()
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"prune": True, "selfHeal": True},
                                 path="a"))
    # the second is created once the controller has read the first (so its check found no other app
    # of the name) and before it wrote the first's status (it renders first)
    read = f"/namespaces/{NAMESPACE}/applications/{kit.name}"
    for _ in range(20_000):  # ~20 s at most, polled every millisecond: the window is a few ms wide
        if any(m == "GET" and p.endswith(read) for m, p, _ in AUDIT.requests[mark:]):
            break
        await asyncio.sleep(0.001)
    else:
        raise AssertionError(f"the controller never read Application {NAMESPACE}/{kit.name}")
    await kit.client.create(ARGO_APPLICATIONS, "argocd", argo_app(kit.name, "argocd", kit.repo, kit.ns, "b"),
                            field_manager="kubectl")

    async def settled() -> str:
        blocked = [api for api, ns in (("trueup.dev", NAMESPACE), ("argoproj.io", "argocd"))
                   if conditions(await _get(kit, api, ns), "InvalidSpecError")]
        assert len(blocked) == 1, f"apps blocked by the name clash: {blocked}"
        return blocked[0]
    blocked = await until(settled, limit_s=60, what="one of the two apps blocked")
    if blocked == "trueup.dev":
        await argo_synced(kit.client, "argocd", kit.name, sha)
        holder_name = f"Application.argoproj.io argocd/{kit.name}"
    else:
        await kit.synced(sha)
        holder_name = f"Application.trueup.dev {NAMESPACE}/{kit.name}"
    message = conditions(await _get(kit, blocked, NAMESPACE if blocked == "trueup.dev" else "argocd"),
                         "InvalidSpecError")
    assert holder_name in message[0], message
    written = {path.rsplit("/", 1)[-1] for _, path, _ in AUDIT.writes(mark, kit.ns) if "/configmaps" in path}
    assert written == ({"second"} if blocked == "trueup.dev" else {"first"}), \
        f"ConfigMaps written in {kit.ns} with {blocked} blocked: {written}"


async def _get(kit: Kit, api: str, namespace: str) -> dict[str, object]:
    doc = await kit.client.get(APPLICATIONS if api == "trueup.dev" else ARGO_APPLICATIONS, namespace, kit.name)
    assert doc is not None
    return doc


def test_who_holds_a_name_is_decided_by_work_then_creation_then_namespace_then_api() -> None:
    def app(api: str, ns: str, created: str, uid: str, *, worked_on: bool = False,
            conditions: list[dict[str, str]] | None = None) -> dict[str, object]:
        managed = [{"manager": "trueup", "operation": "Update", "fieldsV1": {"f:status": {"f:sync": {}}}}] \
            if worked_on else [{"manager": "argocd-application-controller", "fieldsV1": {"f:status": {}}}]
        return {"apiVersion": f"{api}/v1alpha1", "kind": "Application",
                "metadata": {"name": "web", "namespace": ns, "creationTimestamp": created, "uid": uid,
                             "managedFields": managed},
                "status": {"reconciledAt": created, "conditions": conditions or []}}
    old = app("trueup.dev", "trueup", "2026-01-01T00:00:00Z", "1")
    new = app("argoproj.io", "argocd", "2026-01-01T00:00:05Z", "2")
    assert holder(new, [old, new]) is old and holder(old, [old, new]) is None
    same_second = app("argoproj.io", "trueup", "2026-01-01T00:00:00Z", "3")
    assert holder(old, [old, same_second]) is same_second  # same second and namespace: argoproj.io < trueup.dev
    other_ns = app("argoproj.io", "argocd", "2026-01-01T00:00:00Z", "4")
    assert holder(same_second, [same_second, other_ns]) is other_ns  # same second: argocd < trueup
    assert holder(old, [old]) is None
    # the app trueup works on keeps its name: against one created in the same second, and against an
    # older one trueup starts reconciling only now (status written by Argo CD's controller)
    working = app("trueup.dev", "trueup", "2026-01-01T00:00:07Z", "5", worked_on=True)
    assert holder(new, [working, new]) is working and holder(working, [working, new]) is None
    # an app blocked by a name clash (its status written by trueup too) does not count as worked on
    blocked = app("argoproj.io", "argocd", "2026-01-01T00:00:00Z", "6", worked_on=True,
                  conditions=[{"type": "InvalidSpecError", "message": clash_message(new, working)}])
    assert holder(blocked, [working, blocked]) is working
    # two worked on (a race): the one created first
    racing = app("argoproj.io", "argocd", "2026-01-01T00:00:09Z", "7", worked_on=True)
    assert holder(racing, [working, racing]) is working
    # two worked on, one of them long ago (an Argo CD app trueup reconciled once, then left to Argo CD
    # while a trueup.dev app of its name was created): the one trueup wrote last keeps the name
    taken_back = app("argoproj.io", "argocd", "2026-01-01T00:00:00Z", "8", worked_on=True)
    taken_back["metadata"]["managedFields"][0]["time"] = "2026-01-01T00:01:00Z"  # type: ignore[index]
    recent = app("trueup.dev", "trueup", "2026-01-02T00:00:00Z", "9", worked_on=True)
    recent["metadata"]["managedFields"][0]["time"] = "2026-01-02T00:00:30Z"  # type: ignore[index]
    assert holder(taken_back, [taken_back, recent]) is recent and holder(recent, [taken_back, recent]) is None


async def _annotation_gone(kit: Kit, namespace: str, name: str) -> bool:
    doc = await get_argo(kit.client, namespace, name)
    return REFRESH not in ((doc.get("metadata") or {}).get("annotations") or {})


async def _gone(kit: Kit, namespace: str, name: str) -> bool:
    return await kit.client.get(ARGO_APPLICATIONS, namespace, name) is None


async def _data(kit: Kit, name: str, value: str) -> bool:
    cm = await kit.client.get(CONFIGMAPS, kit.ns, name)
    return cm is not None and (cm.get("data") or {}).get("v") == value

