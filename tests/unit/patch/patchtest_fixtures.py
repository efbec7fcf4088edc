"""Table-driven fixtures for the patch tests: YAML files of {name, original, patch, expected|error}.

Imported as `tests.unit.patch.patchtest_fixtures`. A case's `schema` names the kind whose
built-in schema guides a strategic merge patch (`apps/v1/Deployment`, `v1/Pod`) or `any`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from trueup.localcluster.errors import APIError
from trueup.localcluster.schema import ANY, SchemaNode, builtin_schemas

TESTDATA = Path(__file__).parent / "testdata"


def cases(*files: str) -> list[Any]:
    """pytest params, one per case of the named fixture files, with the case name as id."""
    out: list[Any] = []
    for file in files:
        for case in yaml.safe_load((TESTDATA / file).read_text()):
            out.append(pytest.param(case, id=f"{file.removesuffix('.yaml')}: {case['name']}"))
    return out


def schema_for(name: str) -> SchemaNode:
    if name == "any":
        return ANY
    api_version, _, kind = name.rpartition("/")
    node = builtin_schemas().for_kind(api_version, kind)
    assert node is not None, f"no built-in schema for {name}"
    return node


def check_case(case: dict[str, Any], apply: Callable[[Any, Any], dict[str, Any]]) -> None:
    """Run one case: the result equals `expected`, or the APIError matches `error`."""
    if "error" not in case:
        assert apply(case["original"], case["patch"]) == case["expected"]
        return
    want = case["error"]
    with pytest.raises(APIError) as caught:
        apply(case["original"], case["patch"])
    err = caught.value
    assert (err.code, err.reason) == (want["code"], want["reason"]), err
    if "message" in want:
        assert err.message == want["message"]
    if "message_startswith" in want:
        assert err.message.startswith(want["message_startswith"]), err.message


def directive_keys(value: Any) -> list[str]:
    """Every `$`-prefixed key anywhere in a value (directives that leaked into a result)."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k.startswith("$"):
                found.append(k)
            found += directive_keys(v)
    elif isinstance(value, list):
        for v in value:
            found += directive_keys(v)
    return found
