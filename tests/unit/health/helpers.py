"""Shared helpers for the health tests: where the fixture files live and how to load one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TESTDATA = Path(__file__).parent / "testdata"


def load(name: str) -> dict[str, Any]:
    """One fixture object from testdata/."""
    obj = yaml.safe_load((TESTDATA / name).read_text(encoding="utf-8"))
    assert isinstance(obj, dict)
    return obj
