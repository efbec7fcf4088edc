"""The offline entry point behind `trueup health --object LIVE.yaml [--checks-dir DIR]`.

`check_file` reads one object dumped from a cluster (`kubectl get -o yaml|json`; a List holding
exactly one item is accepted) and assesses it with the built-in checks, overridden by the
custom checks in `checks_dir`. It returns None when no check applies to the kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .assess import assess
from .errors import ObjectFileError
from .fields import Obj
from .load import registry_for
from .status import HealthResult


def read_object(path: str | Path) -> Obj:
    """The single Kubernetes object in a YAML or JSON file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise ObjectFileError(f"{file}: cannot read the object file ({err.strerror}); check the path") from err
    try:
        docs: list[Any] = [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]
    except yaml.YAMLError as err:
        raise ObjectFileError(f"{file}: not valid YAML or JSON ({err}); dump the object again with "
                              "kubectl get -o yaml") from err
    if len(docs) == 1 and isinstance(docs[0], dict) and str(docs[0].get("kind", "")).endswith("List") \
            and isinstance(docs[0].get("items"), list) and len(docs[0]["items"]) == 1:
        docs = docs[0]["items"]
    if len(docs) != 1:
        raise ObjectFileError(f"{file}: expected exactly one object, found {len(docs)}; "
                              "dump a single object (kubectl get KIND NAME -o yaml)")
    obj = docs[0]
    if not isinstance(obj, dict) or not isinstance(obj.get("apiVersion"), str) or not isinstance(obj.get("kind"), str):
        raise ObjectFileError(f"{file}: not a Kubernetes object (apiVersion and kind are required)")
    return obj


def check_file(path: str | Path, checks_dir: str | Path | None = None) -> HealthResult | None:
    """Health of the object in `path`; None when its kind has no health check."""
    return assess(read_object(path), registry_for(checks_dir))
