"""Helm charts from an HTTP chart repository served on 127.0.0.1 (charts packaged and indexed by the
test), and Argo CD multi-source apps (`spec.sources`, `ref` sources, `$ref/path` value files),
through the real `trueup render|diff|sync` against the embedded cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import RunningCluster
from tests.e2e.charts import TEMPLATE, index, package
from tests.e2e.engine_kit import Sandbox, cluster_state
from tests.e2e.gitrepo import GitRepo
from tests.e2e.httpserve import AuthServer

PASSWORD = "chart-Repo-pw-4411"
@pytest.fixture
def chart_repo(tmp_path: Path) -> Any:
    srv = tmp_path / "srv"
    static = srv / "static"
    index(static, [("web", v, package(static, "web", v)) for v in ("1.0.0", "1.1.0", "2.0.0-rc.1", "2.1.0")])
    with AuthServer(srv, "carol", PASSWORD, protect_static=False) as server:
        yield server


def chart_source(server: AuthServer, revision: str, **extra: Any) -> dict[str, Any]:
    return {"repoURL": f"{server.url}/static", "chart": "web", "targetRevision": revision, **extra}


def test_chart_from_repository_by_semver_range_syncs_with_values(
        cluster: RunningCluster, tmp_path: Path, chart_repo: AuthServer, ns: str) -> None:
    box = Sandbox(cluster, tmp_path, ns=ns)
    app = box.app(spec={"source": chart_source(chart_repo, "^1.0.0", helm={
        "releaseName": "shop", "parameters": [{"name": "color", "value": "blue"}]})})
    run = box.trueup("sync", str(app))
    assert run.code == 0, run.out
    assert box.get("configmap", "shop-cfg")["data"] == {"chartVersion": "1.1.0", "color": "blue", "size": "small"}
    assert "1.1.0" in run.stderr  # the version chosen is the revision shown
    box.assert_no_drift(app)
    # an exact version, and a pre-release only when the range names one
    for revision, expected in (("1.0.0", "1.0.0"), (">=2.0.0-rc.0 <2.1.0", "2.0.0-rc.1"), ("*", "2.1.0")):
        app = box.app(spec={"source": chart_source(chart_repo, revision)})
        run = box.trueup("render", str(app))
        assert run.code == 0, run.out
        assert yaml.safe_load(run.stdout)["data"]["chartVersion"] == expected, revision


def test_missing_version_chart_and_unreachable_repo_are_errors_naming_them(
        cluster: RunningCluster, tmp_path: Path, chart_repo: AuthServer, ns: str) -> None:
    box = Sandbox(cluster, tmp_path, ns=ns)
    before = cluster_state(cluster, ns)
    cases = [
        (chart_source(chart_repo, "^3.0.0"), ["web", "^3.0.0", f"127.0.0.1:{chart_repo.port}", "2.1.0"]),
        ({**chart_source(chart_repo, "1.0.0"), "chart": "shop"}, ["'shop' not found", "web"]),
        ({**chart_source(chart_repo, "1.0.0"), "repoURL": "http://127.0.0.1:1/charts"},
         ["127.0.0.1:1/charts", "cannot reach"]),
        ({**chart_source(chart_repo, "1.0.0"), "repoURL": "oci://127.0.0.1:5000/charts"},
         ["OCI registries are not supported"]),
    ]
    for source, words in cases:
        app = box.app(spec={"source": source})
        run = box.trueup("sync", str(app), "--prune")
        assert run.code == 2, run.out
        for word in words:
            assert word in run.stderr, (word, run.stderr)
    assert cluster_state(cluster, ns) == before


def test_an_archive_that_does_not_match_the_index_digest_is_refused(
        cluster: RunningCluster, tmp_path: Path, chart_repo: AuthServer, ns: str) -> None:
    box = Sandbox(cluster, tmp_path, ns=ns)
    static = chart_repo.root / "static"
    package(static, "web", "2.1.0", TEMPLATE.replace("ConfigMap", "Secret"))  # replaced after indexing
    app = box.app(spec={"source": chart_source(chart_repo, "2.1.0")})
    run = box.trueup("sync", str(app))
    assert run.code == 2 and "sha256 does not match" in run.stderr and "web 2.1.0" in run.stderr, run.out
    assert not box.exists("secret", "web-cfg") and not box.exists("configmap", "web-cfg")


def test_a_private_chart_repository_needs_credentials(cluster: RunningCluster, tmp_path: Path) -> None:
    srv = tmp_path / "srv"
    static = srv / "static"
    index(static, [("web", "1.0.0", package(static, "web", "1.0.0"))])
    with AuthServer(srv, "carol", PASSWORD) as server:
        box = Sandbox(cluster, tmp_path)
        app = box.app(spec={"source": chart_source(server, "1.0.0")})
        run = box.trueup("render", str(app))
        assert run.code == 2 and "401" in run.stderr and "repository Secret" in run.stderr, run.out
        creds = tmp_path / "creds.yaml"
        creds.write_text(yaml.safe_dump([{"urlPrefix": server.url, "username": "carol", "password": PASSWORD,
                                          "type": "helm"}]))
        creds.chmod(0o600)
        run = box.trueup("render", str(app), "--repo-creds", str(creds))
        assert run.code == 0, run.out
        assert yaml.safe_load(run.stdout)["data"]["chartVersion"] == "1.0.0"
        assert PASSWORD not in run.out


def _multi(box: Sandbox, sources: list[dict[str, Any]]) -> Path:
    return box.app(spec={"sources": sources})


def test_chart_from_one_repository_values_from_another_and_a_plain_directory(
        cluster: RunningCluster, tmp_path: Path, chart_repo: AuthServer, ns: str) -> None:
    box = Sandbox(cluster, tmp_path, ns=ns)
    values = GitRepo(tmp_path / "values")
    values.write({"envs/prod.yaml": "color: green\nsize: large\n",
                  "extra/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a: b}\n"})
    app = _multi(box, [
        chart_source(chart_repo, "1.0.0", helm={"releaseName": "shop", "valueFiles": ["$values/envs/prod.yaml"]}),
        {"repoURL": str(values.path), "targetRevision": "main", "ref": "values"},
        {"repoURL": str(values.path), "targetRevision": "main", "path": "extra"},
    ])
    run = box.trueup("sync", str(app))
    assert run.code == 0, run.out
    assert box.get("configmap", "shop-cfg")["data"] == {"chartVersion": "1.0.0", "color": "green", "size": "large"}
    assert box.get("configmap", "extra")["data"] == {"a": "b"}
    box.assert_no_drift(app)
    # the values repository moves: the app drifts on exactly that value
    values.write({"envs/prod.yaml": "color: purple\nsize: large\n"})
    assert [d[:3] for d in box.drift(app)] == [("ConfigMap", "shop-cfg", ".data.color")]
    run = box.trueup("sync", str(app))
    assert run.code == 0, run.out
    assert box.get("configmap", "shop-cfg")["data"]["color"] == "purple"


def test_multi_source_errors_name_the_sources_and_write_nothing(
        cluster: RunningCluster, tmp_path: Path, ns: str) -> None:
    box = Sandbox(cluster, tmp_path, ns=ns)
    repo = box.repo
    repo.write({"a/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\ndata: {from: a}\n",
                "b/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\ndata: {from: b}\n",
                "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
                "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
                                           "data: {v: {{ .Values.v | quote }}}\n"})
    before = cluster_state(cluster, ns)
    src = {"repoURL": str(repo.path), "targetRevision": "main"}
    cases: list[tuple[list[dict[str, Any]], list[str]]] = [
        ([{**src, "path": "a"}, {**src, "path": "b"}], ["ConfigMap", "same", "spec.sources[0]", "spec.sources[1]",
                                                         "a/cm.yaml", "b/cm.yaml"]),
        ([{**src, "path": "chart", "helm": {"valueFiles": ["$vals/v.yaml"]}}],
         ["$vals/v.yaml", "'vals'"]),
        ([{**src, "path": "chart", "helm": {"valueFiles": ["$vals/../../etc/passwd"]}}, {**src, "ref": "vals"}],
         ["outside the repository"]),
        ([{**src, "path": "a", "ref": "x"}, {**src, "ref": "x"}], ["ref names must be unique"]),
    ]
    for sources, words in cases:
        run = box.trueup("sync", str(_multi(box, sources)), "--prune")
        assert run.code == 2, run.out
        for word in words:
            assert word in run.stderr, (word, run.stderr)
    assert cluster_state(cluster, ns) == before
