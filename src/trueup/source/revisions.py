"""Which commit a target revision names, given the refs of a repository (pure: no I/O).

Order, as Argo CD resolves `targetRevision`: empty or `HEAD` is the remote's default branch;
a full 40-hex SHA is that commit; `refs/heads/x` and `refs/tags/x` are taken literally; a semver
constraint (not a plain version) picks the highest matching tag, never a branch; then a branch
of that name, then a tag (`1.2.3` and `v1.2` are plain versions: exact tag names); finally a
7 to 39 hex prefix of a commit. Nothing matching is a `RevisionNotFound` listing close names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import RevisionNotFound

FULL_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
SHORT_SHA = re.compile(r"^[0-9a-fA-F]{7,39}$")


class RevisionKind(StrEnum):
    BRANCH = "branch"
    TAG = "tag"
    COMMIT = "commit"
    HEAD = "head"  # the remote's default branch (ref_name says which)
    SEMVER = "semver"  # the highest tag matching a semver constraint (ref_name says which)
    CHART = "chart"  # a chart repository's chart: commit_sha is the chart version, ref_name "<chart>-<version>"


@dataclass(frozen=True)
class Resolved:
    """A target revision pinned to a commit."""

    commit_sha: str
    ref_name: str  # refs/heads/main, refs/tags/v1.2.3, or "" for a bare commit
    kind: RevisionKind
    revision: str = ""  # what was asked for


@dataclass(frozen=True)
class RefTable:
    """A repository's branches and tags (short name -> peeled commit SHA) and its default branch."""

    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    default_branch: str | None = None
    head_sha: str | None = None  # a detached remote HEAD


def is_full_sha(revision: str) -> bool:
    return bool(FULL_SHA.match(revision))


def is_short_sha(revision: str) -> bool:
    return bool(SHORT_SHA.match(revision))


def is_semver_constraint(revision: str) -> bool:
    # every version or range has a digit, x, X or *: a branch name such as `main` needs no parser
    if not any(c.isdigit() or c in "xX*" for c in revision):
        return False
    from .semver import parse_constraint, parse_version

    if parse_version(revision) is not None:
        return False
    try:
        parse_constraint(revision)
    except ValueError:
        return False
    return True


def resolve_revision(revision: str, refs: RefTable, *, repo: str,
                     find_commit: Callable[[str], str | None]) -> Resolved:
    """Pin `revision` to a commit. `find_commit(hex_prefix)` looks a (short) SHA up in the object database."""
    wanted = revision.strip() or "HEAD"
    if wanted == "HEAD":
        if refs.default_branch and refs.default_branch in refs.branches:
            return Resolved(refs.branches[refs.default_branch], f"refs/heads/{refs.default_branch}",
                            RevisionKind.HEAD, revision)
        if refs.head_sha:
            return Resolved(refs.head_sha, "HEAD", RevisionKind.HEAD, revision)
        raise _not_found(revision, refs, repo, "the repository has no default branch (is it empty?)")
    if is_full_sha(wanted):
        sha = find_commit(wanted.lower())
        if sha is None:
            raise _not_found(revision, refs, repo, "no commit with this SHA exists in the repository")
        return Resolved(sha, "", RevisionKind.COMMIT, revision)
    for prefix, table, kind in (("refs/heads/", refs.branches, RevisionKind.BRANCH),
                                ("refs/tags/", refs.tags, RevisionKind.TAG)):
        if wanted.startswith(prefix) and wanted[len(prefix):] in table:
            return Resolved(table[wanted[len(prefix):]], wanted, kind, revision)
    if is_semver_constraint(wanted):
        from .semver import max_satisfying, parse_constraint, parse_version

        best = max_satisfying(parse_constraint(wanted), sorted(refs.tags))
        if best is not None:
            return Resolved(refs.tags[best[0]], f"refs/tags/{best[0]}", RevisionKind.SEMVER, revision)
        if wanted not in refs.branches and wanted not in refs.tags:
            parsed = ((v, n) for n in refs.tags if (v := parse_version(n)) is not None)
            versions = [n for _, n in sorted(parsed, reverse=True)]
            shown = ", ".join(versions[:8]) or "none"
            raise RevisionNotFound(
                f"no tag in {repo} matches the semver constraint '{revision}' (semver ranges match tags only, "
                f"pre-releases only when the range names one); version tags: {shown}. "
                "Push a matching tag or change spec.source.targetRevision",
                revision=revision, candidates=versions[:8])
    if wanted in refs.branches:
        return Resolved(refs.branches[wanted], f"refs/heads/{wanted}", RevisionKind.BRANCH, revision)
    if wanted in refs.tags:
        return Resolved(refs.tags[wanted], f"refs/tags/{wanted}", RevisionKind.TAG, revision)
    if is_short_sha(wanted):
        sha = find_commit(wanted.lower())
        if sha is not None:
            return Resolved(sha, "", RevisionKind.COMMIT, revision)
    raise _not_found(revision, refs, repo, "no branch, tag or commit has this name")


def close_names(revision: str, refs: RefTable, limit: int = 5) -> list[str]:
    """Branch and tag names that look like `revision` (or a few branches when none does)."""
    names = sorted(set(refs.branches) | set(refs.tags))
    close = difflib.get_close_matches(revision, names, n=limit, cutoff=0.5)
    if not close:
        preferred = [refs.default_branch] if refs.default_branch else []
        close = preferred + [b for b in sorted(refs.branches) if b not in preferred]
    return close[:limit]


def _not_found(revision: str, refs: RefTable, repo: str, why: str) -> RevisionNotFound:
    candidates = close_names(revision, refs)
    hint = f"; did you mean: {', '.join(candidates)}?" if candidates else ""
    return RevisionNotFound(
        f"revision '{revision}' not found in {repo}: {why}{hint} "
        "Fix spec.source.targetRevision, or push the branch or tag",
        revision=revision, candidates=candidates)
