"""`Snapshot`: an immutable, race-free view of a repository's tree at one commit.

Reads go straight to the mirror's object database (blobs by path, never a shared worktree), so
any number of apps read any number of commits at once. Every path is confined to the repository
(`paths.resolve`). `materialize(path)` returns a read-only directory for renderers that need
files on disk (kustomize, helm): the whole commit is written once under `<root>/trees/<sha>` by
`TreeStore` (one writer per commit, then shared) and the returned path is the subdirectory.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pygit2
from pygit2.enums import FileMode, ObjectType

from .errors import PathError
from .materialize import escaping_symlinks, walk, write_tree
from .paths import Entry, resolve

_local = threading.local()


def open_repo(path: Path) -> pygit2.Repository:
    """This thread's `Repository` for a mirror (libgit2 objects stay in the thread that made them)."""
    repos: dict[Path, pygit2.Repository] = _local.__dict__.setdefault("repos", {})
    repo = repos.get(path)
    if repo is None:
        repo = repos[path] = pygit2.Repository(str(path))
    return repo


class TreeStore:
    """Materialized commit trees under `<root>/trees`, written once per commit and shared."""

    def __init__(self, root: Path) -> None:
        self.root = root / "trees"
        self._locks: dict[str, asyncio.Lock] = {}
        self._refused: dict[str, list[str]] = {}

    async def ensure(self, mirror: Path, sha: str) -> tuple[Path, list[str]]:
        lock = self._locks.setdefault(sha, asyncio.Lock())
        async with lock:
            dest = self.root / sha
            if sha in self._refused and dest.is_dir():
                return dest, self._refused[sha]
            refused = await asyncio.to_thread(self._ensure_blocking, mirror, sha, dest)
            self._refused[sha] = refused
            return dest, refused

    @staticmethod
    def _ensure_blocking(mirror: Path, sha: str, dest: Path) -> list[str]:
        repo = open_repo(mirror)
        root = repo[sha].peel(pygit2.Tree)
        if dest.is_dir():
            return escaping_symlinks(repo, root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        return write_tree(repo, root, dest)


@dataclass(frozen=True)
class Snapshot:
    """The tree of `commit_sha` in the repository `repo` (scrubbed URL). Safe to share between apps."""

    repo: str
    commit_sha: str
    mirror: Path = field(repr=False)
    trees: TreeStore = field(repr=False, compare=False)

    def _root(self) -> tuple[pygit2.Repository, pygit2.Tree]:
        repo = open_repo(self.mirror)
        return repo, repo[self.commit_sha].peel(pygit2.Tree)

    def _entry(self, path: str, base: str, what: str) -> Entry:
        repo, root = self._root()
        return resolve(repo, root, path, base, what=what)

    def _missing(self, path: str, entry: Entry, what: str) -> PathError:
        return PathError(f"{what} '{path}' does not exist in {self.repo} at commit {self.commit_sha[:12]}"
                         f" (resolved to '{entry.path}'); check the path and the target revision", path=path)

    async def resolve_path(self, path: str, base: str = "", *, what: str = "path") -> str:
        """The repository-relative path `path` (relative to `base`) leads to, symlinks followed; must exist."""
        entry = await asyncio.to_thread(self._entry, path, base, what)
        if entry.obj is None:
            raise self._missing(path, entry, what)
        return entry.path

    async def exists(self, path: str, base: str = "", *, what: str = "path") -> bool:
        """Whether `path` exists. An escaping path still raises `PathError` (it is never merely missing)."""
        entry = await asyncio.to_thread(self._entry, path, base, what)
        return entry.obj is not None

    async def is_dir(self, path: str, base: str = "", *, what: str = "path") -> bool:
        entry = await asyncio.to_thread(self._entry, path, base, what)
        return entry.is_dir

    async def read_bytes(self, path: str, base: str = "", *, what: str = "file") -> bytes:
        """The content of the file `path` at this commit (symlinks inside the repository followed)."""
        def read() -> bytes:
            entry = self._entry(path, base, what)
            if entry.obj is None:
                raise self._missing(path, entry, what)
            if not entry.is_file:
                raise PathError(f"{what} '{path}' in {self.repo} is a directory, not a file", path=path)
            return bytes(entry.obj.read_raw())
        return await asyncio.to_thread(read)

    async def read_text(self, path: str, base: str = "", *, what: str = "file") -> str:
        return (await self.read_bytes(path, base, what=what)).decode("utf-8")

    async def list_files(self, path: str = "", *, recursive: bool = True, what: str = "path") -> list[str]:
        """Repository-relative paths of the files under directory `path`, sorted.

        A symlink is listed under its own name when it leads to a file inside the repository; one
        that leads outside raises `PathError` naming it; symlinked directories are not descended.
        """
        def listing() -> list[str]:
            repo, root = self._root()
            entry = resolve(repo, root, path, what=what)
            if entry.obj is None:
                raise self._missing(path, entry, what)
            if not entry.is_dir:
                raise PathError(f"{what} '{path}' in {self.repo} is a file, not a directory", path=path)
            tree = entry.obj
            assert isinstance(tree, pygit2.Tree)
            prefix = f"{entry.path}/" if entry.path else ""
            items = walk(tree, prefix) if recursive else ((f"{prefix}{o.name}", o) for o in tree)
            files = []
            for name, obj in items:
                if obj.filemode == FileMode.LINK:
                    target = resolve(repo, root, name, what="symlink")
                    if target.is_file:
                        files.append(name)
                elif obj.type == ObjectType.BLOB:
                    files.append(name)
            return sorted(files)
        return await asyncio.to_thread(listing)

    async def materialize(self, path: str = "", *, what: str = "path") -> Path:
        """A read-only directory holding `path` at this commit (inside the whole materialized commit).

        Raises `PathError` when `path` escapes or is not a directory, or when a symlink under it
        leads outside the repository (those are never written to disk).
        """
        resolved = await self.resolve_path(path, what=what)
        if not await self.is_dir(resolved):
            raise PathError(f"{what} '{path}' in {self.repo} is a file, not a directory", path=path)
        dest, refused = await self.trees.ensure(self.mirror, self.commit_sha)
        inside = [r for r in refused if not resolved or r == resolved or r.startswith(resolved + "/")]
        if inside:
            raise PathError(
                f"symlink '{inside[0]}' in {self.repo} at commit {self.commit_sha[:12]} points outside the "
                "repository; replace it by the file, or make it relative and inside the repository", path=inside[0])
        return dest / resolved if resolved else dest
