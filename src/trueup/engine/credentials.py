"""Where the engine gets a repository's credentials: a `CredentialSource` per process.

- `NoCredentials`: public repositories only.
- `LocalCredentials(store)`: the one-shot CLI's `--repo-creds FILE` / `$TRUEUP_REPO_CREDS`.
- `SecretCredentials(client, namespace)`: the controller's Argo CD-style repository and
  repo-creds Secrets in its namespace (labels `argocd.argoproj.io/secret-type` or
  `trueup.dev/secret-type`), listed at most every `ttl` seconds (a new Secret is used within
  that time), only in memory.
Secret values are never logged: warnings about unusable Secrets name the Secret and the field.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Protocol

from ..kube import ApiError, Client
from ..kube.resources import SECRETS

if TYPE_CHECKING:  # the credentials store is imported by the sources that read one
    from ..source.credentials import Credentials
    from ..source.repocreds import CredentialStore

log = logging.getLogger(__name__)


class CredentialSource(Protocol):
    async def lookup(self, url: str) -> Credentials | None: ...


class NoCredentials:
    async def lookup(self, url: str) -> Credentials | None:
        return None


class LocalCredentials:
    def __init__(self, store: CredentialStore) -> None:
        self.store = store

    async def lookup(self, url: str) -> Credentials | None:
        return self.store.lookup(url)


class SecretCredentials:
    def __init__(self, client: Client, namespace: str, *, ttl: float = 5.0) -> None:
        self.client = client
        self.namespace = namespace
        self.ttl = ttl
        self._store: CredentialStore | None = None
        self._at = 0.0
        self._lock = asyncio.Lock()
        self._warned: set[str] = set()

    async def store(self) -> CredentialStore:
        from ..source.repocreds import SECRET_TYPE_LABELS, from_secrets

        async with self._lock:
            if self._store is None or time.monotonic() - self._at >= self.ttl:
                secrets = []
                seen: set[str] = set()
                for label in SECRET_TYPE_LABELS:
                    try:
                        items, _ = await self.client.list(SECRETS, self.namespace,
                                                          label_selector=f"{label} in (repository,repo-creds)")
                    except ApiError as exc:  # e.g. no RBAC to list Secrets: public repositories still work
                        self._warn(f"cannot list repository Secrets in {self.namespace}: {exc.message}")
                        items = []
                    for item in items:
                        uid = str((item.get("metadata") or {}).get("uid") or id(item))
                        if uid not in seen:
                            seen.add(uid)
                            secrets.append(item)
                self._store = from_secrets(secrets)
                self._at = time.monotonic()
                for warning in self._store.warnings:
                    self._warn(warning)
            return self._store

    def _warn(self, warning: str) -> None:
        if warning not in self._warned:
            self._warned.add(warning)
            log.warning("repository credentials: %s", warning)

    async def lookup(self, url: str) -> Credentials | None:
        return (await self.store()).lookup(url)
