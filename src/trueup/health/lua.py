"""Argo CD Lua health scripts, run sandboxed on LuaJIT (Lua 5.1 semantics) through lupa.

A script sees the live object as the global `obj` (a Lua table: JSON arrays become sequences
indexed from 1, nulls become nil) and returns a table `{status = "...", message = "..."}` with
an Argo CD health code; returning nil means "no opinion" (the built-in check then applies).

Sandbox: each script runs in its own environment holding only the safe parts of the standard
library (base functions without load*/dofile/require/getfenv/setfenv/getmetatable/collectgarbage,
copies of `string` without `dump`, `table`, `math`, and `os` reduced to time/clock/difftime). No
`io`, `debug`, `package`, `jit`, `coroutine` or Python bridge. JIT compilation is off so that an
instruction hook always runs: a script that exceeds its time or instruction budget stops with
an error, even inside `pcall`. `string.rep` is capped so a script cannot allocate gigabytes.
Errors (syntax, runtime, budget, a bad return value) become Unknown results whose message names
the script file and line.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import lupa.luajit21 as lupa

from .fields import Obj
from .status import HealthResult, HealthStatus

DEFAULT_TIMEOUT_SECONDS = 1.0
DEFAULT_MAX_INSTRUCTIONS = 50_000_000
_HOOK_EVERY = 1000
_MAX_STRING_REP = 10_000_000
# Lua truncates long chunk names in messages ("...h/to/health.lua:3:"): compile under a short
# name and put the full path back into the messages.
_CHUNK = "health.lua"
_AT_LINE = re.compile(rf"^{re.escape(_CHUNK)}:(\d+):\s*")

# Runs once per runtime, in the real global environment, before any user script; returns the
# function that runs a compiled script in a fresh sandboxed environment.
_SANDBOX = """
local budget_seconds, budget_instructions, hook_every, max_rep = ...
local real_pcall, real_xpcall, real_error, real_unpack = pcall, xpcall, error, unpack
local sethook, clock = debug.sethook, os.clock
local setfenv, tostring, type = setfenv, tostring, type
jit.off()
jit.flush()
local real_rep = string.rep
string.rep = function(s, n, ...)
  if type(n) == "number" and type(s) == "string" and #s * n > max_rep then
    real_error("string.rep: result longer than " .. max_rep .. " bytes", 2)
  end
  return real_rep(s, n, ...)
end
string.dump = nil
local state = {deadline = 0, count = 0, exceeded = nil}
local function hook()
  state.count = state.count + hook_every
  if state.exceeded == nil then
    if clock() > state.deadline then
      state.exceeded = "stopped after " .. budget_seconds .. " s (time limit): look for an endless loop"
    elseif state.count > budget_instructions then
      state.exceeded = "stopped after " .. budget_instructions
        .. " instructions (instruction limit): look for an endless loop"
    end
  end
  if state.exceeded ~= nil then real_error(state.exceeded, 0) end
end
local function guard(...)
  if state.exceeded ~= nil then real_error(state.exceeded, 0) end
  return ...
end
local function copy(t, drop)
  local out = {}
  for k, v in pairs(t) do if not (drop and drop[k]) then out[k] = v end end
  return out
end
local safe_string = copy(string, {dump = true})
local safe_table, safe_math = copy(table), copy(math)
local safe_os = {time = os.time, clock = os.clock, difftime = os.difftime}
local function environment(obj)
  local env = {
    assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, select = select,
    tonumber = tonumber, tostring = tostring, type = type, unpack = unpack, rawequal = rawequal,
    rawget = rawget, rawset = rawset, setmetatable = setmetatable, _VERSION = _VERSION,
    pcall = function(...) return guard(real_pcall(...)) end,
    xpcall = function(...) return guard(real_xpcall(...)) end,
    string = copy(safe_string), table = copy(safe_table), math = copy(safe_math), os = copy(safe_os),
    obj = obj,
  }
  env._G = env
  return env
end
return function(script, obj)
  setfenv(script, environment(obj))
  state.deadline = clock() + budget_seconds
  state.count = 0
  state.exceeded = nil
  sethook(hook, "", hook_every)
  local ok, result = real_pcall(script)
  sethook()
  if not ok then return false, tostring(result) end
  return true, result
end
"""


class LuaHealthCheck:
    """One `health.lua` script, compiled once, run in a sandbox for each object."""

    def __init__(self, source: str, path: str, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
                 max_instructions: int = DEFAULT_MAX_INSTRUCTIONS) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._runtime = lupa.LuaRuntime(register_eval=False, register_builtins=False)
        self._run = self._runtime.execute(_SANDBOX, timeout_seconds, max_instructions, _HOOK_EVERY, _MAX_STRING_REP)
        self._script: Any = None
        self.load_error = ""
        try:
            self._script = self._runtime.compile(source, name=f"@{_CHUNK}", mode="t")
        except lupa.LuaError as err:
            self.load_error = _first_line(str(err)).removeprefix("error loading code: ")
            if not _AT_LINE.match(self.load_error):
                self.load_error = f"{_CHUNK}:0: {self.load_error}"

    @classmethod
    def from_file(cls, path: Path, **limits: Any) -> LuaHealthCheck:
        return cls(path.read_text(encoding="utf-8"), str(path), **limits)

    def __call__(self, obj: Obj) -> HealthResult | None:
        if self._script is None:
            return self._unknown(_AT_LINE.sub(r"\g<0>syntax error: ", self.load_error, count=1))
        with self._lock:
            table = self._runtime.table_from(obj, recursive=True)
            ok, result = self._run(self._script, table)
            if not ok:
                return self._unknown(_first_line(str(result)))
            return self._result(result)

    def _result(self, returned: Any) -> HealthResult | None:
        if returned is None:
            return None
        if lupa.lua_type(returned) != "table":
            return self._unknown(f"the script returned a {lupa.lua_type(returned) or type(returned).__name__}, "
                                 "expected a table {status = ..., message = ...}")
        status, message = returned["status"], returned["message"]
        code = HealthStatus.parse(status)
        if code is None:
            allowed = ", ".join(c.value for c in HealthStatus)
            return self._unknown(f"the script returned status {status!r}; expected one of {allowed}")
        return HealthResult(code, "" if message is None else str(message))

    def _unknown(self, detail: str) -> HealthResult:
        """Unknown, with the message starting `<path>:<line>:` when Lua knows the line."""
        located = _AT_LINE.match(detail)
        if located:
            detail = f"{self.path}:{located.group(1)}: {detail[located.end():]}"
        else:
            detail = f"{self.path}: {detail}"
        return HealthResult(HealthStatus.UNKNOWN, f"Lua health check {detail}")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def load_lua_checks(root: Path, **limits: Any) -> dict[tuple[str, str], LuaHealthCheck]:
    """Scripts laid out as Argo CD's `resource_customizations/<group>/<kind>/health.lua`.

    Core-group kinds live in `<kind>/health.lua` directly under the root, or under a group
    directory named `_` or `core`. Deeper files (e.g. actions) are not health checks.
    """
    checks: dict[tuple[str, str], LuaHealthCheck] = {}
    for path in sorted(root.rglob("health.lua")):
        parts = path.relative_to(root).parts
        if len(parts) == 3:
            group = "" if parts[0] in ("_", "core") else parts[0]
            kind = parts[1]
        elif len(parts) == 2:
            group, kind = "", parts[0]
        else:
            continue
        checks[(group, kind)] = LuaHealthCheck.from_file(path, **limits)
    return checks
