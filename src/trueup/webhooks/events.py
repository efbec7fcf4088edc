"""`PushEvent`: what a push delivery says, in one shape for every provider.

One event is one ref update (a branch or tag created, moved or deleted). `changed_files` is the
union of the files added, modified and removed by the pushed commits, or `None` when the payload
cannot tell (Bitbucket never lists files; tag pushes, new branches, force pushes, deletions and
truncated commit lists cannot be trusted to): `None` means "unknown: refresh every app whose repo
and revision match".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import bad_request
from .payload import Fields
from .urls import normalize_repo_url

HEADS = "refs/heads/"
TAGS = "refs/tags/"

FILE_LIST_CAP = 3000
"""A commit listing this many files in one of added/modified/removed may have been truncated."""

_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass(frozen=True)
class PushEvent:
    """One ref update reported by a webhook."""

    provider: str
    repo_urls: tuple[str, ...]  # every URL form the payload offers (clone, ssh, web)
    ref: str  # refs/heads/main, refs/tags/v1.2.3
    commit_sha: str | None  # the commit the ref now points at; None when the ref was deleted
    changed_files: frozenset[str] | None = None  # None: unknown
    default_branch: str | None = None  # the repository's default branch, when the payload says
    deleted: bool = False
    repo_keys: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = set()
        for url in self.repo_urls:
            try:
                keys.add(normalize_repo_url(url))
            except ValueError:
                continue
        object.__setattr__(self, "repo_keys", frozenset(keys))

    @property
    def branch(self) -> str | None:
        return self.ref[len(HEADS):] if self.ref.startswith(HEADS) else None

    @property
    def tag(self) -> str | None:
        return self.ref[len(TAGS):] if self.ref.startswith(TAGS) else None

    @property
    def short_name(self) -> str:
        """`main` for refs/heads/main, `v1.2.3` for refs/tags/v1.2.3, the ref itself otherwise."""
        return self.branch or self.tag or self.ref


def is_zero_sha(sha: str | None) -> bool:
    return bool(sha) and set(sha or "") == {"0"}


def check_ref(ref: str, fields: Fields, key: str) -> str:
    """A full ref name (`refs/...`), else a 400 naming the field."""
    if not ref.startswith("refs/") or ref.endswith("/") or len(ref) <= len("refs/x"):
        raise bad_request(f"{fields.provider} payload: field '{fields.path_of(key)}' must be a full ref "
                          f"such as refs/heads/main or refs/tags/v1.0.0, not {ref[:100]!r}")
    return ref


def check_sha(sha: str, fields: Fields, key: str) -> str:
    """A full hex commit id (SHA-1 or SHA-256), lower-cased, else a 400 naming the field."""
    lowered = sha.lower()
    if not _SHA.match(lowered):
        raise bad_request(f"{fields.provider} payload: field '{fields.path_of(key)}' must be a full hex commit id")
    return lowered


def changed_files(commits: Iterable[Fields]) -> frozenset[str] | None:
    """Files added, modified or removed across the commits; None when none are listed or a list looks cut."""
    files: set[str] = set()
    listed = False
    for commit in commits:
        for key in ("added", "modified", "removed"):
            names = commit.texts(key)
            if len(names) >= FILE_LIST_CAP:
                return None
            listed = listed or key in commit.data
            files.update(n.lstrip("/") for n in names if n)
    return frozenset(files) if listed else None
