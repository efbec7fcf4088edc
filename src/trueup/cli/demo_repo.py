"""The demo's Git repository: the three-tier example copied into a fresh local repo (pygit2).

The example's Applications carry the placeholder repoURL `PLACEHOLDER_URL`; the copy has every
occurrence in its YAML files replaced by the repository's own absolute path (a local path is a
repoURL trueup reads like any other), then everything is committed on `main`. An existing demo
repository is reused as it is, with the commits the user made since.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PLACEHOLDER_URL = "https://git.example.com/acme/three-tier.git"
ROOT_FILE = "root.yaml"  # the root Application, registered by `trueup demo`
APPS_DIR = "apps"  # the root app's path: one Application per tier
BRANCH = "main"

Obj = dict[str, Any]


class DemoError(Exception):
    """Something the user can fix (a missing example, a data dir that is not a demo's)."""


@dataclass(frozen=True)
class DemoRepo:
    path: Path
    head: str  # the commit checked out on main
    created: bool  # False: an existing demo repository was reused
    root: Obj  # the root Application as committed (repoURL rewritten)
    children: tuple[str, ...]  # the names of the Applications in apps/, in sync-wave order


def find_example(explicit: Path | None) -> Path:
    """The example directory: `--example`, else examples/three-tier of the source checkout."""
    candidates = [explicit] if explicit is not None else [
        Path(__file__).resolve().parents[3] / "examples" / "three-tier",  # src/trueup/cli/ -> repo root
        Path.cwd() / "examples" / "three-tier",
    ]
    for path in candidates:
        if path is not None and (path / ROOT_FILE).is_file() and (path / APPS_DIR).is_dir():
            return path
    where = ", ".join(str(p) for p in candidates if p is not None)
    raise DemoError(f"the three-tier example was not found (looked in {where}): it needs {ROOT_FILE} and "
                    f"{APPS_DIR}/; run from a trueup checkout or pass --example DIR")


def prepare_repo(example: Path, path: Path) -> DemoRepo:
    """Copy `example` into a new repository at `path` (placeholder URL rewritten), or reuse the
    repository already there."""
    import pygit2

    created = False
    if (path / ".git").exists():
        repo = pygit2.Repository(str(path))
        if repo.head_is_unborn:
            raise DemoError(f"{path} is a Git repository without commits: remove it to start a fresh demo")
    else:
        if path.exists() and any(path.iterdir()):
            raise DemoError(f"{path} exists and is not a Git repository: remove it or choose another --data-dir")
        shutil.copytree(example, path, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".git", "__pycache__", "*.pyc"))
        _rewrite_placeholder(path, str(path.resolve()))
        repo = pygit2.init_repository(str(path), initial_head=BRANCH)
        repo.index.add_all()
        repo.index.write()
        sig = pygit2.Signature("trueup demo", "demo@trueup.invalid")
        repo.create_commit(f"refs/heads/{BRANCH}", sig, sig,
                           "three-tier example, copied by `trueup demo`\n", repo.index.write_tree(), [])
        created = True
    root = _load(path / ROOT_FILE)
    children = tuple(name for _, name in sorted(_wave_and_name(_load(f), f.stem)
                                                for f in (path / APPS_DIR).glob("*.y*ml")))
    return DemoRepo(path, str(repo.head.target), created, root, children)


def _rewrite_placeholder(tree: Path, url: str) -> None:
    for f in sorted(tree.rglob("*")):
        if f.suffix in (".yaml", ".yml") and f.is_file():
            text = f.read_text()
            if PLACEHOLDER_URL in text:
                f.write_text(text.replace(PLACEHOLDER_URL, url))


def _wave_and_name(app: Obj, default: str) -> tuple[int, str]:
    meta = app.get("metadata") or {}
    wave = str((meta.get("annotations") or {}).get("argocd.argoproj.io/sync-wave", "0"))
    return (int(wave) if wave.lstrip("-").isdigit() else 0), str(meta.get("name") or default)


def _load(path: Path) -> Obj:
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DemoError(f"{path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("kind") != "Application":
        raise DemoError(f"{path}: expected one Application")
    return doc
