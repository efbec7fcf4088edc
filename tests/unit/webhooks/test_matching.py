"""matches / select_apps: repository, revision (branch, HEAD, tag, semver, SHA) and path tables."""

from __future__ import annotations

import dataclasses

import pytest
from tests.unit.webhooks.helpers import event_headers, load

from trueup.webhooks import AppRef, PushEvent, matches, parse, parse_all, resolve_refresh_paths, select_apps

REPO = "https://github.com/acme/platform.git"
SHA = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c"


def push(ref: str = "refs/heads/main", files: set[str] | None = None, *, default_branch: str | None = "main",
         urls: tuple[str, ...] = ("https://github.com/Acme/Platform",)) -> PushEvent:
    return PushEvent("github", urls, ref, SHA, frozenset(files) if files is not None else None, default_branch)


def app(target: str = "main", path: str = "apps/web", refresh: str | None = None,
        default_branch: str | None = None, repo: str = REPO) -> AppRef:
    return AppRef(repo, target, path, refresh, default_branch, name="web")


# ---- repository

@pytest.mark.parametrize("repo", ["https://github.com/acme/platform", "git@github.com:Acme/Platform.git",
                                  "ssh://git@github.com/acme/platform", "https://github.com/ACME/platform/"])
def test_repository_matches_in_any_spelling(repo: str) -> None:
    assert matches(push(), app(repo=repo))


@pytest.mark.parametrize("repo", ["https://github.com/acme/platform2", "https://github.com/acme/plat",
                                  "https://gitlab.com/acme/platform", "", "::::"])
def test_other_repositories_do_not_match(repo: str) -> None:
    assert not matches(push(), app(repo=repo))


# ---- revision: (pushed ref, event default branch, targetRevision, app default branch, expected)
REVISIONS = [
    ("refs/heads/main", "main", "main", None, True),
    ("refs/heads/main", "main", "refs/heads/main", None, True),
    ("refs/heads/main", "main", "dev", None, False),
    ("refs/heads/main", "main", "refs/heads/dev", None, False),
    ("refs/heads/main", "main", "refs/tags/main", None, False),
    ("refs/heads/feature/x", "main", "feature/x", None, True),
    ("refs/heads/feature/x", "main", "refs/heads/feature/x", None, True),
    ("refs/heads/feature/x", "main", "x", None, False),
    ("refs/heads/main", "main", " main ", None, True),
    # HEAD / empty: the default branch
    ("refs/heads/main", "main", "HEAD", None, True),
    ("refs/heads/main", "main", "", None, True),
    ("refs/heads/dev", "main", "HEAD", None, False),
    ("refs/heads/dev", "main", "", None, False),
    ("refs/heads/trunk", None, "HEAD", "trunk", True),
    ("refs/heads/main", None, "HEAD", "trunk", False),
    ("refs/heads/trunk", "main", "HEAD", "trunk", True),  # renamed default: either side may be fresher
    ("refs/heads/anything", None, "HEAD", None, True),  # nobody knows the default: the controller re-resolves
    ("refs/tags/v1.0.0", "main", "HEAD", None, False),
    ("refs/tags/v1.0.0", None, "", None, False),
    # tags
    ("refs/tags/v1.2.3", "main", "v1.2.3", None, True),
    ("refs/tags/v1.2.3", "main", "refs/tags/v1.2.3", None, True),
    ("refs/tags/v1.2.3", "main", "refs/heads/v1.2.3", None, False),
    ("refs/tags/v1.2.3", "main", "v1.2.4", None, False),
    ("refs/tags/v1.2.3", "main", "1.2.3", None, False),
    ("refs/tags/v1.2.3", "main", "main", None, False),
    ("refs/heads/v1.2.3", "main", "v1.2.3", None, True),  # a branch named like the target: Argo CD refreshes too
    # semver constraints: any tag push (the controller re-resolves), never a branch
    ("refs/tags/v1.2.3", "main", "^1.2", None, True),
    ("refs/tags/v9.0.0", "main", "^1.2", None, True),
    ("refs/tags/v1.2.3", "main", ">=1.0.0 <2.0.0", None, True),
    ("refs/tags/v1.2.3", "main", "1.2.x", None, True),
    ("refs/tags/v1.2.3", "main", "*", None, True),
    ("refs/tags/v1.2.3", "main", "~1.2.0", None, True),
    ("refs/heads/main", "main", "^1.2", None, False),
    ("refs/heads/main", "main", "*", None, False),
    # commit SHAs never move
    ("refs/heads/main", "main", SHA, None, False),
    ("refs/heads/main", "main", SHA.upper(), None, False),
    ("refs/tags/v1.2.3", "main", SHA, None, False),
    ("refs/heads/main", "main", "a" * 64, None, False),
]


@pytest.mark.parametrize(("ref", "event_default", "target", "app_default", "expected"), REVISIONS,
                         ids=[f"{r[0]}|{r[2] or 'empty'}|{r[3]}" for r in REVISIONS])
def test_revision_matching(ref: str, event_default: str | None, target: str, app_default: str | None,
                           expected: bool) -> None:
    event = push(ref, default_branch=event_default)
    assert matches(event, app(target, default_branch=app_default)) is expected


def test_branch_deletion_refreshes_apps_that_track_the_branch() -> None:
    gone = dataclasses.replace(push("refs/heads/dev"), commit_sha=None, deleted=True)
    assert matches(gone, app("dev"))
    assert not matches(gone, app("main"))


# ---- paths: (changed files, app path, annotation, expected)
PATHS = [
    # no annotation: every change refreshes (Argo CD's default)
    ({"docs/readme.md"}, "apps/web", None, True),
    ({"docs/readme.md"}, "apps/web", "", True),
    ({"docs/readme.md"}, "apps/web", " ; ;", True),
    # `.` is the app path
    ({"apps/web/values.yaml"}, "apps/web", ".", True),
    ({"apps/web/templates/deploy.yaml"}, "apps/web", ".", True),
    ({"apps/web"}, "apps/web", ".", True),
    ({"apps/api/values.yaml"}, "apps/web", ".", False),
    ({"docs/readme.md"}, "apps/web", ".", False),
    # monorepo: a shared prefix is not a parent directory
    ({"apps/web2/values.yaml"}, "apps/web", ".", False),
    ({"app2/x.yaml"}, "app", ".", False),
    ({"app/x.yaml"}, "app", ".", True),
    ({"apps/web-canary/values.yaml"}, "apps/web", ".", False),
    # relative entries from the app path, absolute from the repository root
    ({"apps/shared/common.yaml"}, "apps/web", "../shared", True),
    ({"apps/web/values.yaml"}, "apps/web", "../shared", False),
    ({"shared/netpol.yaml"}, "apps/web", "/shared", True),
    ({"shared2/netpol.yaml"}, "apps/web", "/shared", False),
    ({"apps/web/values.yaml"}, "apps/web", "/shared", False),
    ({"apps/web/values.yaml"}, "apps/web", "/apps/web/", True),
    ({"apps/web/sub/x.yaml"}, "apps/web", "sub", True),
    ({"apps/web/values.yaml"}, "apps/web", "sub", False),
    # several entries
    ({"shared/netpol.yaml"}, "apps/web", ".;/shared", True),
    ({"apps/web/values.yaml"}, "apps/web", ".;/shared", True),
    ({"lib/x.libsonnet"}, "apps/web", ".; /shared ;/lib", True),
    ({"docs/readme.md"}, "apps/web", ".;/shared;/lib", False),
    ({"docs/readme.md", "lib/a.yaml"}, "apps/web", "/lib", True),
    # a single file
    ({"charts/common/values.yaml"}, "apps/web", "/charts/common/values.yaml", True),
    ({"charts/common/Chart.yaml"}, "apps/web", "/charts/common/values.yaml", False),
    # app at the repository root
    ({"anything/at/all.yaml"}, "", ".", True),
    ({"anything/at/all.yaml"}, ".", ".", True),
    ({"anything/at/all.yaml"}, "/", ".", True),
    ({"x.yaml"}, "apps/web", "/", True),
    # entries climbing out of the repository match nothing
    ({"apps/web/x.yaml"}, "apps/web", "../../..", False),
    ({"x.yaml"}, "", "../x.yaml", False),
    # globs (Argo CD matches them with filepath.Match; a directory match covers what is inside)
    ({"envs/prod/values.yaml"}, "apps/web", "/envs/*/values.yaml", True),
    ({"envs/prod/other.yaml"}, "apps/web", "/envs/*/values.yaml", False),
    ({"envs/prod/eu/values.yaml"}, "apps/web", "/envs/*/values.yaml", False),
    ({"envs/prod/eu/values.yaml"}, "apps/web", "/envs/**/values.yaml", True),
    ({"apps/web/values-prod.yaml"}, "apps/web", "values-*.yaml", True),
    ({"apps/web/values.yaml"}, "apps/web", "values-*.yaml", False),
    ({"apps/web/v1.yaml"}, "apps/web", "v?.yaml", True),
    ({"apps/web/v1.yaml"}, "apps/web", "v[0-9].yaml", True),
    ({"apps/web/va.yaml"}, "apps/web", "v[^0-9].yaml", True),
    ({"apps/web/v1.yaml"}, "apps/web", "v[!0-9].yaml", False),
    ({"envs/prod/a/b.yaml"}, "apps/web", "/envs/prod*", True),
    ({"envs/production/b.yaml"}, "apps/web", "/envs/prod", False),
    ({"envs/a+b/x.yaml"}, "apps/web", "/envs/a+b", True),
    # file names from payloads with a leading slash
    ({"/apps/web/x.yaml"}, "apps/web", ".", True),
    # a push that lists no changed file at all (an empty commit) refreshes only unannotated apps
    (set(), "apps/web", ".", False),
    (set(), "apps/web", None, True),
]


@pytest.mark.parametrize(("files", "path", "annotation", "expected"), PATHS,
                         ids=[f"{sorted(f)}|{p}|{a}" for f, p, a, _ in PATHS])
def test_path_matching(files: set[str], path: str, annotation: str | None, expected: bool) -> None:
    assert matches(push(files=files), app(path=path, refresh=annotation)) is expected


@pytest.mark.parametrize("annotation", [None, ".", "/shared", "../../.."])
def test_unknown_changed_files_always_refresh(annotation: str | None) -> None:
    assert matches(push(files=None), app(refresh=annotation))


def test_resolve_refresh_paths() -> None:
    assert resolve_refresh_paths(app(refresh=None)) is None
    assert resolve_refresh_paths(app(refresh=";")) is None
    assert resolve_refresh_paths(app(path="apps/web", refresh=".;../shared;/lib/;/;sub/../x")) == (
        "apps/web", "apps/shared", "lib", ".", "apps/web/x")
    assert resolve_refresh_paths(app(path="apps/web", refresh="../../../etc")) == ()


# ---- select_apps over the fixtures: a monorepo with several apps

MONOREPO = [
    AppRef(REPO, "main", "apps/web", ".", name="web"),
    AppRef(REPO, "HEAD", "apps/api", ".", name="api"),
    AppRef(REPO, "main", "shared", None, name="shared-no-annotation"),
    AppRef(REPO, "main", "apps/web2", ".", name="web2"),
    AppRef(REPO, "release", "apps/web", ".", name="web-release"),
    AppRef(REPO, "^1.0", "apps/web", ".", name="web-semver"),
    AppRef(REPO, SHA, "apps/web", ".", name="web-pinned"),
    AppRef(REPO, "v1.2.3", "apps/web", ".", name="web-tag"),
    AppRef("git@github.com:acme/other.git", "main", "apps/web", None, name="other-repo"),
    AppRef("git@github.com:Acme/Platform.git", "main", "apps/api", "/shared", name="api-shared"),
]


def names(apps: list[AppRef]) -> list[str]:
    return [a.name for a in apps]


def test_github_branch_push_selects_apps_by_repo_revision_and_path() -> None:
    event = parse("github", event_headers("github"), load("github-push.json"))
    assert event is not None
    assert names(select_apps(event, MONOREPO)) == ["web", "shared-no-annotation", "api-shared"]


def test_github_tag_push_selects_tag_and_semver_apps() -> None:
    event = parse("github", event_headers("github"), load("github-tag.json"))
    assert event is not None
    assert names(select_apps(event, MONOREPO)) == ["web-semver", "web-tag"]


def test_bitbucket_push_without_file_lists_refreshes_every_app_on_the_revision() -> None:
    bitbucket_apps = [dataclasses.replace(a, repo_url=a.repo_url.replace("github.com/acme/platform",
                                                                         "bitbucket.org/acme-ws/gitops"))
                      for a in MONOREPO]
    branch, tag = parse_all("bitbucket", event_headers("bitbucket"), load("bitbucket-push.json"))
    assert names(select_apps(branch, bitbucket_apps)) == ["web", "api", "shared-no-annotation", "web2"]
    assert names(select_apps(tag, bitbucket_apps)) == ["web-semver"]


def test_gitlab_push_matches_apps_written_with_ssh_or_https() -> None:
    event = parse("gitlab", event_headers("gitlab"), load("gitlab-push.json"))
    assert event is not None
    apps = [
        AppRef("git@gitlab.acme.test:infra/deploy.git", "release/2026.03", "envs/prod/db", ".", name="ssh"),
        AppRef("https://gitlab.acme.test/infra/deploy", "refs/heads/release/2026.03", "envs/prod/db", None,
               name="https"),
        AppRef("https://gitlab.acme.test/infra/deploy", "release/2026.03", "envs/prod/web", ".", name="web"),
        AppRef("https://gitlab.acme.test/infra/deploy", "HEAD", "envs/prod/db", ".", name="head"),
    ]
    assert names(select_apps(event, apps)) == ["ssh", "https"]


def test_bitbucket_server_push_matches_the_ssh_clone_url_with_its_port() -> None:
    event = parse("bitbucket-server", event_headers("bitbucket-server"), load("bitbucket-server-push.json"))
    assert event is not None
    apps = [AppRef("ssh://git@bitbucket.corp.test:7999/PLAT/cluster-config.git", "main", name="ssh"),
            AppRef("https://bitbucket.corp.test/scm/plat/cluster-config.git", "HEAD", name="http"),
            AppRef("https://bitbucket.corp.test/plat/cluster-config.git", "main", name="not-a-clone-url")]
    assert names(select_apps(event, apps)) == ["ssh", "http"]


def test_select_apps_keeps_order_and_accepts_any_iterable() -> None:
    event = push(files={"apps/web/x.yaml"})
    assert names(select_apps(event, iter(reversed(MONOREPO[:3])))) == ["shared-no-annotation", "web"]
    assert select_apps(event, []) == []
