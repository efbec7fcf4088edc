"""Golden defaulting fixtures: testdata/defaults/<case>.in.yaml -> <case>.out.yaml.

Each expected file is what kube-apiserver 1.37 would store and return for the input (see
docs/DEFAULTS.md); defaulting twice must change nothing.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from trueup.localcluster.admission import apply_defaults

DATA = Path(__file__).parent / "testdata" / "defaults"
CASES = sorted(p.name[: -len(".in.yaml")] for p in DATA.glob("*.in.yaml"))


def _load(path: Path) -> dict[str, Any]:
    with path.open() as fh:
        obj = yaml.safe_load(fh)
    assert isinstance(obj, dict)
    return obj


def test_every_case_has_an_expected_file() -> None:
    assert len(CASES) >= 30
    for case in CASES:
        assert (DATA / f"{case}.out.yaml").exists(), case


@pytest.mark.parametrize("case", CASES)
def test_defaults_match_golden(case: str) -> None:
    obj = _load(DATA / f"{case}.in.yaml")
    apply_defaults(obj["apiVersion"], obj["kind"], obj)
    assert obj == _load(DATA / f"{case}.out.yaml")


@pytest.mark.parametrize("case", CASES)
def test_defaulting_is_idempotent(case: str) -> None:
    expected = _load(DATA / f"{case}.out.yaml")
    again = copy.deepcopy(expected)
    apply_defaults(again["apiVersion"], again["kind"], again)
    assert again == expected
