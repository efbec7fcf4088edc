"""Canonical quantities, as kube-apiserver prints them back."""

from __future__ import annotations

import pytest

from trueup.localcluster.admission import QuantityError, canonical_quantity


@pytest.mark.parametrize(
    ("given", "printed"),
    [
        ("1024Mi", "1Gi"), ("0.5", "500m"), (0.5, "500m"), (1, "1"), ("1000", "1k"), ("1500m", "1500m"),
        ("2000m", "2"), ("1.5Gi", "1536Mi"), ("1.5Ki", "1536"), ("512Ki", "512Ki"), ("1e3", "1e3"),
        ("1.5e3", "1500"), ("129M", "129M"), ("128974848", "128974848"), ("0", "0"), ("-100m", "-100m"),
        ("0.0001", "100u"), ("1000M", "1G"), ("10240Mi", "10Gi"),
    ],
)
def test_canonical(given: str | float, printed: str) -> None:
    assert canonical_quantity(given) == printed


def test_resource_lists_round_up_to_milli() -> None:
    assert canonical_quantity("0.0001", milli_round_up=True) == "1m"
    assert canonical_quantity("1.0001", milli_round_up=True) == "1001m"


@pytest.mark.parametrize("bad", ["", "abc", "1Qi", "1.2.3"])
def test_invalid(bad: str) -> None:
    with pytest.raises(QuantityError):
        canonical_quantity(bad)
