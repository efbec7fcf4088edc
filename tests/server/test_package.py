"""The packages' shape: exports, docstrings, small modules, no embedded-cluster imports."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import trueup.metrics
import trueup.server


@pytest.mark.parametrize("package", [trueup.server, trueup.metrics], ids=["server", "metrics"])
def test_package_shape(package: ModuleType) -> None:
    directory = Path(package.__file__ or "").parent
    modules = {m.name for m in pkgutil.iter_modules([str(directory)])}
    public = {n for n in vars(package) if not n.startswith("_")} - modules - {"annotations"}
    assert set(package.__all__) == public
    for name in modules:
        module = importlib.import_module(f"{package.__name__}.{name}")
        assert (module.__doc__ or "").strip(), name
        source = (directory / f"{name}.py").read_text()
        assert source.count("\n") < 300, name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n.startswith("trueup.localcluster") for n in names), name
