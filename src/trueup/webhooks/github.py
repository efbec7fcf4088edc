"""Push events shaped like GitHub's: GitHub itself, Gitea and Gogs.

Payload fields read: `ref`, `before`, `after`, `created`, `deleted`, `forced`, `commits[].added|
modified|removed`, `head_commit.id`, `total_commits` (Gitea caps `commits` and says how many there
were), `repository.clone_url|ssh_url|html_url|git_url|default_branch`.
"""

from __future__ import annotations

from .errors import bad_request
from .events import PushEvent, changed_files, check_ref, check_sha, is_zero_sha
from .payload import Fields

_URL_FIELDS = ("clone_url", "ssh_url", "html_url", "git_url")


def repository_urls(repo: Fields, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The URLs present under `keys`, in order, without repeats; a 400 naming the first key if none."""
    urls: list[str] = []
    for key in keys:
        url = repo.opt_text(key)
        if url and url not in urls:
            urls.append(url)
    if not urls:
        raise bad_request(f"{repo.provider} payload: field '{repo.path_of(keys[0])}' is missing "
                          f"(no repository URL among {', '.join(keys)})")
    return tuple(urls)


def parse_push(event: str, payload: Fields) -> list[PushEvent]:
    """One PushEvent from a GitHub/Gitea/Gogs push payload."""
    ref = check_ref(payload.text("ref"), payload, "ref")
    after = check_sha(payload.text("after"), payload, "after")
    before = payload.opt_text("before")
    repo = payload.obj("repository")
    urls = repository_urls(repo, _URL_FIELDS)
    deleted = payload.opt_bool("deleted") or is_zero_sha(after)
    created = payload.opt_bool("created") or is_zero_sha(before)
    commits = payload.objs("commits")
    total = payload.opt_int("total_commits")
    files = changed_files(commits)
    if deleted or created or payload.opt_bool("forced") or ref.startswith("refs/tags/"):
        files = None  # what changed relative to what an app last saw cannot be read off the commits
    elif total is not None and total > len(commits):
        files = None  # Gitea sent only the last few commits
    sha: str | None = None
    if not deleted:
        head = payload.opt_obj("head_commit")
        head_id = head.opt_text("id") if head is not None else None
        # For an annotated tag `after` names the tag object; head_commit names the commit.
        sha = check_sha(head_id, head, "id") if head is not None and head_id else after
    return [PushEvent(
        provider=payload.provider,
        repo_urls=urls,
        ref=ref,
        commit_sha=sha,
        changed_files=files,
        default_branch=repo.opt_text("default_branch"),
        deleted=deleted,
    )]
