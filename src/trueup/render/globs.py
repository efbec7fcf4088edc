"""Argo CD's `directory.include`/`exclude` glob syntax, compiled to regular expressions.

Patterns match the file path relative to the app directory (with `/`). As in Argo CD (gobwas
glob without separators) `*` also matches `/`, so `*.yaml` selects YAML files at any depth;
`?` is one character, `[a-z]`/`[!a-z]` a class, `{a.yaml,b/*.json}` alternatives (nestable).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .errors import RenderError


def _translate(pattern: str, i: int, in_braces: bool) -> tuple[str, int]:
    out: list[str] = []
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
            while i + 1 < len(pattern) and pattern[i + 1] == "*":
                i += 1
        elif c == "?":
            out.append(".")
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                raise ValueError("unclosed '['")
            body = pattern[i + 1:end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end
        elif c == "{":
            alternatives: list[str] = []
            i += 1
            while True:
                alt, i = _translate(pattern, i, True)
                alternatives.append(alt)
                if i >= len(pattern):
                    raise ValueError("unclosed '{'")
                if pattern[i] == "}":
                    break
                i += 1  # ','
            out.append("(?:" + "|".join(alternatives) + ")")
        elif in_braces and c in ",}":
            return "".join(out), i
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out), i


@lru_cache(maxsize=256)
def compile_glob(pattern: str, option: str = "directory.include") -> re.Pattern[str]:
    try:
        regex, _ = _translate(pattern, 0, False)
    except ValueError as exc:
        raise RenderError(f"invalid glob {pattern!r}: {exc}; fix spec.source.{option}",
                          file=f"spec.source.{option}", renderer="directory") from None
    return re.compile(regex + r"\Z", re.DOTALL)


def glob_match(pattern: str, rel_path: str, option: str = "directory.include") -> bool:
    return compile_glob(pattern, option).match(rel_path) is not None
