"""Sync order and prune decisions, as Argo CD users expect them."""

from __future__ import annotations

from typing import Any

import pytest

from trueup.model import Manifest, ResourceKey
from trueup.sync import TRACKING_ANNOTATION, PlanError, PlanOptions, plan, tracking_id


def obj(kind: str, name: str, api: str = "v1", ns: str = "app", **annotations: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "annotations": dict(annotations)}
    if kind not in ("Namespace", "CustomResourceDefinition", "ClusterRole"):
        meta["namespace"] = ns
    return {"apiVersion": api, "kind": kind, "metadata": meta}


def names(p: Any) -> list[str]:
    return [f"{t.action}:{t.phase}:{t.wave}:{t.key.kind}/{t.key.name}" for t in p.tasks]


def test_order_is_phase_wave_kind_name() -> None:
    desired = [
        Manifest(obj("Deployment", "web", "apps/v1")),
        Manifest(obj("Service", "web")),
        Manifest(obj("ConfigMap", "b-config")),
        Manifest(obj("ConfigMap", "a-config")),
        Manifest(obj("Namespace", "app")),
        Manifest(obj("StatefulSet", "db", "apps/v1", **{"argocd.argoproj.io/sync-wave": "-1"})),
        Manifest(obj("Job", "migrate", "batch/v1", **{"argocd.argoproj.io/hook": "PreSync"})),
        Manifest(obj("Job", "smoke", "batch/v1", **{"argocd.argoproj.io/hook": "PostSync"})),
        Manifest(obj("CustomResourceDefinition", "widgets.x.io", "apiextensions.k8s.io/v1")),
    ]
    p = plan("shop", desired, [], PlanOptions())
    assert names(p) == [
        "hook:PreSync:0:Job/migrate",
        "apply:Sync:-1:StatefulSet/db",
        "apply:Sync:0:Namespace/app",
        "apply:Sync:0:ConfigMap/a-config",
        "apply:Sync:0:ConfigMap/b-config",
        "apply:Sync:0:CustomResourceDefinition/widgets.x.io",
        "apply:Sync:0:Service/web",
        "apply:Sync:0:Deployment/web",
        "hook:PostSync:0:Job/smoke",
    ]
    assert [w for w, _ in p.waves("Sync")] == [-1, 0]


def test_helm_hooks_map_to_argo_phases_and_policies() -> None:
    hook = obj("Job", "pre", "batch/v1", **{"helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": "5",
                                          "helm.sh/hook-delete-policy": "hook-succeeded"})
    p = plan("a", [Manifest(hook)], [], PlanOptions())
    (task,) = p.tasks
    assert (task.action, task.phase, task.wave, task.delete_policies) == ("hook", "PreSync", 5,
                                                                          frozenset({"HookSucceeded"}))


def test_hook_default_delete_policy_is_before_hook_creation() -> None:
    p = plan("a", [Manifest(obj("Pod", "x", **{"argocd.argoproj.io/hook": "Sync"}))], [], PlanOptions())
    assert p.tasks[0].delete_policies == frozenset({"BeforeHookCreation"})


def tracked(kind: str, name: str, app: str, api: str = "v1", **annotations: str) -> dict[str, Any]:
    o = obj(kind, name, api, **annotations)
    o["metadata"]["annotations"][TRACKING_ANNOTATION] = tracking_id(app, ResourceKey.of(o))
    return o


def test_prune_only_what_this_app_proves_it_created() -> None:
    desired = [Manifest(obj("ConfigMap", "keep"))]
    live = [
        tracked("ConfigMap", "keep", "shop"),
        tracked("ConfigMap", "gone", "shop"),
        tracked("ConfigMap", "other-app", "billing"),
        tracked("Secret", "stay", "shop", **{"argocd.argoproj.io/sync-options": "Prune=false"}),
    ]
    p = plan("shop", desired, live, PlanOptions(prune=True))
    assert [str(t.key) for t in p.by_action("prune")] == ["ConfigMap app/gone"]
    reasons = {str(k): why for k, why in p.skipped}
    assert "never pruned" in reasons["ConfigMap app/other-app"]
    assert reasons["Secret app/stay"] == "Prune=false"
    off = plan("shop", desired, live, PlanOptions(prune=False))
    assert off.by_action("prune") == []
    assert {str(k): why for k, why in off.skipped}["ConfigMap app/gone"] == "would be pruned, but pruning is off"


def test_prune_last_goes_after_every_wave() -> None:
    desired = [Manifest(obj("ConfigMap", "a", **{"argocd.argoproj.io/sync-wave": "3"}))]
    live = [tracked("ConfigMap", "old", "shop")]
    p = plan("shop", desired, live, PlanOptions(prune=True, prune_last=True))
    assert names(p) == ["apply:Sync:3:ConfigMap/a", "prune:Sync:4:ConfigMap/old"]


def test_apply_out_of_sync_only_skips_synced() -> None:
    a, b = obj("ConfigMap", "a"), obj("ConfigMap", "b")
    p = plan("x", [Manifest(a), Manifest(b)], [], PlanOptions(apply_out_of_sync_only=True),
             in_sync=frozenset({ResourceKey.of(a)}))
    assert names(p) == ["apply:Sync:0:ConfigMap/b"]


@pytest.mark.parametrize(
    ("annotations", "message"),
    [
        ({"argocd.argoproj.io/sync-wave": "soon"}, "is not an integer"),
        ({"argocd.argoproj.io/hook": "Later"}, "unknown hook 'Later'"),
    ],
)
def test_bad_annotations_name_the_file_and_resource(annotations: dict[str, str], message: str) -> None:
    with pytest.raises(PlanError) as err:
        plan("x", [Manifest(obj("ConfigMap", "c", **annotations), source="apps/cm.yaml")], [], PlanOptions())
    assert "apps/cm.yaml: ConfigMap app/c" in str(err.value) and message in str(err.value)


def test_duplicate_resource_names_both_files() -> None:
    with pytest.raises(PlanError) as err:
        plan("x", [Manifest(obj("ConfigMap", "c"), source="a.yaml"), Manifest(obj("ConfigMap", "c"), source="b.yaml")],
             [], PlanOptions())
    assert "defined twice: in a.yaml and in b.yaml" in str(err.value)


def test_renderer_supplied_argo_meaning_of_helm_hooks_is_honoured() -> None:
    m = Manifest(obj("Job", "migrate", "batch/v1"),
                 extra={"argocd.annotations": {"argocd.argoproj.io/hook": "PreSync",
                                               "argocd.argoproj.io/sync-wave": "-3"}})
    p = plan("a", [m], [], PlanOptions())
    assert names(p) == ["hook:PreSync:-3:Job/migrate"]
    assert "annotations" not in p.tasks[0].obj["metadata"] or not p.tasks[0].obj["metadata"]["annotations"]
