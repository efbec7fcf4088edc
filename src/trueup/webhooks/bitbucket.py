"""Bitbucket Cloud `repo:push` and Bitbucket Server / Data Center `repo:refs_changed` events.

Neither lists changed files (Argo CD calls the Bitbucket API for a diffstat; this package does
no I/O), so every event has `changed_files=None`: refresh every app whose repo and revision match.
One delivery may carry several ref changes: one PushEvent each.

Cloud fields read: `push.changes[].new|old.{type,name,target.hash}`, `repository.links.html.href`,
`repository.mainbranch.name` (when present).
Server fields read: `changes[].ref.id`, `changes[].toHash`, `changes[].type` (ADD | UPDATE |
DELETE), `repository.links.clone[].href` (http and ssh).
"""

from __future__ import annotations

from .errors import bad_request
from .events import HEADS, TAGS, PushEvent, check_ref, check_sha, is_zero_sha
from .payload import Fields

_CLOUD_REF_PREFIX = {"branch": HEADS, "named_branch": HEADS, "tag": TAGS, "annotated_tag": TAGS}


def _cloud_ref(state: Fields) -> str:
    kind = state.text("type")
    prefix = _CLOUD_REF_PREFIX.get(kind)
    if prefix is None:
        raise bad_request(f"bitbucket payload: field '{state.path_of('type')}' must be branch or tag, "
                          f"not {kind[:40]!r}")
    return prefix + state.text("name")


def parse_cloud_push(event: str, payload: Fields) -> list[PushEvent]:
    """One PushEvent per entry of `push.changes`."""
    repo = payload.obj("repository")
    html = repo.obj("links").obj("html").text("href")
    mainbranch = repo.opt_obj("mainbranch")
    default_branch = mainbranch.opt_text("name") if mainbranch is not None else None
    events = []
    for change in payload.obj("push").objs("changes", required=True):
        new, old = change.opt_obj("new"), change.opt_obj("old")
        if new is not None:
            ref = _cloud_ref(new)
            sha: str | None = check_sha(new.obj("target").text("hash"), new.obj("target"), "hash")
        elif old is not None:
            ref, sha = _cloud_ref(old), None
        else:
            raise bad_request(f"bitbucket payload: field '{change.path_of('new')}' is missing (and 'old' too)")
        events.append(PushEvent("bitbucket", (html,), ref, sha, None, default_branch, deleted=sha is None))
    return events


def parse_server_push(event: str, payload: Fields) -> list[PushEvent]:
    """One PushEvent per entry of `changes`."""
    links = payload.obj("repository").obj("links")
    urls = tuple(dict.fromkeys(link.text("href") for link in links.objs("clone", required=True)))
    if not urls:
        raise bad_request("bitbucket-server payload: field 'repository.links.clone' is empty (no repository URL)")
    events = []
    for change in payload.objs("changes", required=True):
        ref = check_ref(change.obj("ref").text("id"), change.obj("ref"), "id")
        to_hash = check_sha(change.text("toHash"), change, "toHash")
        deleted = change.opt_text("type") == "DELETE" or is_zero_sha(to_hash)
        events.append(PushEvent("bitbucket-server", urls, ref, None if deleted else to_hash, None, None, deleted))
    return events
