"""Objects the store tests write."""

from __future__ import annotations

from typing import Any


def cm(name: str, namespace: str = "default", **labels: str) -> dict[str, Any]:
    """A small ConfigMap-shaped object."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "data": {"k": name},
    }
