"""Which objects the cache keeps: the tracking annotation must name the object itself."""

from __future__ import annotations

from typing import Any

import pytest

from trueup.cache import deep_size, tracked_app

ANN = "trueup.dev/tracking-id"


def obj(name: str, ns: str = "shop", ann: dict[str, str] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": ns, "annotations": ann or {}}}


@pytest.mark.parametrize(("o", "group", "kind", "app"), [
    (obj("web", ann={ANN: "shop:apps/Deployment:shop/web"}), "apps", "Deployment", "shop"),
    (obj("cfg", ann={ANN: "a:/ConfigMap:shop/cfg"}), "", "ConfigMap", "a"),
    (obj("ns1", ns="", ann={ANN: "a:/Namespace:/ns1"}), "", "Namespace", "a"),
    # a ReplicaSet carrying its Deployment's annotation (copied by the deployment controller)
    (obj("web-5d8f", ann={ANN: "shop:apps/Deployment:shop/web"}), "apps", "ReplicaSet", None),
    (obj("web", ns="other", ann={ANN: "shop:apps/Deployment:shop/web"}), "apps", "Deployment", None),
    (obj("web", ann={ANN: ":apps/Deployment:shop/web"}), "apps", "Deployment", None),
    (obj("web", ann={ANN: "garbage"}), "apps", "Deployment", None),
    (obj("web"), "apps", "Deployment", None),
    ({"metadata": {"name": "web", "namespace": "shop", "annotations": {ANN: 5}}}, "apps", "Deployment", None),
    # hooks are outside the app's resources, as in sync.gather_live
    (obj("migrate", ann={ANN: "shop:batch/Job:shop/migrate", "argocd.argoproj.io/hook": "PreSync"}),
     "batch", "Job", None),
])
def test_tracked_app(o: dict[str, Any], group: str, kind: str, app: str | None) -> None:
    assert tracked_app(o, group, kind) == app


def test_deep_size_counts_shared_values_once() -> None:
    big = "x" * 10_000
    one = deep_size({"a": big})
    assert one > 10_000
    assert deep_size({"a": big, "b": big}) < one + 200  # the same string object, counted once
    seen: set[int] = set()
    assert deep_size({"a": big}, seen) + deep_size({"b": big}, seen) < one + 300
