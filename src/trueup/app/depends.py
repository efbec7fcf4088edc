"""Dependencies between Applications: an app does not sync until the apps it depends on are
Synced and Healthy (Flux's `dependsOn`; Argo CD has no such field).                    [pure]

Two spellings, merged (duplicates dropped, order kept):
- `spec.dependsOn: [{name, namespace?}]` on trueup.dev Applications;
- the annotation `trueup.dev/depends-on: "ns/name,name2"` on any Application (Argo CD's
  argoproj.io manifests included, whose schema has no such field).
A dependency without a namespace is in the dependent app's own namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEPENDS_ON_ANNOTATION = "trueup.dev/depends-on"


class DependencyError(ValueError):
    """A malformed `spec.dependsOn` or depends-on annotation; the message names the field."""


@dataclass(frozen=True)
class Dependency:
    name: str
    namespace: str = ""

    def resolved(self, default_namespace: str) -> Dependency:
        """The same dependency with its namespace filled in."""
        return Dependency(self.name, self.namespace or default_namespace)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


def _from_spec(value: Any) -> list[Dependency]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DependencyError("spec.dependsOn must be a list of {name, namespace}")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            name, namespace = item.get("name"), item.get("namespace") or ""
        else:
            name, namespace = None, ""
        if not isinstance(name, str) or not name or not isinstance(namespace, str):
            raise DependencyError(f"spec.dependsOn[{i}] must be {{name: <app>, namespace?: <namespace>}}, "
                                  f"not {item!r}")
        out.append(Dependency(name, namespace))
    return out


def _from_annotation(value: Any) -> list[Dependency]:
    if value is None:
        return []
    out = []
    for part in str(value).split(","):
        part = part.strip()
        if not part:
            continue
        namespace, _, name = part.rpartition("/")
        if not name or "/" in namespace:
            raise DependencyError(f"metadata.annotations[{DEPENDS_ON_ANNOTATION}]: {part!r} is not "
                                  "'name' or 'namespace/name'")
        out.append(Dependency(name, namespace))
    return out


def dependencies(doc: dict[str, Any]) -> list[Dependency]:
    """The apps `doc` depends on, as written (namespace empty when not given)."""
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    annotations = (doc.get("metadata") or {}).get("annotations") or {}
    out: list[Dependency] = []
    for dep in [*_from_spec((spec or {}).get("dependsOn")), *_from_annotation(annotations.get(DEPENDS_ON_ANNOTATION))]:
        if dep not in out:
            out.append(dep)
    return out


__all__ = ["DEPENDS_ON_ANNOTATION", "Dependency", "DependencyError", "dependencies"]
