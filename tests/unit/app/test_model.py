"""Argo CD Application manifests parse unchanged; unsupported fields are reported, bad ones refused."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from trueup.app import AppError, parse_application

ARGO_APP = """
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: backend
  namespace: argocd
  finalizers: [resources-finalizer.argocd.argoproj.io]
spec:
  project: default
  source:
    repoURL: https://git.example.com/org/app.git
    targetRevision: main
    path: backend
    helm:
      valueFiles: [values-prod.yaml]
      parameters:
        - {name: image.tag, value: "1.2.3", forceString: true}
  destination:
    server: https://kubernetes.default.svc
    namespace: shop
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true, ServerSideApply=true]
    retry: {limit: 3, backoff: {duration: 10s, factor: 3, maxDuration: 1m}}
  ignoreDifferences:
    - group: apps
      kind: Deployment
      jsonPointers: [/spec/replicas]
"""


def test_argo_application_parses_field_for_field() -> None:
    app = parse_application(yaml.safe_load(ARGO_APP), source="apps/backend.yaml")
    assert app.name == "backend" and app.project == "default"
    assert app.source["path"] == "backend"
    assert app.source["helm"]["parameters"][0] == {"name": "image.tag", "value": "1.2.3", "forceString": True}
    assert app.destination.namespace == "shop"
    policy = app.sync_policy
    assert (policy.automated, policy.prune, policy.self_heal, policy.allow_empty) == (True, True, True, False)
    assert policy.has("CreateNamespace=true") and policy.has("ServerSideApply=true")
    assert policy.retry is not None and (policy.retry.limit, policy.retry.duration) == (3, "10s")
    assert app.ignore_differences[0]["jsonPointers"] == ["/spec/replicas"]
    assert app.unsupported == []


def test_trueup_api_group_and_multiple_sources() -> None:
    doc: dict[str, Any] = yaml.safe_load(ARGO_APP)
    doc["apiVersion"] = "trueup.dev/v1alpha1"
    src = doc["spec"].pop("source")
    doc["spec"]["sources"] = [src, {"repoURL": "https://git.example.com/org/values.git", "ref": "values"}]
    app = parse_application(doc)
    assert app.api_version == "trueup.dev/v1alpha1" and len(app.sources) == 2
    assert app.sources[1]["ref"] == "values"
    assert app.unsupported == []  # every source is rendered; a ref source lends its files


def test_unsupported_fields_are_reported_not_ignored() -> None:
    doc = yaml.safe_load(ARGO_APP)
    doc["spec"]["source"]["plugin"] = {"name": "cmp"}
    doc["spec"]["syncPolicy"]["automated"]["surprise"] = True
    app = parse_application(doc)
    assert app.unsupported == ["spec.source.plugin", "spec.syncPolicy.automated.surprise"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["metadata"].pop("name"), "metadata.name is required"),
        (lambda d: d["spec"]["source"].pop("repoURL"), "spec.source.repoURL is required"),
        (lambda d: d["spec"].pop("destination"), "spec.destination.server or spec.destination.name is required"),
        (lambda d: d.update(kind="Deployment"), "expected kind Application"),
        (lambda d: d["spec"]["syncPolicy"]["automated"].update(prune="yes"), "automated.prune must be true or false"),
    ],
)
def test_bad_applications_name_file_and_field(mutate: Any, message: str) -> None:
    doc = yaml.safe_load(ARGO_APP)
    mutate(doc)
    with pytest.raises(AppError) as err:
        parse_application(doc, source="apps/backend.yaml")
    assert str(err.value).startswith("apps/backend.yaml") and message in str(err.value)


def test_pin_revision_pins_each_source_to_its_own_revision() -> None:
    from trueup.app import pin_revision

    single = {"spec": {"source": {"repoURL": "r", "targetRevision": "main"}}}
    assert pin_revision(single, "abc")["spec"]["source"]["targetRevision"] == "abc"
    assert single["spec"]["source"]["targetRevision"] == "main"  # a copy
    multi = {"spec": {"sources": [{"repoURL": "a", "targetRevision": "main"},
                                  {"repoURL": "b", "targetRevision": "main", "ref": "values"}]}}
    pinned = pin_revision(multi, "sha-a,sha-b")["spec"]["sources"]
    assert [s["targetRevision"] for s in pinned] == ["sha-a", "sha-b"]
    pinned = pin_revision(multi, "v2")["spec"]["sources"]
    assert [s["targetRevision"] for s in pinned] == ["v2", "main"]
