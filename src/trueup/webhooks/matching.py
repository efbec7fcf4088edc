"""Which apps a push refreshes: same repository, a revision the push moved, and a path it touched.

`AppRef` is what the controller copies from an Application source (one AppRef per source of a
multi-source app; refresh the app when any of them matches).

Revision (`targetRevision`), as Argo CD's webhook handler, stricter where Argo CD over-matches:

| targetRevision               | matches a push of                                             |
|------------------------------|---------------------------------------------------------------|
| "" or HEAD                   | the default branch (the app's or the payload's; unknown: any  |
|                              | branch push)                                                  |
| refs/heads/x, refs/tags/x    | exactly that ref                                              |
| a full commit SHA            | nothing (a commit never moves)                                |
| a semver constraint (^1.2)   | any tag (the controller re-resolves the constraint)           |
| x                            | branch x or tag x                                             |

Paths: without `argocd.argoproj.io/manifest-generate-paths` every push of a matching revision
refreshes (Argo CD's default). With it (`;`-separated; relative entries are relative to the app's
path, `.` being the app path itself; entries starting with `/` are from the repository root; glob
characters allowed, `**` crossing directories) a push refreshes when a changed file is one of the
paths or inside one (`apps/web` covers `apps/web/x.yaml`, never `apps/web2/x.yaml`). Entries
that climb out of the repository match nothing. Unknown changed files (`None`) always refresh.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from trueup.source.revisions import is_semver_constraint

from .events import PushEvent
from .urls import normalize_repo_url

MANIFEST_GENERATE_PATHS = "argocd.argoproj.io/manifest-generate-paths"

_COMMIT_SHA = re.compile(r"^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class AppRef:
    """One Application source, as far as webhooks care."""

    repo_url: str
    target_revision: str = ""
    path: str = ""
    refresh_paths: str | None = None  # the manifest-generate-paths annotation's value, if set
    default_branch: str | None = None  # the repository's default branch, if the controller knows it
    name: str = ""
    namespace: str = ""


def matches(event: PushEvent, app: AppRef) -> bool:
    """Whether `event` should refresh `app` now."""
    return repo_matches(event, app) and revision_matches(event, app) and paths_match(event, app)


def select_apps(event: PushEvent, apps: Iterable[AppRef]) -> list[AppRef]:
    """The apps `event` refreshes, in the order given."""
    return [app for app in apps if matches(event, app)]


def repo_matches(event: PushEvent, app: AppRef) -> bool:
    try:
        return normalize_repo_url(app.repo_url) in event.repo_keys
    except ValueError:
        return False


def revision_matches(event: PushEvent, app: AppRef) -> bool:
    target = app.target_revision.strip()
    if target in ("", "HEAD"):
        if event.branch is None:
            return False
        defaults = {b for b in (app.default_branch, event.default_branch) if b}
        return not defaults or event.branch in defaults
    if target.startswith("refs/"):
        return event.ref == target
    if _COMMIT_SHA.match(target):
        return False
    if event.tag is not None and is_semver_constraint(target):
        return True
    return event.short_name == target


def paths_match(event: PushEvent, app: AppRef) -> bool:
    if event.changed_files is None:
        return True
    paths = resolve_refresh_paths(app)
    if paths is None:
        return True
    return any(path_covers(p, f) for p in paths for f in event.changed_files)


def resolve_refresh_paths(app: AppRef) -> tuple[str, ...] | None:
    """The annotation's entries as repository-relative paths (`.` is the root); None when not set."""
    if app.refresh_paths is None:
        return None
    entries = [e.strip() for e in app.refresh_paths.split(";")]
    entries = [e for e in entries if e]
    if not entries:
        return None
    base = _clean(app.path)
    resolved = []
    for entry in entries:
        joined = _clean(entry) if entry.startswith("/") else _clean(posixpath.join(base, entry))
        if joined != ".." and not joined.startswith("../"):
            resolved.append(joined)
    return tuple(resolved)


def path_covers(path: str, changed: str) -> bool:
    """Whether `changed` (a repository-relative file) is `path`, inside it, or matched by its glob."""
    changed = _clean(changed)
    if path == ".":
        return True
    if changed == path or changed.startswith(path + "/"):
        return True
    if _GLOB_CHARS.isdisjoint(path):
        return False
    pattern = _glob(path)
    parts = changed.split("/")
    return any(pattern.fullmatch("/".join(parts[:i])) for i in range(len(parts), 0, -1))


def _clean(path: str) -> str:
    path = path.strip().strip("/")
    return posixpath.normpath(path) if path else "."


@lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    """Go's filepath.Match syntax (`*`, `?`, `[...]`, `[^...]`; none crosses `/`) plus `**`."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1:end]
            negate = body[:1] in ("^", "!")
            body = body[1:] if negate else body
            out.append(("[^/" if negate else "[") + body.replace("\\", "\\\\") + "]")
            i = end + 1
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))
