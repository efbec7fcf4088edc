"""`normalize_repo_url`: one spelling per repository, so a webhook's URLs compare with an app's repoURL.

Every form a provider or a user writes for one repository gives one key:

    https://github.com/Org/Repo.git   http://github.com/org/repo/   git@github.com:org/repo.git
    ssh://git@github.com/org/repo     ssh://git@ssh.github.com:443/org/repo.git   github.com/org/repo
        -> github.com/org/repo

- scheme dropped (https, http, ssh, git and scp-like forms are one repository), user-info dropped;
- host lower-cased, an `ssh.`/`altssh.` host prefix dropped, default ports (22, 80, 443, 9418)
  dropped, other ports kept (`host:7999` for Bitbucket Server's ssh);
- path lower-cased, percent-decoded, `//` collapsed, leading/trailing `/` and one `.git` dropped;
  query and fragment dropped.

Lower-casing the path follows Argo CD, whose webhook handler matches repoURLs against the
payload's URL with a case-insensitive expression for every provider (GitHub, GitLab, Bitbucket
and Gitea treat owner and repository names case-insensitively). At worst two repositories that
differ only in case on a case-sensitive server share a key: both refresh, nothing is missed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = frozenset({22, 80, 443, 9418})
_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^@/:]{2,}):(?P<path>(?!//).*)$")
_HOST_PREFIXES = ("altssh.", "ssh.")


@lru_cache(maxsize=8192)
def normalize_repo_url(url: str) -> str:
    """The comparison key of a repository URL; `ValueError` for an empty or unparseable one."""
    raw = url.strip()
    if not raw:
        raise ValueError("repository URL is empty")
    port: int | None = None
    if "://" in raw:
        parts = urlsplit(raw)
        host = parts.hostname or ""
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"repository URL {raw[:200]!r} has an invalid port") from None
        path = parts.path
    elif (scp := _SCP_LIKE.match(raw)) is not None:
        host, path = scp.group("host"), scp.group("path")
    elif raw.startswith(("/", ".", "~")):
        host, path = "", raw
    else:  # github.com/org/repo, as some payloads and users write it
        head, _, path = raw.partition("/")
        host = head.rpartition("@")[2]
    host = host.lower().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    shown_port = f":{port}" if port is not None and port not in DEFAULT_PORTS else ""
    return f"{host}{shown_port}/{_normalize_path(path)}"


def _normalize_path(path: str) -> str:
    path = re.sub(r"/{2,}", "/", unquote(path).lower()).strip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")].rstrip("/")
    return path
