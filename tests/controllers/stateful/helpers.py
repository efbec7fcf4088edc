"""Polling helpers for the workload e2e tests: wait with a deadline, never a fixed sleep."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import RunningCluster, eventually

__all__ = ["apply", "events", "eventually", "pods"]


def apply(cluster: RunningCluster, ns: str, obj: dict[str, Any]) -> None:
    cluster.kubectl("apply", "-n", ns, "-f", "-", input=json.dumps(obj))


def pods(cluster: RunningCluster, ns: str, selector: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = cluster.get_json("pods", "-n", ns, "-l", selector)["items"]
    return items


def events(cluster: RunningCluster, ns: str, name: str) -> list[tuple[str, str]]:
    items = cluster.get_json("events", "-n", ns, "--field-selector", f"involvedObject.name={name}")["items"]
    return [(e["reason"], e["message"]) for e in items]
