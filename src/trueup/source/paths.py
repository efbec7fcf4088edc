"""Path confinement: every path an app gives is resolved inside the repository tree, or refused.

Paths are repository-relative, `/`-separated (optionally relative to a base directory, as Helm
value files are relative to the chart). Resolution walks the commit's tree one component at a
time like a POSIX kernel would: `.` is skipped, `..` pops a component (popping past the root is
an escape), and a symlink is replaced by its target, read relative to the directory holding it.
An absolute path, an absolute symlink target, a `..` leaving the root, a symlink loop or a NUL
byte is a `PathError` naming the path (and the symlink). Blocking: runs in a worker thread.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import pygit2
from pygit2.enums import FileMode

from .errors import PathError

MAX_SYMLINKS = 40
_WHAT_TO_DO = "paths must stay inside the repository: use a relative path without '..' leaving the root"


@dataclass(frozen=True)
class Entry:
    """A resolved path: repository-relative (`""` is the root) and the object there (None: missing)."""

    path: str
    obj: pygit2.Object | None

    @property
    def is_dir(self) -> bool:
        return self.obj is not None and self.obj.type == pygit2.enums.ObjectType.TREE

    @property
    def is_file(self) -> bool:
        return self.obj is not None and self.obj.type == pygit2.enums.ObjectType.BLOB


def split(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def check_syntax(path: str, *, what: str = "path") -> None:
    if "\x00" in path:
        raise PathError(f"{what} '{path!r}' contains a NUL byte; {_WHAT_TO_DO}", path=path)
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":" and path[0].isalpha()):
        raise PathError(f"{what} '{path}' is absolute; {_WHAT_TO_DO}", path=path)


def _child(root: pygit2.Tree, parts: list[str]) -> pygit2.Object | None:
    if not parts:
        return root
    try:
        return root / "/".join(parts)
    except KeyError:
        return None


def resolve(repo: pygit2.Repository, root: pygit2.Tree, path: str, base: str = "", *,
            strict: bool = True, what: str = "path") -> Entry:
    """Resolve `path` (relative to `base`) inside `root`.

    With `strict`, a missing intermediate directory is reported as a missing final path (obj None);
    without it, missing components are taken literally (for checking where a dangling link points).
    """
    check_syntax(path, what=what)
    shown = f"{base.rstrip('/')}/{path}" if base else path
    pending = deque(split(base) + split(path))
    stack: list[str] = []
    hops = 0
    via = ""
    while pending:
        name = pending.popleft()
        if name == "..":
            if not stack:
                if via:
                    raise PathError(f"{what} '{shown}' goes through symlink '{via}' which points outside the "
                                    f"repository; {_WHAT_TO_DO} (replace the symlink by the file)", path=shown)
                raise PathError(f"{what} '{shown}' escapes the repository through '..'; {_WHAT_TO_DO}", path=shown)
            stack.pop()
            continue
        obj = _child(root, [*stack, name])
        if obj is None:
            if strict:
                return Entry("/".join([*stack, name, *pending]), None)
            stack.append(name)
            continue
        if obj.filemode == FileMode.LINK:
            hops += 1
            link_path = "/".join([*stack, name])
            if hops > MAX_SYMLINKS:
                raise PathError(f"{what} '{shown}' runs into a symlink loop at '{link_path}'; remove the loop",
                                path=shown)
            target = bytes(obj.read_raw()).decode("utf-8", "surrogateescape")
            if target.startswith("/") or "\x00" in target:
                raise PathError(f"{what} '{shown}': symlink '{link_path}' points to the absolute path "
                                f"'{target}' outside the repository; {_WHAT_TO_DO} (replace the symlink by the "
                                "file, or make it relative and inside the repository)", path=shown)
            via = link_path
            pending.extendleft(reversed(split(target)))
            continue
        if obj.type != pygit2.enums.ObjectType.TREE and pending and any(p != ".." for p in pending):
            return Entry("/".join([*stack, name, *pending]), None)
        stack.append(name)
    return Entry("/".join(stack), _child(root, stack))
