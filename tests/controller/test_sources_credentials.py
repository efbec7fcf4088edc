"""The controller with a private Git repository (a real `git http-backend` behind basic auth on
127.0.0.1) and Argo CD repository Secrets in its namespace; and multi-source apps with a `ref`
values repository, whose status lists one revision per source."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.controller.conftest import NAMESPACE, Kit, application, until
from tests.e2e.charts import index, package
from tests.e2e.gitrepo import GitRepo
from tests.e2e.httpserve import AuthServer
from trueup.controller import APPLICATIONS
from trueup.kube.resources import CONFIGMAPS, EVENTS, SECRETS

PASSWORD = "ctl-Pa55word-90210"
CHART_CM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
data:
  color: {{ .Values.color | quote }}
"""


async def _status_where(kit: Kit, check: Any, what: str, refresh: bool = False) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        if refresh:
            kit.controller.refresh(kit.name)
        status = await kit.status()
        return status if check(status) else None
    result: dict[str, Any] = await until(probe, limit_s=60, what=what)
    return result


async def test_private_repository_syncs_once_a_repository_secret_exists(
        kit: Kit, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    srv = tmp_path / "srv"
    sha = GitRepo(srv / "git" / "team.git").write({"app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\n"
                                                                  "metadata: {name: private}\ndata: {tier: gold}\n"})
    with AuthServer(srv, "alice", PASSWORD) as server:
        url = f"{server.url}/git/team.git"
        doc = application(kit.name, kit.repo, kit.ns, automated={"prune": True})
        doc["spec"]["source"]["repoURL"] = url
        await kit.create(doc)
        messages = await until(lambda: kit.conditions("ComparisonError"), limit_s=60, what="ComparisonError")
        assert f"127.0.0.1:{server.port}/git/team.git" in messages[0]
        assert "authentication" in messages[0] and "repository Secret" in messages[0]
        assert (await kit.status())["sync"]["status"] == "Unknown"

        secret_name = f"repo-{kit.name}"
        await kit.client.create(SECRETS, NAMESPACE, {
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": secret_name, "labels": {"argocd.argoproj.io/secret-type": "repository"}},
            "stringData": {"type": "git", "url": url, "username": "alice", "password": PASSWORD}},
            field_manager="kubectl")
        try:
            status = await _status_where(kit, lambda s: (s.get("sync") or {}).get("revision") == sha
                                         and s["sync"]["status"] == "Synced", "Synced with the Secret", refresh=True)
            assert not [c for c in status.get("conditions") or [] if c["type"] == "ComparisonError"]
            cm = await kit.client.get(CONFIGMAPS, kit.ns, "private")
            assert cm is not None and cm["data"] == {"tier": "gold"}
            assert any(ok for method, path, ok in server.requests if method == "POST")
        finally:
            await kit.client.delete(SECRETS, NAMESPACE, secret_name)
    # the password shows nowhere: the Application, its Events, the controller's logs
    assert PASSWORD not in json.dumps(await kit.app())
    events, _ = await kit.client.list(EVENTS, NAMESPACE)
    assert PASSWORD not in json.dumps(events)
    assert PASSWORD not in caplog.text


async def test_multi_source_values_from_a_ref_repository_and_revisions_per_source(kit: Kit, tmp_path: Path) -> None:
    values = GitRepo(tmp_path / "values")
    first_values = values.write({"envs/prod.yaml": "color: green\n"})
    chart = kit.repo.write({"chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
                            "chart/values.yaml": "color: red\n", "chart/templates/cm.yaml": CHART_CM})
    doc = application(kit.name, kit.repo, kit.ns, automated={"prune": True})
    del doc["spec"]["source"]
    doc["spec"]["sources"] = [
        {"repoURL": str(kit.repo.path), "targetRevision": "main", "path": "chart",
         "helm": {"releaseName": "shop", "valueFiles": ["$values/envs/prod.yaml"]}},
        {"repoURL": str(values.path), "targetRevision": "main", "ref": "values"},
    ]
    await kit.create(doc)
    status = await _status_where(kit, lambda s: (s.get("sync") or {}).get("status") == "Synced", "Synced")
    assert status["sync"]["revisions"] == [chart, first_values]
    assert [s.get("ref") for s in status["sync"]["comparedTo"]["sources"]] == [None, "values"]
    assert not [c for c in status.get("conditions") or [] if "sources" in c["message"]]
    cm = await kit.client.get(CONFIGMAPS, kit.ns, "shop-cfg")
    assert cm is not None and cm["data"] == {"color": "green"}

    second_values = values.write({"envs/prod.yaml": "color: blue\n"})  # only the values repository moves
    kit.controller.refresh(kit.name)
    status = await _status_where(kit, lambda s: (s.get("sync") or {}).get("revisions") == [chart, second_values]
                                 and s["sync"]["status"] == "Synced", "the new values revision synced")

    async def blue() -> bool:
        cm = await kit.client.get(CONFIGMAPS, kit.ns, "shop-cfg")
        return cm is not None and cm["data"] == {"color": "blue"}
    assert await until(blue, limit_s=60, what="color blue")
    assert status["history"][-1]["revision"] == f"{chart},{second_values}"

    # a rollback to the first entry pins every source to its own revision again
    first = status["history"][0]["revision"]
    assert first == f"{chart},{first_values}"
    doc = await kit.app()
    doc["spec"]["syncPolicy"].pop("automated")  # or auto-sync would move it forward again
    await kit.client.update(APPLICATIONS, NAMESPACE, kit.name, doc, field_manager="kubectl")
    await kit.client.patch(APPLICATIONS, NAMESPACE, kit.name, {"operation": {"sync": {"revision": first}}},
                           field_manager="trueup-cli")

    async def green() -> bool:
        cm = await kit.client.get(CONFIGMAPS, kit.ns, "shop-cfg")
        return cm is not None and cm["data"] == {"color": "green"}
    assert await until(green, limit_s=60, what="rolled back to green")


async def test_chart_version_not_found_is_a_condition_and_prunes_nothing(kit: Kit, tmp_path: Path) -> None:
    srv = tmp_path / "srv"
    static = srv / "static"
    index(static, [("web", v, package(static, "web", v)) for v in ("1.0.0", "1.1.0")])
    with AuthServer(srv, "carol", PASSWORD, protect_static=False) as server:
        doc = application(kit.name, kit.repo, kit.ns, automated={"prune": True, "selfHeal": True})
        doc["spec"]["source"] = {"repoURL": f"{server.url}/static", "chart": "web", "targetRevision": "~1.0",
                                 "helm": {"releaseName": "shop"}}
        await kit.create(doc)
        status = await _status_where(kit, lambda s: (s.get("sync") or {}).get("status") == "Synced"
                                     and s["sync"].get("revision") == "1.0.0", "Synced at chart 1.0.0")
        assert status["history"][-1]["revision"] == "1.0.0"
        app = await kit.app()
        app["spec"]["source"]["targetRevision"] = "^2.0.0"
        await kit.client.update(APPLICATIONS, NAMESPACE, kit.name, app, field_manager="kubectl")
        messages = await until(lambda: kit.conditions("ComparisonError"), limit_s=60, what="ComparisonError")
        for word in ("web", "^2.0.0", f"127.0.0.1:{server.port}/static", "1.1.0"):
            assert word in messages[0], (word, messages[0])
        status = await kit.status()
        assert status["sync"]["status"] == "Unknown" and len(status["history"]) == 1
        assert await kit.client.get(CONFIGMAPS, kit.ns, "shop-cfg") is not None  # nothing pruned
