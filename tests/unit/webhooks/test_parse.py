"""parse: each provider's push and tag events, pings and other events ignored, 400s naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.webhooks.helpers import dump, event_headers, load, load_json

from trueup.webhooks import MAX_BODY_BYTES, PushEvent, WebhookRejected, detect_provider, parse, parse_all


def parsed(provider: str, body: bytes, event: str | None = None) -> PushEvent:
    result = parse(provider, event_headers(provider, event), body)
    assert result is not None
    return result


def bad(provider: str, data: Any, event: str | None = None) -> str:
    body = data if isinstance(data, bytes) else dump(data)
    with pytest.raises(WebhookRejected) as info:
        parse_all(provider, event_headers(provider, event), body)
    assert info.value.status == 400
    return info.value.reason


# ---- GitHub

def test_github_branch_push() -> None:
    event = parsed("github", load("github-push.json"))
    assert event.provider == "github"
    assert event.repo_urls == ("https://github.com/Acme/Platform.git", "git@github.com:Acme/Platform.git",
                               "https://github.com/Acme/Platform", "git://github.com/Acme/Platform.git")
    assert event.repo_keys == {"github.com/acme/platform"}
    assert (event.ref, event.branch, event.tag, event.short_name) == ("refs/heads/main", "main", None, "main")
    assert event.commit_sha == "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c"
    assert event.changed_files == frozenset({"apps/web/values.yaml", "shared/netpol.yaml", "shared/old-netpol.yaml"})
    assert event.default_branch == "main"
    assert not event.deleted


def test_github_tag_push_names_the_commit_and_leaves_files_unknown() -> None:
    event = parsed("github", load("github-tag.json"))
    assert (event.ref, event.tag, event.branch) == ("refs/tags/v1.2.3", "v1.2.3", None)
    assert event.commit_sha == "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c"  # head_commit, not the tag object
    assert event.changed_files is None


@pytest.mark.parametrize("change", [{"forced": True}, {"created": True},
                                    {"before": "0" * 40}, {"commits": []}],
                         ids=["forced", "created", "new-branch", "no-commits"])
def test_github_pushes_whose_commits_do_not_tell_what_changed_have_unknown_files(change: dict[str, Any]) -> None:
    data = load_json("github-push.json") | change
    assert parsed("github", dump(data)).changed_files is None


def test_github_file_list_at_the_cap_is_treated_as_truncated() -> None:
    data = load_json("github-push.json")
    data["commits"][0]["added"] = [f"f{i}.yaml" for i in range(3000)]
    assert parsed("github", dump(data)).changed_files is None


def test_github_empty_commit_lists_no_files() -> None:
    data = load_json("github-push.json")
    data["commits"] = [{"id": "a" * 40, "added": [], "removed": [], "modified": []}]
    assert parsed("github", dump(data)).changed_files == frozenset()


def test_github_branch_deletion() -> None:
    data = load_json("github-push.json") | {"deleted": True, "after": "0" * 40, "commits": [], "head_commit": None}
    event = parsed("github", dump(data))
    assert event.deleted and event.commit_sha is None and event.changed_files is None


@pytest.mark.parametrize("event", ["ping", "issues", "pull_request", "create"])
def test_github_non_push_events_are_ignored(event: str) -> None:
    assert parse("github", event_headers("github", event), load("github-ping.json")) is None
    assert parse_all("github", event_headers("github", event), b"not even json") == []


# ---- GitLab

def test_gitlab_branch_push() -> None:
    event = parsed("gitlab", load("gitlab-push.json"))
    assert event.ref == "refs/heads/release/2026.03"
    assert event.branch == "release/2026.03"
    assert event.commit_sha == "3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d"
    assert event.changed_files == frozenset({"envs/prod/db/pdb.yaml", "envs/prod/db/statefulset.yaml"})
    assert event.default_branch == "main"
    assert event.repo_keys == {"gitlab.acme.test/infra/deploy"}
    assert "git@gitlab.acme.test:infra/deploy.git" in event.repo_urls
    assert "https://gitlab.acme.test/infra/deploy" in event.repo_urls


def test_gitlab_tag_push() -> None:
    event = parsed("gitlab", load("gitlab-tag.json"), "Tag Push Hook")
    assert event.tag == "v2.0.0"
    assert event.commit_sha == "3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d"  # checkout_sha
    assert event.changed_files is None


def test_gitlab_system_hook_push_is_read_by_object_kind() -> None:
    assert parsed("gitlab", load("gitlab-push.json"), "System Hook").branch == "release/2026.03"
    other = dump({"object_kind": "merge_request", "event_type": "merge_request"})
    assert parse("gitlab", event_headers("gitlab", "System Hook"), other) is None


def test_gitlab_truncated_commit_list_leaves_files_unknown() -> None:
    data = load_json("gitlab-push.json") | {"total_commits_count": 25}
    assert parsed("gitlab", dump(data)).changed_files is None


def test_gitlab_payload_without_project_uses_repository_urls() -> None:
    data = load_json("gitlab-push.json")
    del data["project"]
    event = parsed("gitlab", dump(data))
    assert event.repo_keys == {"gitlab.acme.test/infra/deploy"}
    assert event.default_branch is None


def test_gitlab_branch_deletion() -> None:
    data = load_json("gitlab-push.json") | {"after": "0" * 40, "checkout_sha": None, "commits": []}
    event = parsed("gitlab", dump(data))
    assert event.deleted and event.commit_sha is None


@pytest.mark.parametrize("event", ["Merge Request Hook", "Pipeline Hook", "Note Hook"])
def test_gitlab_other_hooks_are_ignored(event: str) -> None:
    assert parse("gitlab", event_headers("gitlab", event), b"{}") is None


# ---- Gitea and Gogs

@pytest.mark.parametrize("provider", ["gitea", "gogs"])
def test_gitea_and_gogs_push(provider: str) -> None:
    event = parsed(provider, load("gitea-push.json"))
    assert event.provider == provider
    assert event.branch == "main"
    assert event.changed_files == frozenset({"media/ingress.yaml"})
    assert event.repo_keys == {"git.home.test/ops/homelab", "git.home.test:2222/ops/homelab"}


def test_gitea_capped_commit_list_leaves_files_unknown() -> None:
    data = load_json("gitea-push.json") | {"total_commits": 12}
    assert parsed("gitea", dump(data)).changed_files is None


def test_gitea_tag_push() -> None:
    data = load_json("gitea-push.json") | {"ref": "refs/tags/v0.9.0", "before": "0" * 40}
    event = parsed("gitea", dump(data))
    assert event.tag == "v0.9.0" and event.changed_files is None


@pytest.mark.parametrize("event", ["create", "delete", "issues", "release"])
def test_gitea_non_push_events_are_ignored(event: str) -> None:
    assert parse("gitea", event_headers("gitea", event), b"{}") is None


# ---- Bitbucket Cloud and Server

def test_bitbucket_cloud_push_reports_every_change() -> None:
    events = parse_all("bitbucket", event_headers("bitbucket"), load("bitbucket-push.json"))
    assert [(e.ref, e.commit_sha) for e in events] == [
        ("refs/heads/main", "8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c"),
        ("refs/tags/v3.1.0", "8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c"),
    ]
    assert all(e.changed_files is None for e in events)  # Bitbucket never lists files
    assert all(e.repo_keys == {"bitbucket.org/acme-ws/gitops"} for e in events)
    first = parse("bitbucket", event_headers("bitbucket"), load("bitbucket-push.json"))
    assert first == events[0]


def test_bitbucket_cloud_branch_deletion() -> None:
    data = load_json("bitbucket-push.json")
    data["push"]["changes"] = [{"new": None, "old": data["push"]["changes"][0]["old"], "closed": True}]
    (event,) = parse_all("bitbucket", event_headers("bitbucket"), dump(data))
    assert event.ref == "refs/heads/main" and event.deleted and event.commit_sha is None


@pytest.mark.parametrize("event", ["pullrequest:created", "repo:commit_status_updated", "repo:fork"])
def test_bitbucket_cloud_other_events_are_ignored(event: str) -> None:
    assert parse_all("bitbucket", event_headers("bitbucket", event), b"{}") == []


def test_bitbucket_server_push() -> None:
    event = parsed("bitbucket-server", load("bitbucket-server-push.json"))
    assert event.ref == "refs/heads/main"
    assert event.commit_sha == "bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222"
    assert event.changed_files is None
    assert event.repo_keys == {"bitbucket.corp.test:7999/plat/cluster-config",
                               "bitbucket.corp.test/scm/plat/cluster-config"}


def test_bitbucket_server_tag_and_deletion_in_one_delivery() -> None:
    data = load_json("bitbucket-server-push.json")
    data["changes"] = [
        {"ref": {"id": "refs/tags/v5", "displayId": "v5", "type": "TAG"}, "toHash": "c" * 40, "type": "ADD"},
        {"ref": {"id": "refs/heads/old", "displayId": "old", "type": "BRANCH"}, "toHash": "0" * 40,
         "type": "DELETE"},
    ]
    tag, gone = parse_all("bitbucket-server", event_headers("bitbucket-server"), dump(data))
    assert (tag.tag, tag.commit_sha, tag.deleted) == ("v5", "c" * 40, False)
    assert (gone.branch, gone.commit_sha, gone.deleted) == ("old", None, True)


def test_bitbucket_server_ping_is_ignored() -> None:
    headers = event_headers("bitbucket-server", "diagnostics:ping")
    assert parse("bitbucket-server", headers, load("bitbucket-server-ping.json")) is None


# ---- generic

def test_generic_push() -> None:
    event = parsed("generic", load("generic-push.json"))
    assert event.repo_keys == {"git.example.test/team/config"}
    assert event.branch == "main" and event.commit_sha == "cafe0000cafe0000cafe0000cafe0000cafe0000"
    assert event.changed_files == frozenset({"apps/api/deployment.yaml", "apps/api/service.yaml"})


def test_generic_without_event_header_is_a_push_and_without_files_is_unknown() -> None:
    data = load_json("generic-push.json")
    del data["changed_files"], data["commit"]
    event = parse("generic", {}, dump(data))
    assert event is not None and event.changed_files is None and event.commit_sha is None


def test_generic_ping_is_ignored() -> None:
    assert parse("generic", {"X-Trueup-Event": "ping"}, b"{}") is None


# ---- malformed payloads: 400 naming the field

@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe", b"[1, 2]", b"null", b"\"push\""])
@pytest.mark.parametrize("provider", ["github", "gitlab", "gitea", "bitbucket", "bitbucket-server", "generic"])
def test_malformed_json_is_400(provider: str, body: bytes) -> None:
    assert provider in bad(provider, body)


def _without(data: dict[str, Any], dotted: str) -> dict[str, Any]:
    node: Any = data
    *parents, last = dotted.split(".")
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        del node[int(last)]
    else:
        del node[last]
    return data


MISSING = [
    ("github", "github-push.json", "ref", "'ref' is missing"),
    ("github", "github-push.json", "after", "'after' is missing"),
    ("github", "github-push.json", "repository", "'repository' is missing"),
    ("gitea", "gitea-push.json", "repository", "'repository' is missing"),
    ("gitlab", "gitlab-push.json", "ref", "'ref' is missing"),
    ("gitlab", "gitlab-push.json", "after", "'after' is missing"),
    ("gitlab", "gitlab-push.json", "object_kind", "'object_kind' is missing"),
    ("bitbucket", "bitbucket-push.json", "push", "'push' is missing"),
    ("bitbucket", "bitbucket-push.json", "push.changes", "'push.changes' is missing"),
    ("bitbucket", "bitbucket-push.json", "repository.links.html", "'repository.links.html' is missing"),
    ("bitbucket", "bitbucket-push.json", "push.changes.0.new.target",
     "'push.changes[0].new.target' is missing"),
    ("bitbucket-server", "bitbucket-server-push.json", "changes", "'changes' is missing"),
    ("bitbucket-server", "bitbucket-server-push.json", "repository.links",
     "'repository.links' is missing"),
    ("bitbucket-server", "bitbucket-server-push.json", "changes.0.toHash", "'changes[0].toHash' is missing"),
    ("generic", "generic-push.json", "repository", "'repository' is missing"),
    ("generic", "generic-push.json", "ref", "'ref' is missing"),
]


@pytest.mark.parametrize(("provider", "fixture", "field", "message"), MISSING,
                         ids=[f"{p}-{f}" for p, _, f, _ in MISSING])
def test_a_missing_field_is_400_naming_it(provider: str, fixture: str, field: str, message: str) -> None:
    data = _without(load_json(fixture), field)
    if provider == "gitlab" and field == "object_kind":
        del data["event_name"]
    assert message in bad(provider, data)


def test_no_repository_url_at_all_is_400_naming_the_field() -> None:
    data = load_json("github-push.json")
    data["repository"] = {"name": "Platform"}
    assert "'repository.clone_url' is missing" in bad("github", data)
    data = load_json("gitlab-push.json")
    del data["project"], data["repository"]
    assert "'project.git_http_url' is missing" in bad("gitlab", data)


WRONG = [
    ("github", "github-push.json", {"ref": 7}, "'ref' must be a non-empty string"),
    ("github", "github-push.json", {"ref": "main"}, "'ref' must be a full ref"),
    ("github", "github-push.json", {"after": "xyz"}, "'after' must be a full hex commit id"),
    ("github", "github-push.json", {"forced": "yes"}, "'forced' must be true or false"),
    ("github", "github-push.json", {"commits": {}}, "'commits' must be a list"),
    ("github", "github-push.json", {"commits": [1]}, "'commits[0]' must be an object"),
    ("github", "github-push.json", {"commits": [{"added": "a.yaml"}]}, "'commits[0].added' must be a list of strings"),
    ("github", "github-push.json", {"repository": []}, "'repository' must be an object"),
    ("gitea", "gitea-push.json", {"total_commits": "5"}, "'total_commits' must be an integer"),
    ("gitlab", "gitlab-push.json", {"total_commits_count": True}, "'total_commits_count' must be an integer"),
    ("gitlab", "gitlab-push.json", {"checkout_sha": "nope"}, "'checkout_sha' must be a full hex commit id"),
    ("generic", "generic-push.json", {"changed_files": "a.yaml"}, "'changed_files' must be a list of strings"),
    ("generic", "generic-push.json", {"commit": "abc"}, "'commit' must be a full hex commit id"),
]


@pytest.mark.parametrize(("provider", "fixture", "change", "message"), WRONG, ids=[w[3] for w in WRONG])
def test_a_mistyped_field_is_400_naming_it(provider: str, fixture: str, change: dict[str, Any], message: str) -> None:
    assert message in bad(provider, load_json(fixture) | change)


def test_bitbucket_cloud_unknown_ref_type_is_400() -> None:
    data = load_json("bitbucket-push.json")
    data["push"]["changes"][0]["new"]["type"] = "bookmark"
    assert "'push.changes[0].new.type' must be branch or tag" in bad("bitbucket", data)


def test_missing_event_header_is_400() -> None:
    with pytest.raises(WebhookRejected) as info:
        parse("github", {}, load("github-push.json"))
    assert info.value.status == 400 and "X-GitHub-Event" in info.value.reason


@pytest.mark.parametrize("provider", ["github", "gitlab", "gitea", "bitbucket", "bitbucket-server", "generic"])
def test_oversize_payload_is_413_before_parsing(provider: str) -> None:
    body = b"not json at all " * (MAX_BODY_BYTES // 16 + 1)
    with pytest.raises(WebhookRejected) as info:
        parse_all(provider, event_headers(provider), body)
    assert info.value.status == 413
    with pytest.raises(WebhookRejected) as info:
        parse_all(provider, event_headers(provider), load("github-push.json"), max_body_bytes=100)
    assert info.value.status == 413


# ---- detection

@pytest.mark.parametrize("provider", ["github", "gitlab", "gitea", "gogs", "bitbucket", "bitbucket-server", "generic"])
def test_detect_provider_from_event_headers(provider: str) -> None:
    assert detect_provider(event_headers(provider)) == provider
    assert detect_provider({k.lower(): v for k, v in event_headers(provider).items()}) == provider


def test_detect_provider_prefers_gitea_over_the_github_headers_it_also_sends() -> None:
    assert detect_provider({"X-GitHub-Event": "push", "X-Gitea-Event": "push", "X-Gogs-Event": "push"}) == "gitea"
    assert detect_provider({"X-GitHub-Event": "push", "X-Gogs-Event": "push"}) == "gogs"


def test_detect_provider_unknown() -> None:
    assert detect_provider({}) is None
    assert detect_provider({"Content-Type": "application/json", "X-GitHub-Event": ""}) is None
