"""Credentials for a repository, and the libgit2 callbacks that hand them over.

`Credentials` comes from the caller (the controller reads Kubernetes Secrets; the CLI reads
local config). Its repr and str mask every secret. `GitCallbacks` answers libgit2's
credential and host-key questions: https gets username + password (or token), ssh gets the
private key from memory; a second request for the same kind of credential means the server
refused it, so it stops with an authentication error instead of looping. SSH host keys are
accepted only when libgit2 found them in known_hosts (or `insecure_ignore_host_key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pygit2
from pygit2.enums import CredentialType

from .errors import MASK


@dataclass(frozen=True)
class Credentials:
    """What a repository needs to authenticate. Secrets never appear in repr/str or messages."""

    username: str | None = None
    password: str | None = None
    token: str | None = None  # https token: sent as the password (username defaults to "git")
    ssh_private_key: str | None = None  # PEM/OpenSSH text
    ssh_public_key: str | None = None
    ssh_passphrase: str | None = None
    ssh_known_hosts: str | None = None  # known_hosts lines for the host (see RepoCache)
    insecure_ignore_host_key: bool = False

    def secrets(self) -> tuple[str | None, ...]:
        """Every secret value, for scrubbing messages."""
        return (self.password, self.token, self.ssh_private_key, self.ssh_passphrase)

    def merged_with_url(self, username: str | None, password: str | None) -> Credentials:
        """These credentials, falling back to user-info found in the URL."""
        if self.password or self.token or self.ssh_private_key:
            return self if self.username or not username else _replace(self, username=username)
        return _replace(self, username=self.username or username, password=password)

    def __repr__(self) -> str:
        shown = []
        for name in ("username", "password", "token", "ssh_private_key", "ssh_public_key", "ssh_passphrase",
                     "ssh_known_hosts"):
            value = getattr(self, name)
            if value is not None:
                shown.append(f"{name}={value!r}" if name in ("username", "ssh_public_key", "ssh_known_hosts")
                             else f"{name}={MASK!r}")
        if self.insecure_ignore_host_key:
            shown.append("insecure_ignore_host_key=True")
        return f"Credentials({', '.join(shown)})"

    __str__ = __repr__


def _replace(creds: Credentials, **changes: Any) -> Credentials:
    values = {name: getattr(creds, name) for name in Credentials.__dataclass_fields__}
    values.update(changes)
    return Credentials(**values)


class AuthenticationFailed(Exception):
    """Raised from the credentials callback when the server refused what we sent (or we had nothing)."""


class GitCallbacks(pygit2.RemoteCallbacks):
    """libgit2 callbacks for one fetch with one set of credentials."""

    def __init__(self, credentials: Credentials | None) -> None:
        super().__init__()
        self._creds = credentials or Credentials()
        self._asked: set[CredentialType] = set()

    def credentials(self, url: str, username_from_url: str | None,
                    allowed_types: CredentialType) -> Any:
        creds = self._creds
        if allowed_types & CredentialType.SSH_MEMORY and creds.ssh_private_key:
            return self._once(CredentialType.SSH_MEMORY, lambda: pygit2.KeypairFromMemory(
                creds.username or username_from_url or "git", creds.ssh_public_key or "",
                creds.ssh_private_key or "", creds.ssh_passphrase or ""))
        if allowed_types & CredentialType.USERPASS_PLAINTEXT and (creds.password or creds.token):
            return self._once(CredentialType.USERPASS_PLAINTEXT, lambda: pygit2.UserPass(
                creds.username or username_from_url or "git", creds.password or creds.token or ""))
        if allowed_types & CredentialType.USERNAME and (creds.username or username_from_url):
            return self._once(CredentialType.USERNAME, lambda: pygit2.Username(
                creds.username or username_from_url or "git"))
        raise AuthenticationFailed("the server asked for credentials and none were given")

    def _once(self, kind: CredentialType, make: Any) -> Any:
        if kind in self._asked:
            raise AuthenticationFailed("the server refused the credentials")
        self._asked.add(kind)
        return make()

    def certificate_check(self, certificate: None, valid: bool, host: bytes) -> bool:
        return bool(valid or self._creds.insecure_ignore_host_key)
