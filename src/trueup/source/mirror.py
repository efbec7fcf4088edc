"""Blocking libgit2 work on one mirror: clone, fetch, read refs, look commits up.

A mirror is a bare repository under `<root>/repos/<hash of normalized URL>` whose remote
`origin` fetches `+refs/heads/*:refs/heads/*` and `+refs/tags/*:refs/tags/*` with prune, so its
branches and tags are the remote's, one to one; its `HEAD` is set to the remote's default
branch after each fetch. A first clone is built in a temporary directory and renamed into
place, so a failed clone leaves nothing behind. These functions block: `RepoCache` runs them in
a thread, one at a time per repository. Each call opens its own `pygit2.Repository` (libgit2
objects are not shared between threads).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import uuid
from pathlib import Path

import pygit2
from pygit2.enums import FetchPrune

from .credentials import AuthenticationFailed, Credentials, GitCallbacks
from .errors import RepositoryError
from .revisions import RefTable
from .urls import RepoURL

MIRROR_REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

# libgit2 reads ssh known_hosts from its home directory, a process-wide setting: ssh fetches that
# bring their own known_hosts run one at a time with the home pointed at a directory holding it.
_SSH_HOME_LOCK = threading.Lock()


def clone_or_fetch(path: Path, url: RepoURL, creds: Credentials | None, ssh_home: Path) -> None:
    """Bring the mirror at `path` up to date with the remote (creating it on first use)."""
    if url.is_local and not Path(url.fetch_url).exists():
        raise RepositoryError(
            f"repository {url.display} not found: the local path does not exist. Check spec.source.repoURL",
            secrets=_secrets(url, creds))
    if (path / "HEAD").exists():
        _fetch(pygit2.Repository(str(path)), url, creds, ssh_home)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".clone-{path.name}-{uuid.uuid4().hex[:8]}"
    try:
        repo = pygit2.init_repository(str(tmp), bare=True)
        repo.remotes.create("origin", url.fetch_url, MIRROR_REFSPECS[0])
        repo.remotes.add_fetch("origin", MIRROR_REFSPECS[1])
        _fetch(repo, url, creds, ssh_home)
        del repo
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _fetch(repo: pygit2.Repository, url: RepoURL, creds: Credentials | None, ssh_home: Path) -> None:
    if repo.remotes["origin"].url != url.fetch_url:
        repo.remotes.set_url("origin", url.fetch_url)
    remote = repo.remotes["origin"]
    callbacks = GitCallbacks(creds)
    try:
        if url.scheme == "ssh" and creds is not None and creds.ssh_known_hosts:
            with _SSH_HOME_LOCK:
                previous = pygit2.settings.homedir
                known = ssh_home / ".ssh" / "known_hosts"
                known.parent.mkdir(parents=True, exist_ok=True)
                known.write_text(creds.ssh_known_hosts)
                pygit2.settings.homedir = str(ssh_home)
                try:
                    remote.fetch(MIRROR_REFSPECS, callbacks=callbacks, prune=FetchPrune.PRUNE)
                finally:
                    pygit2.settings.homedir = previous or ""
        else:
            remote.fetch(MIRROR_REFSPECS, callbacks=callbacks, prune=FetchPrune.PRUNE)
        heads = remote.list_heads(connect=False)
    except AuthenticationFailed as exc:
        hint = ("add a repository Secret for it (label argocd.argoproj.io/secret-type: repository, fields url, "
                "username, password or sshPrivateKey) in the controller's namespace, or a --repo-creds entry"
                if creds is None or not (creds.password or creds.token or creds.ssh_private_key)
                else "check the repository credentials (username and password/token for https, private key and "
                     "known_hosts for ssh)")
        raise RepositoryError(f"authentication to {url.display} failed: {exc}; {hint}",
                              secrets=_secrets(url, creds)) from None
    except (pygit2.GitError, OSError, ValueError) as exc:
        raise RepositoryError(
            f"cannot fetch {url.display}: {exc}. Check that the repository exists, the URL is right and "
            "the credentials allow reading it", secrets=_secrets(url, creds)) from None
    for head in heads:
        if head.name == "HEAD" and head.symref_target and head.symref_target.startswith("refs/heads/"):
            if head.symref_target in repo.references:
                repo.references.create("HEAD", head.symref_target, force=True)
            break


def _secrets(url: RepoURL, creds: Credentials | None) -> tuple[str | None, ...]:
    return (url.password, *(creds.secrets() if creds else ()))


def read_refs(path: Path) -> RefTable:
    """Branches and tags of the mirror, each peeled to its commit, and the default branch."""
    repo = pygit2.Repository(str(path))
    branches: dict[str, str] = {}
    tags: dict[str, str] = {}
    for name in repo.references:
        for prefix, table in (("refs/heads/", branches), ("refs/tags/", tags)):
            if name.startswith(prefix):
                with contextlib.suppress(pygit2.GitError, ValueError, KeyError):  # a tag of a tree or blob
                    table[name[len(prefix):]] = str(repo.references[name].peel(pygit2.Commit).id)
    default = None
    head_sha = None
    try:
        target = repo.references["HEAD"].target
        if isinstance(target, str) and target.startswith("refs/heads/"):
            default = target[len("refs/heads/"):]
    except KeyError:
        pass
    if default is None and not repo.head_is_unborn:
        head_sha = str(repo.head.peel(pygit2.Commit).id)
    return RefTable(branches, tags, default if default in branches else None, head_sha)


def find_commit(path: Path, hex_prefix: str) -> str | None:
    """The full SHA of the commit `hex_prefix` names in the mirror, or None (also when ambiguous)."""
    repo = pygit2.Repository(str(path))
    try:
        obj = repo.get(hex_prefix)
    except (ValueError, KeyError, pygit2.GitError):
        return None
    if obj is None:
        return None
    try:
        return str(obj.peel(pygit2.Commit).id)
    except (pygit2.GitError, ValueError):
        return None


def has_ref(path: Path, name: str) -> bool:
    repo = pygit2.Repository(str(path))
    return f"refs/heads/{name}" in repo.references or f"refs/tags/{name}" in repo.references
