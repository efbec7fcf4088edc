"""Confinement: every path a render reads stays inside the repository root.

`confine()` resolves a repository-relative path (following symlinks) and refuses anything
that lands outside `root`: `..` escapes, absolute paths and symlinks leading out.
`check_tree()` does the same for every symlink under a directory the renderer will read.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import RenderError


def _inside(root: Path, p: Path) -> bool:
    return p == root or root in p.parents


def confine(root: Path, base: Path, rel: str, *, what: str, renderer: str = "") -> Path:
    """Resolve `rel` (relative to `base`, itself inside `root`) and require it inside `root`."""
    if os.path.isabs(rel):
        raise RenderError(
            f"{what} {rel!r} is an absolute path; use a path relative to the repository", file=rel,
            renderer=renderer)
    candidate = base / rel
    resolved = candidate.resolve()
    if not _inside(root, resolved):
        shown = os.path.normpath(os.path.relpath(candidate, root))
        why = "is a symlink leading" if _inside(root, Path(os.path.normpath(candidate))) else "leads"
        raise RenderError(
            f"{what} {rel!r} {why} outside the repository; keep every file the app reads inside the repository",
            file=shown, renderer=renderer)
    return resolved


def check_tree(root: Path, directory: Path, *, renderer: str = "") -> None:
    """Refuse a directory that contains a symlink resolving outside `root`."""
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in (*dirnames, *filenames):
            p = Path(dirpath) / name
            if p.is_symlink() and not _inside(root, p.resolve()):
                rel = p.relative_to(root).as_posix() if _inside(root, p.parent.resolve()) else name
                raise RenderError(
                    "is a symlink leading outside the repository; replace it with the file itself",
                    file=rel, renderer=renderer)


def require_inside(root: Path, path: Path, shown: str, *, renderer: str = "") -> Path:
    """`path` (possibly a symlink) must resolve inside `root`; returns the resolved path."""
    resolved = path.resolve()
    if not _inside(root, resolved):
        raise RenderError(
            "is a symlink leading outside the repository; replace it with the file itself",
            file=shown, renderer=renderer)
    return resolved
