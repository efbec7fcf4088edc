"""Bad input: a clear error naming the file or resource, exit 2 (or a Failed sync, exit 1, when the
API server rejects an object), and no write to the cluster at all.

Every case syncs into a namespace that does not exist yet with CreateNamespace=true and ships a
ClusterRole next to the bad object: if anything had been written, the namespace (created before the
first object) or the ClusterRole would exist afterwards."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import RunningCluster
from tests.e2e.engine_kit import Sandbox, cluster_state

GOOD_CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\ndata: {a: '1'}\n"


def cluster_role(ns: str) -> str:
    return yaml.safe_dump({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                           "metadata": {"name": f"{ns}-canary"}, "rules": []})


CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    "chart/values.yaml": "image: nginx\n",
    "chart/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
        "data:\n  image: {{ .Values.image }}\n  db: {{ required \"database.host is required\" .Values.database }}\n"),
}


@dataclass
class Case:
    files: dict[str, str]
    expect: list[str]  # fragments of the error
    code: int = 2
    source: dict[str, Any] = field(default_factory=dict)
    path: str = "app"
    repo_url: str | None = None
    revision: str = "main"
    symlink: tuple[str, str] | None = None  # (link in the repo, target outside)


CASES = {
    "malformed-yaml": Case({"app/bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n"},
                           ["app/bad.yaml"]),
    "duplicate-resource": Case({"app/one.yaml": GOOD_CM.replace("good", "dup"),
                                "app/two.yaml": GOOD_CM.replace("good", "dup").replace("'1'", "'2'")},
                               ["ConfigMap", "dup", "app/one.yaml", "app/two.yaml"]),
    "unknown-kind": Case({"app/odd.yaml": "apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g}\n"},
                         ["app/odd.yaml", "Gizmo"]),
    "helm-required-value": Case(CHART, ["chart/templates/cm.yaml", "database.host is required"], path="chart"),
    "value-file-escapes-repo": Case({**CHART, "chart/values-x.yaml": "database: db\n"},
                                    ["../../outside.yaml", "valueFiles"], path="chart",
                                    source={"helm": {"valueFiles": ["../../outside.yaml"]}}),
    "symlink-outside-repo": Case({}, ["app/link.yaml", "outside"], symlink=("app/link.yaml", "outside.yaml")),
    "repo-does-not-exist": Case({}, ["no-such-repo"], repo_url="no-such-repo"),
    "revision-does-not-exist": Case({}, ["v9.9.9"], revision="v9.9.9"),
    "invalid-name": Case({"app/bad.yaml": GOOD_CM.replace("name: good", "name: Bad_Name")},
                         ["app/bad.yaml", "Bad_Name"], code=1),
    "selector-does-not-match": Case({"app/deploy.yaml": """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: other}}
    spec: {containers: [{name: web, image: nginx}]}
"""}, ["app/deploy.yaml", "Deployment", "web", "selector"], code=1),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_named_and_writes_nothing(cluster: RunningCluster, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    box = Sandbox(cluster, tmp_path)
    outside = tmp_path / "outside.yaml"
    outside.write_text(GOOD_CM.replace("good", "outside"))
    files = {"app/good.yaml": GOOD_CM, "app/canary.yaml": cluster_role(box.ns), **case.files}
    if case.path == "chart":
        files["chart/templates/canary.yaml"] = cluster_role(box.ns)
    if case.symlink:
        link = box.repo.path / case.symlink[0]
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(tmp_path / case.symlink[1], link)
    box.repo.write(files)
    repo_url = str(tmp_path / case.repo_url) if case.repo_url else None
    app = box.app(path=case.path, source=case.source, repo_url=repo_url, revision=case.revision)

    run = box.trueup("sync", str(app))
    assert run.code == case.code, run.out
    message = run.stderr if case.code == 2 else run.stdout
    for fragment in case.expect:
        assert fragment in message, f"{fragment!r} not in: {message}"
    assert "Traceback" not in run.out
    assert not box.namespace_exists(), "the sync wrote to the cluster"
    assert cluster.kubectl("get", "clusterrole", f"{box.ns}-canary", check=False).returncode != 0

    # diff and health refuse the same input the same way (exit 2), also without writing.
    if case.code == 2:
        diff = box.trueup("diff", str(app))
        assert diff.code == 2 and case.expect[0] in diff.stderr, diff.out


def test_rejected_object_leaves_a_synced_app_untouched(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({"app/good.yaml": GOOD_CM})
    app = box.app()
    box.sync(app)
    before = cluster_state(cluster, box.ns)
    box.repo.write({"app/good.yaml": GOOD_CM.replace("'1'", "'changed'"),
                    "app/new.yaml": GOOD_CM.replace("good", "new"),
                    "app/bad.yaml": GOOD_CM.replace("name: good", "name: -bad-")})
    for args in ((), ("--prune",)):
        run = box.trueup("sync", str(app), *args)
        assert run.code == 1 and "app/bad.yaml" in run.stdout and "nothing was changed" in run.stdout, run.out
    assert cluster_state(cluster, box.ns) == before
    assert box.get("cm", "good")["data"] == {"a": "1"}
