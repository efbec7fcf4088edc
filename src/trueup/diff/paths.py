"""Field paths: one step per map key or list item, printed as a JSON pointer and in human form.

A map step is the key (a str). A list step is a `ListStep`: the item's index on each side and,
for list-map fields (containers by name, ports by port+protocol, …), the item's key fields,
so the human form reads `.spec.template.spec.containers[name="web"].image` whatever the order.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ListStep", "Path", "Step", "human_path", "json_pointer", "parse_pointer"]


@dataclass(frozen=True)
class ListStep:
    before: int | None  # index in the live list (None: the item exists only in desired)
    after: int | None  # index in the desired list
    key: tuple[tuple[str, Any], ...] = ()  # the list-map key fields, () for positional lists

    @property
    def index(self) -> int:
        index = self.after if self.after is not None else self.before
        assert index is not None
        return index

    def label(self) -> str:
        if not self.key:
            return f"[{self.index}]"
        return "[" + ",".join(f"{name}={json.dumps(value)}" for name, value in self.key) + "]"


Step = str | ListStep
Path = tuple[Step, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def human_path(path: Path) -> str:
    """`.spec.replicas`, `.metadata.labels["app.kubernetes.io/name"]`, `.spec.ports[port=80,protocol="TCP"]`."""
    if not path:
        return "."
    parts: list[str] = []
    for step in path:
        if isinstance(step, ListStep):
            parts.append(step.label())
        elif _PLAIN_KEY.match(step):
            parts.append("." + step)
        else:
            parts.append("[" + json.dumps(step) + "]")
    return "".join(parts)


def json_pointer(path: Path) -> str:
    """RFC 6901 pointer; list items by their index in desired (live when the item is only live)."""
    if not path:
        return ""
    return "".join(
        "/" + (str(step.index) if isinstance(step, ListStep) else step.replace("~", "~0").replace("/", "~1"))
        for step in path
    )


def parse_pointer(pointer: str) -> list[str]:
    """The reference tokens of a JSON pointer; ValueError when it is not one."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON pointer starts with '/' (got {pointer!r}), e.g. /spec/replicas")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]
