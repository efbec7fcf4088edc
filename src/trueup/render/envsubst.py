"""Argo CD's build environment: `$ARGOCD_APP_NAME`, `${ARGOCD_APP_NAMESPACE}`, … in options.

Substituted in Helm parameters and value file names, Jsonnet extVars/TLAs and Kustomize
options, as Argo CD does. Only names present in the environment are replaced; any other `$…`
is left untouched (a `$` inside a password stays a `$`).
"""

from __future__ import annotations

import re

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def build_env(app_name: str, namespace: str, env: dict[str, str] | None) -> dict[str, str]:
    base = {"ARGOCD_APP_NAME": app_name, "ARGOCD_APP_NAMESPACE": namespace}
    base.update(env or {})
    return base


def envsubst(text: str, env: dict[str, str]) -> str:
    if "$" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        return env.get(name, m.group(0))

    return _VAR.sub(repl, text)
