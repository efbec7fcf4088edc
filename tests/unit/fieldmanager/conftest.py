"""Shared fixtures: schemas and a Deployment manifest builder."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from trueup.localcluster.schema import SchemaNode, builtin_schemas


@pytest.fixture(scope="session")
def dep() -> SchemaNode:
    node = builtin_schemas().for_kind("apps/v1", "Deployment")
    assert node is not None
    return node


@pytest.fixture(scope="session")
def pod() -> SchemaNode:
    node = builtin_schemas().for_kind("v1", "Pod")
    assert node is not None
    return node


@pytest.fixture
def deployment() -> dict[str, Any]:
    return copy.deepcopy({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]},
            },
        },
    })
