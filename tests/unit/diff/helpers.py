"""Fixture loading for the diff tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TESTDATA = Path(__file__).parent / "testdata"


def load(name: str) -> dict[str, Any]:
    obj = yaml.load((TESTDATA / name).read_text(), Loader=yaml.CSafeLoader)
    assert isinstance(obj, dict), name
    return obj


def scenario(name: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(desired, predicted, live) of a captured Deployment scenario."""
    desired = load("deployment-desired.yaml")
    return desired, load(f"deployment-{name}-predicted.yaml"), load(f"deployment-{name}-live.yaml")
