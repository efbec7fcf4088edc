"""The `applications.trueup.dev` CustomResourceDefinition trueup ships (crd.yaml beside this file)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def application_crd() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("crd.yaml").read_text()
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc
