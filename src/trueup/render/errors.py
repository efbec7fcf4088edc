"""RenderError: the one exception every renderer raises.

A render either returns a `RenderResult` (possibly with zero manifests, which is a real
"this path renders nothing") or raises `RenderError`. Callers must never treat an error as an
empty result: pruning on an empty result is only allowed with `allowEmpty`, and a `RenderError`
must stop a sync before any write or prune.

The message names the file (relative to the repository root), the line when known, the
resource or option at fault, and what to do next. It never contains values of Secrets.
"""

from __future__ import annotations


class RenderError(Exception):
    """A directory could not be rendered into manifests.

    `file` is the path inside the repository (or the option, e.g. `spec.source.helm.valueFiles`)
    at fault, `line` its 1-based line when known (0 otherwise), `renderer` the renderer that
    failed (`directory`, `kustomize`, `helm`, `jsonnet`).
    """

    def __init__(self, message: str, *, file: str = "", line: int = 0, renderer: str = "") -> None:
        self.message = message
        self.file = file
        self.line = line
        self.renderer = renderer
        super().__init__(self.__str__())

    @property
    def location(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message
