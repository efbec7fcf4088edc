"""Writing a commit's tree to disk once, read-only, for renderers that need real files.

`<root>/trees/<commit sha>` holds the whole tree of the commit (kustomize overlays reach
`../base`, so a subdirectory alone would not do). It is written into a temporary directory,
made read-only (files 0444/0555, directories 0555) and renamed into place, so a reader never
sees a half-written tree and the directory, once there, is reused by every app at that commit.
Symlinks are written only when they resolve inside the repository (followed through every
link in the chain); the others are left out and reported, so a renderer gets a `PathError`
naming them instead of reading outside the repository. Blocking: runs in a worker thread.
"""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pygit2
from pygit2.enums import FileMode, ObjectType

from .errors import PathError
from .paths import resolve

_READ_ONLY_FILE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
_READ_ONLY_DIR = _READ_ONLY_FILE | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


def walk(tree: pygit2.Tree, prefix: str = "") -> Iterator[tuple[str, pygit2.Object]]:
    """Every entry below `tree` (depth first), with its repository-relative path."""
    for entry in tree:
        path = f"{prefix}{entry.name}"
        yield path, entry
        if entry.type == ObjectType.TREE:
            assert isinstance(entry, pygit2.Tree)
            yield from walk(entry, path + "/")


def escaping_symlinks(repo: pygit2.Repository, root: pygit2.Tree) -> list[str]:
    """Paths of the symlinks in the tree that lead outside it (absolute, `..` past the root, or a loop)."""
    refused = []
    for path, obj in walk(root):
        if obj.filemode == FileMode.LINK:
            try:
                resolve(repo, root, path, strict=False)
            except PathError:
                refused.append(path)
    return refused


def write_tree(repo: pygit2.Repository, root: pygit2.Tree, dest: Path) -> list[str]:
    """Write the tree to `dest` (which must not exist) atomically; returns the symlinks left out."""
    tmp = dest.parent / f".tmp-{dest.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    refused = escaping_symlinks(repo, root)
    skip = set(refused)
    dirs = [tmp]
    try:
        for path, obj in walk(root):
            target = tmp / path
            if obj.type == ObjectType.TREE:
                target.mkdir()
                dirs.append(target)
            elif obj.filemode == FileMode.LINK:
                if path not in skip:
                    os.symlink(bytes(obj.read_raw()), target)
            elif obj.filemode == FileMode.COMMIT:
                target.mkdir()  # a submodule: an empty directory, as git checks it out uninitialized
                dirs.append(target)
            else:
                target.write_bytes(obj.read_raw())
                os.chmod(target, _READ_ONLY_DIR if obj.filemode == FileMode.BLOB_EXECUTABLE else _READ_ONLY_FILE)
        for directory in reversed(dirs):
            os.chmod(directory, _READ_ONLY_DIR)
        try:
            os.rename(tmp, dest)
        except OSError:
            if not dest.is_dir():
                raise
            remove_tree(tmp)  # another process wrote the same commit first
    except BaseException:
        remove_tree(tmp)
        raise
    return refused


def remove_tree(path: Path) -> None:
    """Delete a (read-only) materialized tree."""
    if not path.exists():
        return
    for directory, _, _ in os.walk(path):
        os.chmod(directory, stat.S_IRWXU)
    shutil.rmtree(path, ignore_errors=True)
