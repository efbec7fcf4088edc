"""Sync execution against the embedded API server: order, dry run first, proven prunes, hooks."""

from __future__ import annotations

from typing import Any

from trueup.kube import Client, Discovery, Res
from trueup.model import Manifest
from trueup.sync import TRACKING_ANNOTATION, ExecOptions, PlanOptions, Syncer, gather_live, plan
from trueup.sync.execute import NOT_APPLIED

CM = Res("", "v1", "configmaps", "ConfigMap")
NS = Res("", "v1", "namespaces", "Namespace", False)


def cm(name: str, ns: str = "shop", **annotations: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns,
                                                                   "annotations": dict(annotations)},
            "data": {"name": name}}


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def healthy(obj: dict[str, Any]) -> tuple[str, str] | None:
    return None


async def rv_of(client: Client, res: Res, ns: str | None, name: str) -> int:
    obj = await client.get(res, ns, name)
    assert obj is not None, name
    return int(obj["metadata"]["resourceVersion"])


async def test_sync_creates_in_wave_and_kind_order_then_reports_unchanged(kube: tuple[Client, Discovery]) -> None:
    client, disc = kube
    ns_first = namespace("shop")
    ns_first["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": "-5"}
    desired = [
        Manifest(cm("late", **{"argocd.argoproj.io/sync-wave": "2"})),
        Manifest(cm("early", **{"argocd.argoproj.io/sync-wave": "-1"})),
        Manifest(cm("middle")),
        Manifest(ns_first),
    ]
    syncer = Syncer(client, disc, "shop", health=healthy)
    result = await syncer.run(plan("shop", desired, [], PlanOptions()), ExecOptions(namespace="shop"))
    assert result.ok, result.message
    assert sorted((str(r.key), r.action) for r in result.resources) == [
        ("ConfigMap shop/early", "created"), ("ConfigMap shop/late", "created"), ("ConfigMap shop/middle", "created"),
        ("Namespace shop", "created")]
    order = [await rv_of(client, CM, "shop", n) for n in ("early", "middle", "late")]
    assert order == sorted(order)
    assert await rv_of(client, NS, None, "shop") < order[1]
    live = await client.get(CM, "shop", "middle")
    assert live is not None
    assert live["metadata"]["annotations"][TRACKING_ANNOTATION] == "shop:/ConfigMap:shop/middle"
    again = await Syncer(client, disc, "shop", health=healthy).run(plan("shop", desired, [], PlanOptions()))
    assert {r.action for r in again.resources} == {"unchanged"}


async def test_one_invalid_object_means_no_write_at_all(kube: tuple[Client, Discovery]) -> None:
    client, disc = kube
    bad = cm("bad")
    bad["metadata"]["name"] = "Not_Valid"
    desired = [Manifest(namespace("shop")), Manifest(cm("good")), Manifest(bad, source="apps/bad.yaml")]
    await client.apply(NS, None, "shop", namespace("shop"), field_manager="setup")
    result = await Syncer(client, disc, "shop").run(plan("shop", desired, [], PlanOptions()))
    assert not result.ok
    assert "nothing was changed" in result.message and "apps/bad.yaml: ConfigMap shop/Not_Valid" in result.message
    assert await client.get(CM, "shop", "good") is None


async def test_unknown_kind_fails_before_any_write(kube: tuple[Client, Discovery]) -> None:
    client, disc = kube
    ghost = {"apiVersion": "ghosts.example.com/v1", "kind": "Ghost", "metadata": {"name": "g", "namespace": "shop"}}
    desired = [Manifest(namespace("shop")), Manifest(ghost, source="ghost.yaml")]
    result = await Syncer(client, disc, "shop").run(plan("shop", desired, [], PlanOptions()))
    assert not result.ok and "ghost.yaml" in result.message and "is its CRD installed?" in result.message
    assert await client.get(NS, None, "shop") is None


async def test_prune_removes_only_objects_this_app_created(kube: tuple[Client, Discovery]) -> None:
    client, disc = kube
    first = [Manifest(namespace("shop")), Manifest(cm("keep")), Manifest(cm("drop"))]
    assert (await Syncer(client, disc, "shop").run(plan("shop", first, [], PlanOptions()))).ok
    foreign = cm("foreign")
    foreign["metadata"]["annotations"][TRACKING_ANNOTATION] = "billing:/ConfigMap:shop/foreign"
    await client.apply(CM, "shop", "foreign", foreign, field_manager="someone")
    live = await gather_live(client, disc, "shop")
    assert {o["metadata"]["name"] for o in live} == {"shop", "keep", "drop"}
    second = [Manifest(namespace("shop")), Manifest(cm("keep"))]
    no_prune = await Syncer(client, disc, "shop").run(plan("shop", second, live, PlanOptions(prune=False)))
    assert await client.get(CM, "shop", "drop") is not None
    assert any(r.action == "skipped" and "pruning is off" in r.message for r in no_prune.resources)
    result = await Syncer(client, disc, "shop").run(plan("shop", second, live, PlanOptions(prune=True)))
    assert result.ok, result.message
    assert [(str(r.key), r.action) for r in result.resources if r.action == "pruned"] == [("ConfigMap shop/drop",
                                                                                          "pruned")]
    # Foreground propagation (Argo CD's default): the API server marks it; the garbage collector
    # (not running in this API-only cluster) finishes the deletion.
    dropped = await client.get(CM, "shop", "drop")
    assert dropped is None or dropped["metadata"].get("deletionTimestamp")
    assert await client.get(CM, "shop", "foreign") is not None


async def test_hooks_run_around_the_sync_phase_and_honour_delete_policy(kube: tuple[Client, Discovery]) -> None:
    client, disc = kube
    pre = cm("pre-hook", **{"argocd.argoproj.io/hook": "PreSync",
                            "argocd.argoproj.io/hook-delete-policy": "HookSucceeded"})
    post = cm("post-hook", **{"argocd.argoproj.io/hook": "PostSync"})
    desired = [Manifest(namespace("shop")), Manifest(cm("app")), Manifest(pre), Manifest(post)]
    await client.apply(NS, None, "shop", namespace("shop"), field_manager="setup")
    result = await Syncer(client, disc, "shop", health=healthy).run(plan("shop", desired, [], PlanOptions()))
    assert result.ok, result.message
    phases = [(r.phase, str(r.key), r.action) for r in result.resources]
    assert phases[0] == ("PreSync", "ConfigMap shop/pre-hook", "hook-succeeded")
    assert phases[-1] == ("PostSync", "ConfigMap shop/post-hook", "hook-succeeded")
    assert await client.get(CM, "shop", "pre-hook") is None  # HookSucceeded deleted it
    assert await client.get(CM, "shop", "post-hook") is not None  # BeforeHookCreation keeps it until next run


async def test_create_namespace_option_and_dry_run(kube: tuple[Client, Discovery]) -> None:
    client, disc = kube
    desired = [Manifest(cm("x", ns="fresh"))]
    dry = await Syncer(client, disc, "a").run(plan("a", desired, [], PlanOptions()),
                                              ExecOptions(dry_run=True, namespace="fresh", create_namespace=True))
    assert dry.ok and dry.dry_run
    assert await client.get(NS, None, "fresh") is None
    result = await Syncer(client, disc, "a").run(
        plan("a", desired, [], PlanOptions()),
        ExecOptions(namespace="fresh", create_namespace=True, namespace_labels={"team": "shop"}))
    assert result.ok, result.message
    ns = await client.get(NS, None, "fresh")
    assert ns is not None and ns["metadata"]["labels"]["team"] == "shop"
    assert await client.get(CM, "fresh", "x") is not None


async def test_trueup_application_crd_installs_and_accepts_argo_shaped_apps(kube: tuple[Client, Discovery]) -> None:
    from trueup.app import application_crd, parse_application

    client, disc = kube
    crd = application_crd()
    crd_res = Res("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False)
    await client.apply(crd_res, None, crd["metadata"]["name"], crd, field_manager="trueup")
    await disc.refresh()
    apps = (await disc.resolve("trueup.dev/v1alpha1", "Application")).res
    app = {"apiVersion": "trueup.dev/v1alpha1", "kind": "Application",
           "metadata": {"name": "shop", "namespace": "default"},
           "spec": {"project": "default", "source": {"repoURL": "https://git.example.com/shop.git", "path": "app",
                                                     "helm": {"valueFiles": ["prod.yaml"]}},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"}}}
    stored, created = await client.apply(apps, "default", "shop", app, field_manager="trueup")
    assert created and stored["spec"]["source"]["helm"] == {"valueFiles": ["prod.yaml"]}
    assert parse_application(stored).source["path"] == "app"


async def test_resync_skips_unchanged_objects_but_restores_drift_and_removes_dropped_fields(
        kube: tuple[Client, Discovery]) -> None:
    """A no-change re-sync writes nothing; an out-of-band edit and a field dropped from Git still sync."""
    client, disc = kube
    await client.apply(NS, None, "shop", namespace("shop"), field_manager="setup")
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "shop"},
              "type": "Opaque", "stringData": {"password": "s3cret"}}
    a, b = cm("a"), cm("b")
    b["data"]["extra"] = "yes"
    desired = [Manifest(a), Manifest(b), Manifest(secret)]

    skipped: set[str] = set()

    async def sync(manifests: list[Manifest]) -> dict[str, str]:
        result = await Syncer(client, disc, "shop", health=healthy).run(plan("shop", manifests, [], PlanOptions()),
                                                                        ExecOptions(namespace="shop"))
        assert result.ok, result.message
        skipped.clear()
        skipped.update(str(r.key) for r in result.resources if r.message == NOT_APPLIED)
        return {str(r.key): r.action for r in result.resources}

    assert set((await sync(desired)).values()) == {"created"}
    rvs = {n: await rv_of(client, CM, "shop", n) for n in ("a", "b")}
    assert await sync(desired) == {"ConfigMap shop/a": "unchanged", "ConfigMap shop/b": "unchanged",
                                   "Secret shop/creds": "unchanged"}
    assert skipped == {"ConfigMap shop/a", "ConfigMap shop/b", "Secret shop/creds"}  # no dry run, no apply
    assert {n: await rv_of(client, CM, "shop", n) for n in ("a", "b")} == rvs
    # Out of band, by another manager: the re-sync puts Git's value back.
    await client.patch(CM, "shop", "a", {"data": {"name": "edited"}}, field_manager="kubectl-edit",
                       patch_type="merge")
    # A field dropped from Git: the re-sync removes it.
    b2 = cm("b")
    actions = await sync([Manifest(a), Manifest(b2), Manifest(secret)])
    assert actions == {"ConfigMap shop/a": "configured", "ConfigMap shop/b": "configured",
                       "Secret shop/creds": "unchanged"}
    assert skipped == {"Secret shop/creds"}
    live_a, live_b = await client.get(CM, "shop", "a"), await client.get(CM, "shop", "b")
    assert live_a is not None and live_a["data"] == {"name": "a"}
    assert live_b is not None and live_b["data"] == {"name": "b"}
