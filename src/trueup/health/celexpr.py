"""Flux-style CEL health checks (`healthCheckExprs`), evaluated with the `cel` package.

An entry names `apiVersion` and `kind` (matched by group and kind, as Flux does) and CEL
expressions over the object's top-level fields (`metadata`, `spec`, `status`, ...): `current`
(required), `inProgress` and `failed` (optional). Evaluation follows Flux (RFC 0009): an object
whose `status.observedGeneration` differs from `metadata.generation` is in progress; then
inProgress → Progressing, failed → Degraded, current → Healthy, the first true one wins; none
true → Progressing. An expression that cannot be evaluated (e.g. it reads a field the object does
not have yet) also leaves the object Progressing, with the error in the message, as Flux waits
in that case. Expressions are compiled at load time: a syntax error raises `HealthCheckError`
naming the file, the entry and the expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import HealthCheckError
from .fields import Obj, get
from .status import HealthResult, HealthStatus

_FIELDS = (("inProgress", HealthStatus.PROGRESSING), ("failed", HealthStatus.DEGRADED),
           ("current", HealthStatus.HEALTHY))


@dataclass(frozen=True)
class _Compiled:
    field: str
    source: str
    program: Any
    status: HealthStatus


class CelHealthCheck:
    """The CEL expressions for one (group, kind)."""

    def __init__(self, api_version: str, kind: str, exprs: Mapping[str, str], where: str = "healthCheckExprs") -> None:
        self.api_version, self.kind, self.where = api_version, kind, where
        if not exprs.get("current"):
            raise HealthCheckError(
                f"{where} ({api_version} {kind}): the expression current is required; add e.g. "
                "current: \"status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')\"")
        self._programs: list[_Compiled] = []
        for field, status in _FIELDS:
            source = exprs.get(field)
            if not source:
                continue
            if not isinstance(source, str):
                raise HealthCheckError(f"{where} ({api_version} {kind}): {field} must be a string CEL expression")
            import cel  # here, not at import time: it loads a CLI stack (~0.2 s) most runs never need

            try:
                program = cel.compile(source)
            except Exception as err:
                raise HealthCheckError(
                    f"{where} ({api_version} {kind}): the {field} expression `{source}` does not compile: "
                    f"{str(err).splitlines()[0]}; fix the expression") from err
            self._programs.append(_Compiled(field, source, program, status))

    def __call__(self, obj: Obj) -> HealthResult:
        observed, generation = get(obj, "status", "observedGeneration"), get(obj, "metadata", "generation")
        if observed is not None and generation is not None and observed != generation:
            return HealthResult(
                HealthStatus.PROGRESSING,
                f"Waiting for the controller to observe generation {generation} "
                f"(status.observedGeneration is {observed})")
        context = {key: value for key, value in obj.items() if isinstance(key, str)}
        for compiled in self._programs:
            try:
                value = compiled.program.execute(context)
            except Exception as err:
                return HealthResult(
                    HealthStatus.PROGRESSING,
                    f"{self.where}: the {compiled.field} expression `{compiled.source}` could not be evaluated "
                    f"yet ({type(err).__name__}: {err}); guard optional fields with has()")
            if not isinstance(value, bool):
                return HealthResult(
                    HealthStatus.UNKNOWN,
                    f"{self.where}: the {compiled.field} expression `{compiled.source}` returned "
                    f"{type(value).__name__}, expected a bool")
            if value:
                return HealthResult(compiled.status, f"{compiled.field} expression matched: {compiled.source}")
        return HealthResult(HealthStatus.PROGRESSING, "Waiting for the current expression to be true")
