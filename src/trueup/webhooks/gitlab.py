"""GitLab push and tag push events (project hooks, group hooks and system hooks).

Payload fields read: `object_kind` (`push` | `tag_push`; other kinds are not pushes), `ref`,
`before`, `after`, `checkout_sha`, `total_commits_count` (GitLab lists at most 20 commits),
`commits[].added|modified|removed`, `project.git_http_url|git_ssh_url|web_url|default_branch`
(older payloads: `repository.git_http_url|git_ssh_url|homepage`).
"""

from __future__ import annotations

from .errors import bad_request
from .events import PushEvent, changed_files, check_ref, check_sha, is_zero_sha
from .payload import Fields

_PROJECT_URLS = ("git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url")
_REPOSITORY_URLS = ("git_http_url", "git_ssh_url", "homepage", "url")
_PUSH_KINDS = frozenset({"push", "tag_push"})


def parse_push(event: str, payload: Fields) -> list[PushEvent]:
    """One PushEvent from a GitLab push or tag push; [] for any other object_kind."""
    kind = payload.opt_text("object_kind") or payload.opt_text("event_name")
    if kind is None:
        raise bad_request("gitlab payload: field 'object_kind' is missing")
    if kind not in _PUSH_KINDS:
        return []
    ref = check_ref(payload.text("ref"), payload, "ref")
    after = check_sha(payload.text("after"), payload, "after")
    before = payload.opt_text("before")
    project = payload.opt_obj("project")
    repository = payload.opt_obj("repository")
    urls: list[str] = []
    for section, keys in ((project, _PROJECT_URLS), (repository, _REPOSITORY_URLS)):
        for key in keys:
            url = section.opt_text(key) if section is not None else None
            if url and url not in urls:
                urls.append(url)
    if not urls:
        raise bad_request("gitlab payload: field 'project.git_http_url' is missing (no repository URL)")
    deleted = is_zero_sha(after)
    commits = payload.objs("commits")
    total = payload.opt_int("total_commits_count")
    files = changed_files(commits)
    if deleted or is_zero_sha(before) or kind == "tag_push" or (total is not None and total > len(commits)):
        files = None
    checkout = payload.opt_text("checkout_sha")
    sha = None if deleted else (check_sha(checkout, payload, "checkout_sha") if checkout else after)
    return [PushEvent(
        provider=payload.provider,
        repo_urls=tuple(urls),
        ref=ref,
        commit_sha=sha,
        changed_files=files,
        default_branch=project.opt_text("default_branch") if project is not None else None,
        deleted=deleted,
    )]
