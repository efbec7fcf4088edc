"""Repository URLs: what kind they are, how they are normalized, hashed, fetched and shown.

Accepted: `https://` (and `http://`), `ssh://`, scp-like `git@host:org/repo.git`, `git://`,
`file://` and plain local paths. `RepoURL` splits what a user wrote into

- `fetch_url`: what libgit2 is given (no password: user-info moves into credentials, so it is
  never written to the mirror's config on disk),
- `display`: what messages show (user-info masked),
- `normalized`: one spelling per repository (lower-case scheme and host, no user-info, no
  trailing `/` or `.git`; scp-like becomes `ssh://`), whose hash names the mirror directory.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import MASK, RepositoryError

_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/:]+)@)?(?P<host>[^@/:]+):(?P<path>(?!//).+)$")
_NETWORK_SCHEMES = frozenset({"https", "http", "ssh", "git", "git+ssh", "ssh+git"})


@dataclass(frozen=True)
class RepoURL:
    """One repository URL, parsed. `username`/`password` come from user-info and are never shown."""

    scheme: str  # https, http, ssh, git or local
    fetch_url: str
    display: str
    normalized: str
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def cache_key(self) -> str:
        """Directory name of this repository's mirror: a hash of the normalized URL."""
        return hashlib.sha256(self.normalized.encode()).hexdigest()[:32]

    @property
    def is_local(self) -> bool:
        return self.scheme == "local"

    def __str__(self) -> str:
        return self.display


def _strip_repo_suffix(path: str) -> str:
    path = path.rstrip("/")
    return path[: -len(".git")] if path.endswith(".git") else path


def _local(path: str, original: str) -> RepoURL:
    resolved = Path(path).expanduser().absolute()
    text = str(resolved)
    return RepoURL("local", text, original, "file://" + _strip_repo_suffix(text).rstrip("/"))


def parse_repo_url(url: str) -> RepoURL:
    """Parse what a user wrote as `repoURL`; raises `RepositoryError` for an empty or unsupported URL."""
    raw = url.strip()
    if not raw:
        raise RepositoryError("repoURL is empty: set spec.source.repoURL to a Git URL or a local path")
    if "://" in raw:
        return _parse_with_scheme(raw)
    scp = _SCP_LIKE.match(raw)
    if scp and not raw.startswith(("/", ".", "~")) and len(scp.group("host")) > 1:
        user, host, path = scp.group("user"), scp.group("host").lower(), scp.group("path")
        prefix = f"{user}@" if user else ""
        normalized = f"ssh://{host}/{_strip_repo_suffix(path).lstrip('/')}"
        return RepoURL("ssh", f"{prefix}{host}:{path}", f"{prefix}{host}:{path}", normalized, username=user)
    return _local(raw, raw)


def _parse_with_scheme(raw: str) -> RepoURL:
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme == "file":
        path = unquote(parts.path)
        return _local(path, f"file://{path}")
    if scheme not in _NETWORK_SCHEMES:
        raise RepositoryError(
            f"repoURL '{_mask_userinfo(raw)}' has an unsupported scheme '{scheme}': "
            "use https://, ssh://, git@host:org/repo.git, git://, file:// or a local path")
    if scheme in ("git+ssh", "ssh+git"):
        scheme = "ssh"
    host = (parts.hostname or "").lower()
    if not host:
        raise RepositoryError(f"repoURL '{_mask_userinfo(raw)}' has no host: write it as {scheme}://host/org/repo.git")
    port = f":{parts.port}" if parts.port else ""
    username = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    # ssh keeps its (non-secret) user name in the URL; http(s) user-info moves into credentials.
    keep_user = f"{parts.username}@" if scheme == "ssh" and parts.username else ""
    fetch_url = f"{scheme}://{keep_user}{host}{port}{path}{query}"
    shown_user = (f"{parts.username}@" if scheme == "ssh" and password is None else f"{MASK}@") \
        if parts.username is not None else ""
    display = f"{scheme}://{shown_user}{host}{port}{path}{query}"
    normalized = f"{scheme if scheme != 'http' else 'https'}://{host}{port}/{_strip_repo_suffix(path).lstrip('/')}"
    return RepoURL(scheme, fetch_url, display, normalized, username=username, password=password)


def _mask_userinfo(raw: str) -> str:
    head, sep, rest = raw.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return raw
    return f"{head}://{MASK}@{rest.split('@', 1)[1]}"
