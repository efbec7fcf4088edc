"""Unified text diff per resource: YAML of live vs desired, optionally colorized with ANSI.

Headers are `--- live <resource>` and `+++ desired <resource>`; removed lines are red, added
lines green, headers bold, hunk markers cyan. A Missing resource is all `+`, an Extra one all
`-`; a Synced resource renders as the empty string. Values are those of the `ResourceDiff`, so
Secret data are already masked.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import yaml

from .types import ResourceDiff

__all__ = ["render_text", "render_texts", "to_yaml"]

RED, GREEN, CYAN, BOLD, RESET = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[0m"

try:
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # PyYAML without libyaml
    _Dumper = yaml.SafeDumper


def to_yaml(obj: Any) -> str:
    """Block YAML with sorted keys (both sides print the same way, so only real changes differ)."""
    if obj is None:
        return ""
    text: str = yaml.dump(obj, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True,
                          width=1 << 20)
    return text


def _paint(line: str) -> str:
    if line.startswith(("---", "+++")):
        return f"{BOLD}{line}{RESET}"
    if line.startswith("@@"):
        return f"{CYAN}{line}{RESET}"
    if line.startswith("-"):
        return f"{RED}{line}{RESET}"
    if line.startswith("+"):
        return f"{GREEN}{line}{RESET}"
    return line


def render_text(diff: ResourceDiff, color: bool = False, context: int = 3) -> str:
    """The unified diff of one resource ('' when it is in sync), ending with a newline."""
    if diff.in_sync:
        return ""
    lines = difflib.unified_diff(
        to_yaml(diff.live).splitlines(), to_yaml(diff.target).splitlines(),
        fromfile=f"live {diff.key}", tofile=f"desired {diff.key}", lineterm="", n=context,
    )
    out = [_paint(line) if color else line for line in lines]
    return "\n".join(out) + "\n" if out else ""


def render_texts(diffs: Iterable[ResourceDiff], color: bool = False, context: int = 3) -> str:
    """The unified diffs of every resource that is not in sync, one after the other."""
    return "".join(render_text(diff, color=color, context=context) for diff in diffs)
