"""Packages whose exports are imported on first use still export exactly what they name, whatever
was imported before (a submodule named like a function must not shadow it)."""

from __future__ import annotations

import subprocess
import sys

import pytest

LAZY_PACKAGES = ["trueup.app", "trueup.engine", "trueup.health", "trueup.kube", "trueup.source"]

CHECK = """
import importlib, pkgutil, sys, types
pkg = importlib.import_module(sys.argv[1])
for sub in pkgutil.iter_modules(pkg.__path__):  # every submodule first: the worst case for shadowing
    importlib.import_module(f"{pkg.__name__}.{sub.name}")
for name in pkg.__all__:
    value = getattr(pkg, name)
    assert not isinstance(value, types.ModuleType), f"{pkg.__name__}.{name} is a module"
    if isinstance(value, (type, types.FunctionType)):
        assert value.__name__ == name, (name, value)
print(len(pkg.__all__))
"""


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_export_resolves_to_what_it_names(package: str) -> None:
    done = subprocess.run([sys.executable, "-c", CHECK, package], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 3


def test_an_unknown_name_is_an_attribute_error() -> None:
    import trueup.source

    with pytest.raises(AttributeError, match=r"trueup\.source.*NoSuchThing"):
        _ = trueup.source.NoSuchThing  # type: ignore[attr-defined]
    from trueup.source import ChartCache
    from trueup.source.charts import ChartCache as Direct

    assert ChartCache is Direct
