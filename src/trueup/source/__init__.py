"""Git sources: shared clones per repository, revisions resolved, trees read at a commit, paths confined.

```python
cache = RepoCache(Path("~/.cache/trueup/git").expanduser(), min_fetch_interval=60)
rev = await cache.resolve(app.repo_url, app.target_revision, credentials=creds)  # Resolved
snap = await cache.read_tree(app.repo_url, rev.commit_sha)                       # Snapshot
text = await snap.read_text("values.yaml", base=app.path)   # confined to the repository
directory = await snap.materialize(app.path)                # read-only files for kustomize/helm

creds = load_local("~/.config/trueup/repo-creds.yaml").lookup(url)   # or from_secrets(secrets)
chart = await ChartCache(root / "charts").pull(helm_repo_url, "redis", "^17.0.0")  # PulledChart
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.lazy import lazy_exports

from .errors import PathError, RepositoryError, RevisionNotFound, SourceError, scrub

if TYPE_CHECKING:
    from .cache import RepoCache
    from .charts import ChartCache, ChartError, PulledChart
    from .credentials import Credentials
    from .repocreds import CredentialsConfigError, CredentialStore, from_secrets, load_local
    from .revisions import RefTable, Resolved, RevisionKind, resolve_revision
    from .semver import Constraint, Version, max_satisfying, parse_constraint, parse_version
    from .snapshot import Snapshot
    from .urls import RepoURL, parse_repo_url

__all__ = [
    "ChartCache",
    "ChartError",
    "Constraint",
    "CredentialStore",
    "Credentials",
    "CredentialsConfigError",
    "PathError",
    "PulledChart",
    "RefTable",
    "RepoCache",
    "RepoURL",
    "RepositoryError",
    "Resolved",
    "RevisionKind",
    "RevisionNotFound",
    "Snapshot",
    "SourceError",
    "Version",
    "from_secrets",
    "load_local",
    "max_satisfying",
    "parse_constraint",
    "parse_repo_url",
    "parse_version",
    "resolve_revision",
    "scrub",
]

__getattr__ = lazy_exports(__name__, {
    "ChartCache": ".charts",
    "ChartError": ".charts",
    "Constraint": ".semver",
    "CredentialStore": ".repocreds",
    "Credentials": ".credentials",
    "CredentialsConfigError": ".repocreds",
    "PulledChart": ".charts",
    "RefTable": ".revisions",
    "RepoCache": ".cache",
    "RepoURL": ".urls",
    "Resolved": ".revisions",
    "RevisionKind": ".revisions",
    "Snapshot": ".snapshot",
    "Version": ".semver",
    "from_secrets": ".repocreds",
    "load_local": ".repocreds",
    "max_satisfying": ".semver",
    "parse_constraint": ".semver",
    "parse_repo_url": ".urls",
    "parse_version": ".semver",
    "resolve_revision": ".revisions",
})
