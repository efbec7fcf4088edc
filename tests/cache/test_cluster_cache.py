"""ClusterCache on the embedded API server: only tracked objects, every change once, kinds added later.

Each test works in its own namespace with an app of the same name (`ns`); the server is shared."""

from __future__ import annotations

import asyncio
from typing import Any

from trueup.app.crd import application_crd
from trueup.cache import ClusterCache, deep_size
from trueup.kube import Client, Discovery, load_config
from trueup.kube.resources import CONFIGMAPS, DEPLOYMENTS, REPLICASETS, Res
from trueup.localcluster.cluster import LocalCluster
from trueup.model import ResourceKey
from trueup.sync import gather_live

from .conftest import ANN, Recorder, configmap, deployment, until

CM = ("", "ConfigMap")
CRDS = Res("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False)


def in_ns(cache: ClusterCache, kind: tuple[str, str], ns: str) -> list[dict[str, Any]]:
    inf = cache.informer(kind)
    assert inf is not None
    return inf.list(namespace=ns)


async def test_only_tracked_objects_are_cached(client: Client, cache: ClusterCache, ns: str) -> None:
    for batch in range(0, 200, 50):
        await asyncio.gather(*(client.create(CONFIGMAPS, ns, configmap(f"noise-{i}", ns, app=None, blob="x" * 512),
                                             field_manager="kubectl") for i in range(batch, batch + 50)))
    for i in range(5):
        await client.create(CONFIGMAPS, ns, configmap(f"tracked-{i}", ns), field_manager="trueup")
    assert await cache.watch_kinds({CM}) == set()
    await cache.wait_synced(5)
    assert [o["metadata"]["name"] for o in cache.objects_of(ns)] == [f"tracked-{i}" for i in range(5)]
    assert len(in_ns(cache, CM, ns)) == 5
    dropped = cache.stats().kinds[CM].informer.dropped
    assert dropped >= 200
    # and while watching: untracked objects arriving by watch are dropped too
    await asyncio.gather(*(client.create(CONFIGMAPS, ns, configmap(f"late-{i}", ns, app=None, blob="y" * 512),
                                         field_manager="kubectl") for i in range(20)))
    await client.create(CONFIGMAPS, ns, configmap("tracked-late", ns), field_manager="trueup")
    await until(lambda: len(cache.objects_of(ns)) == 6, what="the late tracked object")
    assert len(in_ns(cache, CM, ns)) == 6
    assert cache.stats().kinds[CM].informer.dropped >= dropped + 20
    held = deep_size(in_ns(cache, CM, ns))
    assert held < 6 * 4096, held  # 220 untracked objects (>110 KB of data) hold nothing


async def test_patch_delivers_modified_with_old_and_new_then_deleted(client: Client, cache: ClusterCache,
                                                                     ns: str) -> None:
    await client.create(DEPLOYMENTS, ns, deployment("web", ns), field_manager="trueup")
    await cache.watch_kinds({("apps", "Deployment")})
    await cache.wait_synced(5)
    seen = Recorder(ns)
    cache.subscribe(seen)
    # kubectl set image / kubectl edit: a strategic merge patch by another field manager
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}}}}
    await client.patch(DEPLOYMENTS, ns, "web", patch, field_manager="kubectl-set", patch_type="strategic")
    await until(lambda: seen.changes, what="MODIFIED")
    change = seen.changes[0]
    assert (change.type, change.app, change.key) == ("MODIFIED", ns, ResourceKey("apps", "Deployment", ns, "web"))
    assert change.old is not None and change.new is not None

    def image(o: dict[str, Any]) -> Any:
        return o["spec"]["template"]["spec"]["containers"][0]["image"]

    assert (image(change.old), image(change.new)) == ("nginx:1.27", "nginx:1.28")
    assert "kubectl-set" in {m["manager"] for m in change.new["metadata"]["managedFields"]}  # who changed it
    assert cache.get(change.key) is change.new

    await client.delete(DEPLOYMENTS, ns, "web")
    await until(lambda: len(seen.changes) == 2, what="DELETED")
    deleted = seen.changes[1]
    assert (deleted.type, deleted.new, deleted.untracked) == ("DELETED", None, False)
    assert deleted.old is change.new and cache.objects_of(ns) == []


async def test_removing_the_annotation_is_reported_as_untracked(client: Client, cache: ClusterCache,
                                                                ns: str) -> None:
    await client.create(CONFIGMAPS, ns, configmap("cfg", ns), field_manager="trueup")
    await cache.watch_kinds({CM})
    await cache.wait_synced(5)
    seen = Recorder(ns)
    cache.subscribe(seen)
    await client.patch(CONFIGMAPS, ns, "cfg", {"metadata": {"annotations": {ANN: None}}},
                       field_manager="kubectl-annotate")
    await until(lambda: seen.changes, what="DELETED")
    assert [(c.type, c.untracked, c.app) for c in seen.changes] == [("DELETED", True, ns)]
    assert cache.get(seen.changes[0].key) is None


async def test_copied_annotation_does_not_make_an_object_tracked(client: Client, cache: ClusterCache,
                                                                 ns: str) -> None:
    dep = await client.create(DEPLOYMENTS, ns, deployment("web", ns), field_manager="trueup")
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "web-5d8f", "namespace": ns, "labels": {"app": "web"},
                       "annotations": dict(dep["metadata"]["annotations"]),  # as the deployment controller copies
                       "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                            "uid": dep["metadata"]["uid"], "controller": True}]},
          "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                   "template": deployment("web", ns)["spec"]["template"]}}
    await client.create(REPLICASETS, ns, rs, field_manager="deployment-controller")
    await cache.watch_kinds({("apps", "Deployment"), ("apps", "ReplicaSet")})
    await cache.wait_synced(5)
    assert cache.keys_of(ns) == {ResourceKey("apps", "Deployment", ns, "web")}
    assert in_ns(cache, ("apps", "ReplicaSet"), ns) == []
    # the same objects as the per-sync scan the cache replaces
    live = await gather_live(client, Discovery(client), ns, [DEPLOYMENTS, REPLICASETS])
    assert [o["metadata"]["uid"] for o in live] == [o["metadata"]["uid"] for o in cache.objects_of(ns)]


async def test_a_kind_served_later_is_watched_when_asked_again(client: Client, cache: ClusterCache,
                                                               ns: str) -> None:
    widget = ("example.com", "Widget")
    await cache.watch_kinds({CM})
    assert await cache.watch_kinds({widget}) == {widget}  # no CRD yet: pending
    assert cache.stats().pending == [widget]
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
    await client.create(CRDS, None, crd, field_manager="trueup")  # as a sync applying a CRD would
    widgets = Res("example.com", "v1", "widgets", "Widget")
    body = {"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w1", "namespace": ns, "annotations": {ANN: f"{ns}:example.com/Widget:{ns}/w1"}},
            "spec": {"size": 3}}
    await client.create(widgets, ns, body, field_manager="trueup")
    assert await cache.watch_kinds(set()) == set()  # the pending kind, retried
    assert cache.watched()[widget] == widgets
    await cache.wait_synced(5)
    key = ResourceKey("example.com", "Widget", ns, "w1")
    assert cache.keys_of(ns) == {key} and cache.stats().pending == []
    seen = Recorder(ns)
    cache.subscribe(seen)
    await client.patch(widgets, ns, "w1", {"spec": {"size": 4}}, field_manager="kubectl")
    await until(lambda: seen.changes, what="the widget's MODIFIED")
    assert cache.get(key)["spec"]["size"] == 4  # type: ignore[index]


async def test_applications_of_both_apis_in_the_configured_namespace(client: Client, cluster: LocalCluster,
                                                                     ns: str) -> None:
    argo_crd: dict[str, Any] = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "applications.argoproj.io"},
                "spec": {"group": "argoproj.io", "scope": "Namespaced",
                         "names": {"kind": "Application", "plural": "applications", "singular": "application",
                                   "listKind": "ApplicationList"},
                         "versions": [{"name": "v1alpha1", "served": True, "storage": True,
                                       "schema": {"openAPIV3Schema": {
                                           "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}
    for crd in (application_crd(), argo_crd):
        await client.apply(CRDS, None, crd["metadata"]["name"], crd, field_manager="trueup")
    reader = Client.from_config(load_config(cluster.kubeconfig), user_agent="trueup-cache")
    async with ClusterCache(reader, Discovery(reader), namespace=ns) as cache:
        watched = await cache.watch_applications()
        assert sorted(r.api_version for r in watched) == ["argoproj.io/v1alpha1", "trueup.dev/v1alpha1"]
        await cache.wait_synced(5)
        events: list[tuple[str, str]] = []
        cache.subscribe_applications(lambda t, o, old: events.append((t, o["apiVersion"])))
        spec = {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
                "source": {"repoURL": "https://example.com/repo.git", "path": "app", "targetRevision": "HEAD"}}
        for res in watched:
            body = {"apiVersion": res.api_version, "kind": "Application", "metadata": {"name": "shop", "namespace": ns},
                    "spec": spec}
            await client.create(res, ns, body, field_manager="kubectl")
            await client.create(res, "default", {**body, "metadata": {"name": "elsewhere", "namespace": "default"}},
                                field_manager="kubectl")
        await until(lambda: len(cache.applications()) == 2, what="both Applications")
        assert sorted(events) == [("ADDED", "argoproj.io/v1alpha1"), ("ADDED", "trueup.dev/v1alpha1")]
        assert cache.application("trueup.dev", "shop") is not None
        assert cache.application("argoproj.io", "elsewhere") is None  # another namespace: not watched
    await reader.close()


async def test_memory_per_cached_object(client: Client, cache: ClusterCache, ns: str) -> None:
    """What one cached object costs, as the server sends it, managedFields dropped while trueup is the
    only manager (kept as soon as another manager changes the object: the test above)."""
    for i in range(20):
        dep = deployment(f"web-{i}", ns)
        await client.apply(DEPLOYMENTS, ns, f"web-{i}", dep, field_manager="trueup")
        cfg = configmap(f"cfg-{i}", ns, LOG_LEVEL="info", FEATURE_X="on", URL="https://api.example.com/v1")
        await client.apply(CONFIGMAPS, ns, f"cfg-{i}", cfg, field_manager="trueup")
    await cache.watch_kinds({CM, ("apps", "Deployment")})
    await cache.wait_synced(5)
    assert len(cache.objects_of(ns)) == 40
    per_deployment = deep_size(in_ns(cache, ("apps", "Deployment"), ns)) / 20
    per_configmap = deep_size(in_ns(cache, CM, ns)) / 20
    without_mf = deep_size([{**o, "metadata": {k: v for k, v in o["metadata"].items() if k != "managedFields"}}
                            for o in in_ns(cache, ("apps", "Deployment"), ns)]) / 20
    print(f"bytes per cached object: Deployment {per_deployment:.0f} ({without_mf:.0f} without managedFields), "
          f"ConfigMap {per_configmap:.0f}")
    # trueup alone manages them: nothing to attribute drift to, so their managedFields are not kept
    assert all("managedFields" not in o["metadata"] for o in cache.objects_of(ns))
    assert per_deployment < 8_000 and per_configmap < 3_000
