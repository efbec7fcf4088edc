"""Test helper: build real Git repositories with pygit2 (commits from dicts, branches, tags, symlinks)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pygit2
from pygit2.enums import FileMode, ObjectType

SIG = pygit2.Signature("Test", "test@example.com", 1_700_000_000, 0)


@dataclass(frozen=True)
class Link:
    """A symlink entry whose target is `target` (as written, relative or absolute)."""

    target: str


@dataclass(frozen=True)
class Executable:
    """A file with the executable bit (mode 100755)."""

    content: str


Files = dict[str, "str | bytes | Link | Executable"]


class GitRepo:
    """A bare origin repository at `path` whose default branch is `main`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.repo = pygit2.init_repository(str(path), bare=True, initial_head="main")

    @property
    def url(self) -> str:
        return str(self.path)

    def _tree(self, files: Files) -> pygit2.Oid:
        nested: dict[str, object] = {}
        for path, content in files.items():
            parts = path.split("/")
            node = nested
            for part in parts[:-1]:
                node = node.setdefault(part, {})  # type: ignore[assignment]
            node[parts[-1]] = content
        return self._write(nested)

    def _write(self, node: dict[str, object]) -> pygit2.Oid:
        builder = self.repo.TreeBuilder()
        for name, value in sorted(node.items()):
            if isinstance(value, dict):
                builder.insert(name, self._write(value), FileMode.TREE)
            elif isinstance(value, Executable):
                builder.insert(name, self.repo.create_blob(value.content.encode()), FileMode.BLOB_EXECUTABLE)
            elif isinstance(value, Link):
                builder.insert(name, self.repo.create_blob(value.target.encode()), FileMode.LINK)
            else:
                data = value.encode() if isinstance(value, str) else value
                assert isinstance(data, bytes)
                builder.insert(name, self.repo.create_blob(data), FileMode.BLOB)
        return builder.write()

    def commit(self, files: Files, branch: str = "main", message: str = "change") -> str:
        ref = f"refs/heads/{branch}"
        parents = [self.repo.references[ref].target] if ref in self.repo.references else []
        oid = self.repo.create_commit(ref, SIG, SIG, message, self._tree(files), parents)
        return str(oid)

    def branch(self, name: str, sha: str) -> None:
        self.repo.references.create(f"refs/heads/{name}", pygit2.Oid(hex=sha), force=True)

    def delete_branch(self, name: str) -> None:
        self.repo.references.delete(f"refs/heads/{name}")

    def tag(self, name: str, sha: str) -> None:
        """A lightweight tag."""
        self.repo.references.create(f"refs/tags/{name}", pygit2.Oid(hex=sha), force=True)

    def annotated_tag(self, name: str, sha: str, message: str = "release") -> str:
        return str(self.repo.create_tag(name, pygit2.Oid(hex=sha), ObjectType.COMMIT, SIG, message))
