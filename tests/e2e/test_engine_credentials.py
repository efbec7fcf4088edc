"""Private Git repositories with the one-shot CLI: `--repo-creds FILE` / $TRUEUP_REPO_CREDS against a
real `git http-backend` behind basic auth on 127.0.0.1. The password never shows anywhere."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import RunningCluster
from tests.e2e.engine_kit import Sandbox
from tests.e2e.gitrepo import GitRepo
from tests.e2e.httpserve import AuthServer

PASSWORD = "s3cr3t-Pa55-7731"
CM = """apiVersion: v1
kind: ConfigMap
metadata: {name: private-settings}
data: {tier: gold}
"""


def _creds_file(tmp: Path, entries: list[dict[str, object]], mode: int = 0o600) -> Path:
    path = tmp / "repo-creds.yaml"
    path.write_text(yaml.safe_dump(entries))
    path.chmod(mode)
    return path


@pytest.fixture
def private(tmp_path: Path) -> Iterator[tuple[AuthServer, str]]:
    srv = tmp_path / "srv"
    GitRepo(srv / "git" / "team.git").write({"app/cm.yaml": CM})
    with AuthServer(srv, "alice", PASSWORD) as server:
        yield server, f"{server.url}/git/team.git"


def test_without_credentials_the_error_names_the_repo_and_says_what_to_add(
        cluster: RunningCluster, tmp_path: Path, private: tuple[AuthServer, str], caplog: pytest.LogCaptureFixture,
        ns: str) -> None:
    caplog.set_level(logging.DEBUG)
    server, url = private
    box = Sandbox(cluster, tmp_path, ns=ns)
    app = box.app(repo_url=url)
    for verb in ("render", "diff", "sync"):
        run = box.trueup(verb, str(app))
        assert run.code == 2, run.out
        assert f"127.0.0.1:{server.port}/git/team.git" in run.stderr
        assert "authentication" in run.stderr and "repository Secret" in run.stderr and "--repo-creds" in run.stderr
    assert not box.exists("configmap", "private-settings")
    assert any(path.startswith("/git/team.git") and not ok for _, path, ok in server.requests)
    assert PASSWORD not in caplog.text


def test_repo_creds_file_renders_and_syncs_and_never_shows_the_password(
        cluster: RunningCluster, tmp_path: Path, private: tuple[AuthServer, str], caplog: pytest.LogCaptureFixture,
        ns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    server, url = private
    box = Sandbox(cluster, tmp_path, ns=ns)
    app = box.app(repo_url=url)
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o600)
    creds = _creds_file(tmp_path, [{"url": url, "username": "alice", "passwordFile": str(secret)}])

    rendered = box.trueup("render", str(app), "--repo-creds", str(creds))
    assert rendered.code == 0, rendered.out
    assert yaml.safe_load(rendered.stdout)["data"] == {"tier": "gold"}

    monkeypatch.setenv("TRUEUP_REPO_CREDS", str(creds))  # the environment variable works the same
    run = box.trueup("sync", str(app))
    assert run.code == 0, run.out
    assert box.get("configmap", "private-settings")["data"] == {"tier": "gold"}
    box.assert_no_drift(app)
    assert all(ok for _, path, ok in server.requests if path.endswith("git-upload-pack") and _ == "POST")
    assert PASSWORD not in run.out and PASSWORD not in caplog.text
    # the mirror on disk holds no password (it stays in memory for the fetch)
    assert not any(PASSWORD.encode() in p.read_bytes() for p in (tmp_path / "cache").rglob("*")
                   if p.is_file() and p.stat().st_size < 1_000_000)


def test_wrong_password_is_refused_without_showing_it(cluster: RunningCluster, tmp_path: Path,
                                                      private: tuple[AuthServer, str], ns: str) -> None:
    _, url = private
    box = Sandbox(cluster, tmp_path, ns=ns)
    app = box.app(repo_url=url)
    creds = _creds_file(tmp_path, [{"urlPrefix": url.rsplit("/", 1)[0], "username": "alice",
                                    "password": "not-the-Pa55-998"}])
    run = box.trueup("sync", str(app), "--repo-creds", str(creds))
    assert run.code == 2 and "authentication" in run.stderr and "refused" in run.stderr, run.out
    assert "not-the-Pa55-998" not in run.out
    assert not box.exists("configmap", "private-settings")


def test_a_credentials_file_readable_by_others_is_refused(cluster: RunningCluster, tmp_path: Path,
                                                          private: tuple[AuthServer, str], ns: str) -> None:
    _, url = private
    box = Sandbox(cluster, tmp_path, ns=ns)
    app = box.app(repo_url=url)
    creds = _creds_file(tmp_path, [{"url": url, "username": "alice", "password": PASSWORD}], mode=0o644)
    run = box.trueup("render", str(app), "--repo-creds", str(creds))
    assert run.code == 2 and str(creds) in run.stderr and "chmod 600" in run.stderr, run.out
    assert PASSWORD not in run.out
    creds.write_text(yaml.safe_dump([{"url": url, "user": "alice"}]))
    creds.chmod(0o600)
    run = box.trueup("render", str(app), "--repo-creds", str(creds))
    assert run.code == 2 and "entry 1" in run.stderr and "user" in run.stderr, run.out
