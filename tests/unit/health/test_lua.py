"""Argo CD Lua health scripts: layout, object conversion, overrides, errors and the sandbox."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from tests.unit.health.helpers import TESTDATA, load

from trueup.health import (
    HealthRegistry,
    HealthStatus,
    LuaHealthCheck,
    assess,
    check_file,
    load_lua_checks,
    registry_for,
)

LUA = TESTDATA / "lua"


def gadget(status: dict[str, Any] | None) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "example.com/v1", "kind": "Gadget",
                           "metadata": {"name": "g", "namespace": "x"}}
    if status is not None:
        obj["status"] = status
    return obj


@pytest.fixture(scope="module")
def registry() -> HealthRegistry:
    return registry_for(LUA)


def test_layout_group_kind_and_core_group_but_not_actions() -> None:
    assert set(load_lua_checks(LUA)) == {
        ("example.com", "Gadget"), ("example.com", "Broken"), ("example.com", "Spinner"),
        ("example.com", "Escape"), ("example.com", "Runtime"), ("apps", "Deployment"), ("", "ConfigMap"),
    }


@pytest.mark.parametrize(("status", "expected", "message"), [
    ({"state": "ok", "parts": [{"name": "gear"}, {"name": "spring"}, None]}, "Healthy",
     "gadget is ok with 2 parts, first gear"),
    ({"state": "broken", "reason": "spring snapped"}, "Degraded", "spring snapped"),
    ({"state": "assembling"}, "Progressing", "gadget is assembling"),
    ({"state": None}, "Progressing", "gadget is nil"),
    (None, "Progressing", "Waiting for the gadget controller"),
])
def test_script_status_by_field(registry: HealthRegistry, status: dict[str, Any] | None, expected: str,
                                message: str) -> None:
    result = assess(gadget(status), registry)
    assert result is not None and (result.status.value, result.message) == (expected, message)


def test_custom_script_overrides_builtin_and_nil_falls_back(registry: HealthRegistry) -> None:
    labelled = load("deployment-progressing-rollout.yaml")
    labelled["metadata"]["labels"] = {"custom": "yes"}
    custom = assess(labelled, registry)
    builtin = assess(load("deployment-progressing-rollout.yaml"), registry)
    assert custom is not None and (custom.status, custom.message) == (
        HealthStatus.SUSPENDED, "custom check: parked by the team")
    assert builtin is not None and builtin.status is HealthStatus.PROGRESSING
    assert builtin.message.startswith("Waiting for rollout to finish: 1 out of 3")


def test_core_group_script_gives_health_to_a_kind_without_one() -> None:
    result = check_file(TESTDATA / "configmap-none.yaml", checks_dir=LUA)
    assert result is not None and (result.status, result.message) == (
        HealthStatus.PROGRESSING, "config is not marked ready yet")


def test_syntax_error_is_unknown_naming_file_and_line(registry: HealthRegistry) -> None:
    result = assess({"apiVersion": "example.com/v1", "kind": "Broken", "metadata": {"name": "b"}}, registry)
    path = LUA / "example.com" / "Broken" / "health.lua"
    assert result is not None and result.status is HealthStatus.UNKNOWN
    assert f"{path}:3:" in result.message and "syntax error" in result.message


def test_runtime_error_is_unknown_naming_file_and_line(registry: HealthRegistry) -> None:
    result = assess({"apiVersion": "example.com/v1", "kind": "Runtime", "metadata": {"name": "r"},
                     "status": {}}, registry)
    path = LUA / "example.com" / "Runtime" / "health.lua"
    assert result is not None and result.status is HealthStatus.UNKNOWN
    assert f"{path}:3: attempt to index field 'replicas' (a nil value)" in result.message


def test_endless_loop_stops_with_a_clear_error(registry: HealthRegistry) -> None:
    started = time.monotonic()
    result = assess({"apiVersion": "example.com/v1", "kind": "Spinner", "metadata": {"name": "s"}}, registry)
    assert time.monotonic() - started < 5
    assert result is not None and result.status is HealthStatus.UNKNOWN
    assert "Spinner/health.lua" in result.message and "limit" in result.message


def test_time_limit_applies_even_inside_pcall() -> None:
    check = LuaHealthCheck("while true do pcall(function() while true do end end) end", "spin.lua",
                           timeout_seconds=0.2, max_instructions=10**15)
    started = time.monotonic()
    result = check({"kind": "X"})
    assert time.monotonic() - started < 3
    assert result is not None and result.status is HealthStatus.UNKNOWN and "time limit" in result.message


def test_os_execute_is_not_available(registry: HealthRegistry, tmp_path: Path) -> None:
    marker = tmp_path / "escaped"
    result = assess({"apiVersion": "example.com/v1", "kind": "Escape", "metadata": {"name": "e"},
                     "spec": {"marker": str(marker)}}, registry)
    assert not marker.exists()
    assert result is not None and result.status is HealthStatus.UNKNOWN
    assert "Escape/health.lua:2: attempt to call field 'execute' (a nil value)" in result.message


@pytest.mark.parametrize("source", [
    "return {status = type(io)}", "return {status = type(require)}", "return {status = type(loadstring)}",
    "return {status = type(load)}", "return {status = type(dofile)}", "return {status = type(debug)}",
    "return {status = type(python)}", "return {status = type(package)}", "return {status = type(string.dump)}",
])
def test_dangerous_globals_are_absent(source: str) -> None:
    result = LuaHealthCheck(source, "probe.lua")({"kind": "X"})
    assert result is not None and result.status is HealthStatus.UNKNOWN
    assert "returned status 'nil'" in result.message


def test_huge_string_allocation_is_refused() -> None:
    result = LuaHealthCheck("local s = ('x'):rep(2^31) return {status='Healthy'}", "rep.lua")({"kind": "X"})
    assert result is not None and result.status is HealthStatus.UNKNOWN and "string.rep" in result.message


def test_invalid_status_code_is_unknown() -> None:
    result = LuaHealthCheck("return {status = 'Fine'}", "bad.lua")({"kind": "X"})
    assert result is not None and result.status is HealthStatus.UNKNOWN
    assert "bad.lua" in result.message and "'Fine'" in result.message


def test_globals_do_not_leak_between_objects() -> None:
    check = LuaHealthCheck("seen = (seen or 0) + 1 return {status='Healthy', message=tostring(seen)}", "s.lua")
    first, second = check({"kind": "X"}), check({"kind": "X"})
    assert first is not None and second is not None and (first.message, second.message) == ("1", "1")
