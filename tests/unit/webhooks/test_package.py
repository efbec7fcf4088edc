"""The package's shape: exports, registry, docstrings, pure imports, small modules."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import trueup.webhooks as webhooks
from trueup.webhooks import PROVIDERS, Provider

PACKAGE_DIR = Path(webhooks.__file__).parent


def test_all_is_exactly_the_public_names() -> None:
    public = {name for name in vars(webhooks) if not name.startswith("_")} - {
        m.name for m in pkgutil.iter_modules([str(PACKAGE_DIR)])} - {"annotations"}
    assert set(webhooks.__all__) == public
    assert webhooks.__all__ == sorted(webhooks.__all__, key=lambda n: (not n.isupper(), n))


def test_every_module_has_a_docstring_and_stays_small() -> None:
    for module in pkgutil.iter_modules([str(PACKAGE_DIR)]):
        loaded = importlib.import_module(f"trueup.webhooks.{module.name}")
        assert (loaded.__doc__ or "").strip(), module.name
        lines = (PACKAGE_DIR / f"{module.name}.py").read_text().count("\n")
        assert lines < 300, (module.name, lines)


def test_no_network_or_cluster_imports() -> None:
    forbidden = {"aiohttp", "httpx", "requests", "urllib.request", "socket", "sqlite3", "asyncio", "pygit2",
                 "trueup.kube", "trueup.localcluster", "trueup.engine"}
    for path in PACKAGE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not any(name == f or name.startswith(f + ".") for f in forbidden), (path.name, name)


def test_registry_entries_are_consistent() -> None:
    assert list(PROVIDERS) == ["generic", "gitea", "gogs", "github", "gitlab", "bitbucket", "bitbucket-server"]
    for name, provider in PROVIDERS.items():
        assert isinstance(provider, Provider)
        assert provider.name == name
        assert provider.push_events
        assert provider.detect_headers
    assert [p.name for p in PROVIDERS.values() if p.accepts_url_token] == ["bitbucket"]
