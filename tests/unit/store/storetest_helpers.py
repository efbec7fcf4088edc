"""Shared helpers for the store tests (imported by name: this directory is on sys.path)."""

from __future__ import annotations

from typing import Any


def cm(name: str, namespace: str = "default", **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "data": {"k": name},
    }
