"""Which commit `trueup app wait --revision REV` waits for, and whether an Application is there.

    wanted = await wanted_revision(doc, "main")      # Wanted(sha=<main's commit now>, prefix=False)
    wanted.matches(doc)                              # status.sync.revision (or .revisions) is it

- A full 40-hex SHA is taken as it is (no Git access).
- Anything else (a branch, a tag, a short SHA) is resolved once, at the start, in the app's Git
  repository (the first source with a repoURL that is not a Helm chart repository), through the
  CLI's Git cache (`$TRUEUP_CACHE_DIR`, default ~/.cache/trueup/git) with the credentials of
  `$TRUEUP_REPO_CREDS` if set.
- A short SHA (4 to 39 hex digits) the CLI cannot resolve (the repository is not reachable from
  here) is matched as a prefix of status.sync.revision instead; a branch or tag that cannot be
  resolved is an error naming the repository.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]

FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
SHORT_SHA = re.compile(r"^[0-9a-f]{4,39}$")
REPO_CREDS_ENV = "TRUEUP_REPO_CREDS"


class RevisionError(Exception):
    """A revision that cannot be resolved; the message names it and the repository."""


@dataclass(frozen=True)
class Wanted:
    sha: str  # a full SHA, or a lower-case prefix when `prefix`
    asked: str  # what the user wrote
    prefix: bool = False

    def matches(self, doc: Obj) -> bool:
        sync = (doc.get("status") or {}).get("sync") or {}
        revisions = [str(sync.get("revision") or ""), *(str(r) for r in sync.get("revisions") or [])]
        return any(r and (r.startswith(self.sha) if self.prefix else r == self.sha) for r in revisions)

    def describe(self) -> str:
        short = self.sha[:12]
        return short if self.asked.lower() in (self.sha, short) else f"{self.asked} ({short})"


def git_repo_of(doc: Obj) -> str:
    spec = doc.get("spec") or {}
    for src in [spec.get("source"), *(spec.get("sources") or [])]:
        if isinstance(src, dict) and isinstance(src.get("repoURL"), str) and not src.get("chart"):
            return str(src["repoURL"])
    return ""


async def wanted_revision(doc: Obj, revision: str) -> Wanted:
    rev = revision.strip()
    if FULL_SHA.match(rev.lower()):
        return Wanted(rev.lower(), rev)
    url = git_repo_of(doc)
    name = str((doc.get("metadata") or {}).get("name") or "")
    try:
        if not url:
            raise RevisionError(f"application {name!r} has no Git source to resolve {rev!r} in")
        return Wanted(await _resolve(url, rev), rev)
    except RevisionError:
        if SHORT_SHA.match(rev.lower()):
            return Wanted(rev.lower(), rev, prefix=True)
        raise


async def _resolve(url: str, revision: str) -> str:
    from pathlib import Path

    from trueup.source import CredentialsConfigError, RepoCache, SourceError, load_local

    from .oneshot import default_cache_dir

    creds_file = os.environ.get(REPO_CREDS_ENV, "").strip()
    try:
        creds = load_local(Path(creds_file)).lookup(url) if creds_file else None
        resolved = await RepoCache(default_cache_dir() / "git", min_fetch_interval=0).resolve(
            url, revision, credentials=creds, force=True)
    except (SourceError, CredentialsConfigError, OSError) as exc:
        raise RevisionError(f"cannot resolve revision {revision!r} in {url}: {exc}") from None
    return resolved.commit_sha
