"""The one error type of `trueup.source`, and the scrubbing that keeps secrets out of it.

```
SourceError                 anything a Git source cannot do; `str()` is safe to log and show
 ├── RepositoryError        the repository cannot be reached, cloned or fetched (URL, auth, network)
 ├── RevisionNotFound       a branch, tag, commit or semver range that resolves to nothing
 └── PathError              a path an app gave escapes the repository, or does not exist in it
```

Every message is scrubbed at construction: `user:password@` in any URL becomes `***@` and
every secret string the caller names is replaced by `***`, so a message can never leak a
credential, whatever a library underneath put into it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s'\"]+@")
MASK = "***"


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with URL user-info and each given secret (longest first) replaced by `***`."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)


class SourceError(Exception):
    """A Git source failed; the message names the repository (scrubbed), the revision or path, and what to do."""

    def __init__(self, message: str, *, secrets: Iterable[str | None] = ()) -> None:
        self.message = scrub(message, secrets)
        super().__init__(self.message)


class RepositoryError(SourceError):
    """The repository could not be reached, cloned or fetched."""


class RevisionNotFound(SourceError):
    """A target revision that names no branch, tag, commit or matching semver tag."""

    def __init__(self, message: str, *, revision: str, candidates: Iterable[str] = (),
                 secrets: Iterable[str | None] = ()) -> None:
        self.revision = revision
        self.candidates = list(candidates)
        super().__init__(message, secrets=secrets)


class PathError(SourceError):
    """A path outside the repository (`..`, absolute, escaping symlink) or missing from the commit."""

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(message)
