"""`RepoCache`: one shared mirror per repository, fetched only when a revision may have moved.

Concurrency: one asyncio lock per repository (normalized URL) serializes clone, fetch and ref
reads, so two apps never race on one mirror; libgit2 calls run in worker threads
(`asyncio.to_thread`) so the event loop never blocks. Reads of trees (`Snapshot`) take no lock:
objects in a mirror are immutable and fetch only adds.

Fetch policy (`resolve`):
- a full commit SHA already in the mirror never fetches (nor does a short SHA that no branch or
  tag is named after); a missing SHA fetches at once, whatever the interval;
- a branch, tag, `HEAD` or semver range fetches when the last fetch is older than
  `min_fetch_interval` seconds, or always with `force=True` (webhook, hard refresh); a name not
  found after a skipped fetch gets one fetch before it is declared missing.
Credentials are passed per call and live only in memory for that fetch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import mirror
from .credentials import Credentials
from .errors import RevisionNotFound
from .revisions import Resolved, is_full_sha, is_short_sha, resolve_revision
from .snapshot import Snapshot, TreeStore
from .urls import RepoURL, parse_repo_url


@dataclass
class _RepoState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_fetch: float | None = None
    fetches: int = 0


class RepoCache:
    """Mirrors under `<root>/repos`, materialized trees under `<root>/trees`."""

    def __init__(self, root: Path, *, min_fetch_interval: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.root = root
        self.min_fetch_interval = min_fetch_interval
        self._clock = clock
        self._states: dict[str, _RepoState] = {}
        self._trees = TreeStore(root)

    def _state(self, url: RepoURL) -> _RepoState:
        return self._states.setdefault(url.cache_key, _RepoState())

    def mirror_path(self, url: str) -> Path:
        """Where the mirror of `url` lives (named by the hash of the normalized URL)."""
        return self.root / "repos" / parse_repo_url(url).cache_key

    def fetch_count(self, url: str) -> int:
        """How many times this cache cloned or fetched `url` (for metrics and tests)."""
        return self._state(parse_repo_url(url)).fetches

    def last_fetch(self, url: str) -> float | None:
        """Clock time of the last clone or fetch of `url` (None: never)."""
        return self._state(parse_repo_url(url)).last_fetch

    async def _fetch(self, url: RepoURL, state: _RepoState, creds: Credentials | None) -> None:
        merged = (creds or Credentials()).merged_with_url(url.username, url.password)
        await asyncio.to_thread(mirror.clone_or_fetch, self.root / "repos" / url.cache_key, url, merged,
                                self.root / "ssh-home")
        state.fetches += 1
        state.last_fetch = self._clock()

    def _stale(self, state: _RepoState) -> bool:
        return state.last_fetch is None or self._clock() - state.last_fetch >= self.min_fetch_interval

    async def fetch(self, url: str, *, credentials: Credentials | None = None) -> None:
        """Clone or fetch now (a webhook for this repository arrived)."""
        repo_url = parse_repo_url(url)
        state = self._state(repo_url)
        async with state.lock:
            await self._fetch(repo_url, state, credentials)

    async def resolve(self, url: str, target_revision: str, *, credentials: Credentials | None = None,
                      force: bool = False) -> Resolved:
        """Pin `target_revision` (branch, tag, SHA, `HEAD`, semver range) of `url` to a commit."""
        repo_url = parse_repo_url(url)
        state = self._state(repo_url)
        path = self.root / "repos" / repo_url.cache_key
        revision = target_revision.strip()
        async with state.lock:
            fetched = False
            exists = (path / "HEAD").exists()
            if not exists or force or (not await self._pinned(path, revision) and self._stale(state)):
                await self._fetch(repo_url, state, credentials)
                fetched = True
            try:
                return await self._resolve_local(path, revision, repo_url)
            except RevisionNotFound:
                if fetched:
                    raise
            await self._fetch(repo_url, state, credentials)
            return await self._resolve_local(path, revision, repo_url)

    async def _pinned(self, path: Path, revision: str) -> bool:
        """Whether `revision` is a commit SHA already in the mirror (so no fetch can change it)."""
        if is_full_sha(revision):
            return await asyncio.to_thread(mirror.find_commit, path, revision.lower()) is not None
        if is_short_sha(revision):
            def check() -> bool:
                return not mirror.has_ref(path, revision) and mirror.find_commit(path, revision.lower()) is not None
            return await asyncio.to_thread(check)
        return False

    async def _resolve_local(self, path: Path, revision: str, url: RepoURL) -> Resolved:
        def run() -> Resolved:
            refs = mirror.read_refs(path)
            return resolve_revision(revision, refs, repo=url.display,
                                    find_commit=lambda prefix: mirror.find_commit(path, prefix))
        return await asyncio.to_thread(run)

    async def read_tree(self, url: str, commit: str, *, credentials: Credentials | None = None) -> Snapshot:
        """The tree of `commit` (a SHA, as `resolve` returns) in `url`; fetches only if it is missing."""
        repo_url = parse_repo_url(url)
        if not is_full_sha(commit) and not is_short_sha(commit):
            raise RevisionNotFound(
                f"read_tree needs a commit SHA, got '{commit}' for {repo_url.display}: resolve the revision first",
                revision=commit)
        resolved = await self.resolve(url, commit, credentials=credentials)
        return Snapshot(repo_url.display, resolved.commit_sha, self.root / "repos" / repo_url.cache_key, self._trees)
