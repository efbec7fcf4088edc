"""Git repositories the tests create (pygit2), committed file by file like a user would."""

from __future__ import annotations

from pathlib import Path

import pygit2


class GitRepo:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.repo = pygit2.init_repository(str(path), initial_head="main")
        self.sig = pygit2.Signature("Test", "test@example.com")

    def write(self, files: dict[str, str], message: str = "update") -> str:
        for rel, text in files.items():
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        index = self.repo.index
        index.add_all()
        index.write()
        tree = index.write_tree()
        parents = [] if self.repo.head_is_unborn else [self.repo.head.target]
        oid = self.repo.create_commit("refs/heads/main", self.sig, self.sig, message, tree, parents)
        return str(oid)
