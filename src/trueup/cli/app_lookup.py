"""Which Application `trueup app …` means: trueup's (`trueup.dev/v1alpha1`) or Argo CD's
(`argoproj.io/v1alpha1`, when the cluster serves that CRD).

    doc = await find(client, "trueup", "web", api=None)     # either API; AppCliError if in both
    items, apis = await list_apps(client, "trueup", api=None)
    res_of(doc)                                             # where to patch/watch/delete it

- A NAME is looked up in both APIs (one GET each; a CRD the cluster does not serve reads as "not
  there"). Found in both: refused, naming both and `--api trueup.dev|argoproj.io`; found in none:
  "not found". `--api` looks in that API only.
- `list` reads both (an unserved one is skipped); `apis` says which were served, so the caller
  shows the API column only when argoproj.io is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from trueup.kube import ApiError, Client, Res

Obj = dict[str, Any]

# the same addresses as trueup.controller's; not imported so `trueup app` stays light
APPLICATIONS = Res("trueup.dev", "v1alpha1", "applications", "Application")
ARGO_APPLICATIONS = Res("argoproj.io", "v1alpha1", "applications", "Application")
APIS = {"trueup.dev": APPLICATIONS, "argoproj.io": ARGO_APPLICATIONS}


class AppCliError(Exception):
    """A refusal or a problem the user can act on; printed as one line, exit 2."""


def api_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--api", type=click.Choice(list(APIS)), default=None,
                        help="Only this API's Applications (needed when a name exists in both trueup.dev and "
                             "argoproj.io).")(f)


def api_of(doc: Obj) -> str:
    return str(doc.get("apiVersion") or APPLICATIONS.api_version).split("/", 1)[0]


def res_of(doc: Obj) -> Res:
    return APIS.get(api_of(doc), APPLICATIONS)


def _apis(api: str | None) -> list[str]:
    return [api] if api else list(APIS)


async def find(client: Client, namespace: str, name: str, api: str | None) -> Obj:
    found: list[Obj] = []
    for group in _apis(api):
        doc = await client.get(APIS[group], namespace, name)  # None too when the CRD is not served
        if doc is not None:
            found.append(doc)
    if len(found) > 1:
        raise AppCliError(f"application {name!r} exists in namespace {namespace!r} as both a trueup.dev and an "
                          "argoproj.io Application; choose one with --api trueup.dev or --api argoproj.io")
    if not found:
        where = f" ({api})" if api else ""
        raise AppCliError(f"application {name!r} not found in namespace {namespace!r}{where}")
    return found[0]


async def list_apps(client: Client, namespace: str, api: str | None) -> tuple[list[Obj], list[str]]:
    """Every Application in `namespace` of the served APIs (sorted by name, then API) and those APIs."""
    items: list[Obj] = []
    served: list[str] = []
    for group in _apis(api):
        try:
            found = (await client.list(APIS[group], namespace))[0]
        except ApiError as exc:
            if exc.not_found:
                continue
            raise
        served.append(group)
        items += [{"apiVersion": APIS[group].api_version, "kind": "Application", **doc} for doc in found]
    if not served:
        hint = " (has `trueup up` run against it?)" if api != "argoproj.io" else ""
        raise AppCliError(f"the cluster does not serve {APIS[api or 'trueup.dev'].plural}."
                          f"{api or 'trueup.dev'}{hint}")
    return sorted(items, key=lambda d: (str(d["metadata"]["name"]), api_of(d))), served


__all__ = ["APIS", "APPLICATIONS", "ARGO_APPLICATIONS", "AppCliError", "api_of", "api_option", "find", "list_apps",
           "res_of"]
