"""`trueup app …`: operations on Application objects, through the Kubernetes API only.

    trueup app list     [-o wide|json|yaml] [--api trueup.dev|argoproj.io]
    trueup app get      NAME [-o json|yaml]
    trueup app history  NAME [-o json|yaml]
    trueup app diff     NAME [-o json]                     exit 0 in sync, 1 out of sync, 2 error
    trueup app sync     NAME [--revision R] [--prune] [--wait] [--timeout S]
    trueup app wait     NAME [--sync] [--health] [--revision REV] [--timeout S]
                                                           exit 0 done, 1 timed out, 2 error
    trueup app rollback NAME ID [--disable-auto-sync] [--prune] [--wait]
    trueup app refresh  NAME [--hard] [--wait] [--timeout S]
    trueup app delete   NAME [--cascade/--no-cascade]

Nothing here talks to the controller: a sync or rollback sets `operation.sync` on the Application
(the controller runs it and clears it), a refresh sets the `argocd.argoproj.io/refresh` annotation,
and `wait` watches the object's status. The controller removes the refresh annotation once it
wrote the comparison that refresh asked for, so `wait` is not done while it is still set:
`trueup app refresh NAME && trueup app wait NAME` never returns on the status from before.
Common options: --kubeconfig, --context, -n/--namespace (default `trueup`), --api. Errors print one line on
stderr and exit 2.

Argo CD's Applications (`argoproj.io/v1alpha1`) are covered too when the cluster serves their CRD
(see app_lookup): `list` shows both with an API column, a NAME is found in either, and a name in
both needs `--api`. Without that CRD, every verb behaves and prints as it did before.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click
import yaml

from trueup.kube import ApiError, Client, ConfigError, load_config

from . import eventloop
from .app_lookup import APPLICATIONS, AppCliError, api_of, api_option, find, list_apps, res_of
from .app_revision import RevisionError, Wanted, wanted_revision

T = TypeVar("T")
Obj = dict[str, Any]

FIELD_MANAGER = "trueup-cli"
REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
CASCADE_FINALIZER = "resources-finalizer.argocd.argoproj.io"
TRACKING_ANNOTATION = "trueup.dev/tracking-id"  # on an app a parent app created: "<parent>:<group>/<kind>:…"


@dataclass
class Target:
    kubeconfig: str | None
    context: str | None
    namespace: str
    api: str | None = None  # --api: only that API's Applications


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    f = api_option(f)
    f = click.option("-n", "--namespace", default="trueup", show_default=True,
                     help="Namespace of the Application objects.")(f)
    f = click.option("--context", default=None, help="Kubeconfig context.")(f)
    f = click.option("--kubeconfig", envvar="KUBECONFIG", default=None, help="Kubeconfig (default: $KUBECONFIG).")(f)
    return f


def _run(t: Target, body: Callable[[Client], Awaitable[T]]) -> T:
    async def go() -> T:
        client = Client.from_config(load_config(t.kubeconfig, t.context), user_agent="trueup")
        try:
            return await body(client)
        finally:
            await client.close()

    try:
        return eventloop.run(go())
    except BrokenPipeError:  # stdout closed early (`| head`): click exits 1 quietly
        raise
    except (AppCliError, ApiError, ConfigError, RevisionError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


async def _get(client: Client, t: Target, name: str) -> Obj:
    """The Application `name`, trueup's or Argo CD's (`t.api`: that API's only)."""
    return await find(client, t.namespace, name, t.api)


def _pin(t: Target, doc: Obj) -> Target:
    """`t` looking only in `doc`'s API (later reads of the same app)."""
    return Target(t.kubeconfig, t.context, t.namespace, api_of(doc))


# ----- reading status
def _status(doc: Obj) -> Obj:
    return dict(doc.get("status") or {})


def _sync_status(doc: Obj) -> str:
    return str((_status(doc).get("sync") or {}).get("status") or "Unknown")


def _health(doc: Obj) -> str:
    return str((_status(doc).get("health") or {}).get("status") or "Unknown")


def _revision(doc: Obj) -> str:
    return str((_status(doc).get("sync") or {}).get("revision") or "")


def _op_phase(doc: Obj) -> str:
    return str((_status(doc).get("operationState") or {}).get("phase") or "")


def _source(doc: Obj) -> Obj:
    spec = doc.get("spec") or {}
    src: Any = spec.get("source") or next(iter(spec.get("sources") or []), {})
    return dict(src or {})


def _refresh_pending(doc: Obj) -> str:
    """The refresh asked for and not yet processed by the controller ("" if none)."""
    return str(((doc.get("metadata") or {}).get("annotations") or {}).get(REFRESH_ANNOTATION) or "")


def _operation_label(doc: Obj) -> str:
    """The OPERATION column: Syncing while a sync runs (or is requested), else the last one's phase."""
    phase = _op_phase(doc)
    return "Syncing" if phase == "Running" or doc.get("operation") else phase or "-"


def _busy(doc: Obj) -> str | None:
    """Why a new operation must not start now, or None."""
    if doc.get("operation"):
        return "an operation is already requested and not yet finished"
    if _op_phase(doc) == "Running":
        return "an operation is running"
    return None


def _one_line(doc: Obj) -> str:
    op = _op_phase(doc)
    return (f"sync {_sync_status(doc)} at {_revision(doc)[:8] or '-'}, health {_health(doc)}"
            + (f", operation {op}" if op else ""))


def _table(rows: list[list[str]]) -> None:
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _dump(data: Any, output: str) -> None:
    if output == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(yaml.safe_dump(data, sort_keys=False), nl=False)


# ----- waiting (a watch on the Application)
def _condition(sync: bool, health: bool, revision: Wanted | None = None) -> Callable[[Obj], bool]:
    def done(doc: Obj) -> bool:
        if _refresh_pending(doc):  # the status is from before the refresh that was asked for
            return False
        if revision is not None and not revision.matches(doc):
            return False
        if sync and (_sync_status(doc) != "Synced" or _busy(doc)):
            return False
        return not (health and _health(doc) != "Healthy")
    return done


def _operation_done(doc: Obj) -> bool:
    return not doc.get("operation") and _op_phase(doc) != "Running"


async def _wait(client: Client, t: Target, name: str, done: Callable[[Obj], bool],
                limit_s: float) -> tuple[bool, Obj]:
    """Watch the Application until `done(doc)`; (False, last seen) after `limit_s` seconds."""
    deadline = time.monotonic() + limit_s
    doc = await _get(client, t, name)
    t = _pin(t, doc)
    while True:
        if done(doc):
            return True, doc
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False, doc
        rv = str((doc.get("metadata") or {}).get("resourceVersion") or "")
        try:
            async with asyncio.timeout(remaining):
                async for etype, obj in client.watch(res_of(doc), t.namespace, resource_version=rv,
                                                     timeout_seconds=int(remaining) + 1):
                    if etype == "BOOKMARK" or (obj.get("metadata") or {}).get("name") != name:
                        continue
                    if etype == "DELETED":
                        raise AppCliError(f"application {name!r} was deleted while waiting")
                    doc = obj
                    if done(doc):
                        return True, doc
        except TimeoutError:
            return False, doc
        except ApiError as exc:
            if not exc.gone:
                raise
        doc = await _get(client, t, name)  # the watch ended or expired: read again, then resume


def _report_wait(name: str, ok: bool, doc: Obj, timeout: float) -> None:
    if ok:
        click.echo(f"{name}: {_one_line(doc)}")
        return
    click.echo(f"timed out after {timeout:g}s waiting for {name}: {_one_line(doc)}", err=True)
    sys.exit(1)


# ----- operations
def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


async def _request_sync(client: Client, t: Target, doc: Obj, revision: str | None, prune: bool,
                        extra: Obj | None = None) -> None:
    name = str(doc["metadata"]["name"])
    why = _busy(doc)
    if why:
        raise AppCliError(f"application {name!r}: {why}; wait for it (trueup app wait {name}) and try again")
    sync: Obj = {"prune": prune}
    if revision:
        sync["revision"] = revision
    patch: Obj = {"metadata": {"resourceVersion": doc["metadata"]["resourceVersion"]},
                  "operation": {"sync": sync, "initiatedBy": {"username": _user()}}, **(extra or {})}
    try:
        await client.patch(res_of(doc), t.namespace, name, patch, field_manager=FIELD_MANAGER)
    except ApiError as exc:
        if exc.conflict:
            raise AppCliError(f"application {name!r} changed meanwhile; try again") from None
        raise


async def _finish(client: Client, t: Target, name: str, wait: bool, limit_s: float) -> None:
    if not wait:
        click.echo(f"{name}: sync requested; the controller runs it (trueup app wait {name})")
        return
    ok, doc = await _wait(client, t, name, _operation_done, limit_s)
    if not ok:
        _report_wait(name, ok, doc, limit_s)
    op = _status(doc).get("operationState") or {}
    click.echo(f"{name}: operation {op.get('phase', '?')}: {op.get('message', '')}")
    if op.get("phase") != "Succeeded":
        sys.exit(1)


# ----- commands
@click.group("app")
def app_group() -> None:
    """Operate Applications through the Kubernetes API (the controller executes the operations)."""


@app_group.command("list")
@_common
@click.option("-o", "--output", type=click.Choice(["table", "wide", "json", "yaml"]), default="table")
def list_cmd(kubeconfig: str | None, context: str | None, namespace: str, api: str | None, output: str) -> None:
    """List Applications with their sync and health status and their operation (Syncing while a sync
    runs, else how the last one ended). Argo CD's too when the cluster serves their CRD: then an API
    column (trueup.dev / argoproj.io), and -o json|yaml is a `v1 List` whose items keep their apiVersion."""
    t = Target(kubeconfig, context, namespace, api)
    items, served = _run(t, lambda c: list_apps(c, namespace, api))
    both = "argoproj.io" in served
    if output in ("json", "yaml"):
        listed = {"apiVersion": "v1", "kind": "List"} if both else {"apiVersion": APPLICATIONS.api_version,
                                                                    "kind": "ApplicationList"}
        _dump({**listed, "items": items}, output)
        return
    head = ["NAME", *(["API"] if both else []), "SYNC", "HEALTH", "REVISION"] \
        + (["REPO", "PATH"] if output == "wide" else []) + ["OPERATION"]
    rows = [head]
    for d in items:
        row = [str(d["metadata"]["name"]), *([api_of(d)] if both else []), _sync_status(d), _health(d),
               _revision(d)[:8] or "-"]
        if output == "wide":
            src = _source(d)
            row += [str(src.get("repoURL") or "-"), str(src.get("path") or src.get("chart") or "-")]
        rows.append([*row, _operation_label(d)])
    if not items:
        click.echo(f"no applications in namespace {namespace}", err=True)
        return
    _table(rows)


@app_group.command("get")
@_common
@click.argument("name")
@click.option("-o", "--output", type=click.Choice(["summary", "json", "yaml"]), default="summary")
def get_cmd(kubeconfig: str | None, context: str | None, namespace: str, api: str | None,
            name: str, output: str) -> None:
    """Show an Application: summary, conditions and resources (or the whole object)."""
    t = Target(kubeconfig, context, namespace, api)
    doc = _run(t, lambda c: _get(c, t, name))
    if output != "summary":
        _dump(doc, output)
        return
    spec, status, src = doc.get("spec") or {}, _status(doc), _source(doc)
    dest = spec.get("destination") or {}
    op = status.get("operationState") or {}
    auto = (spec.get("syncPolicy") or {}).get("automated")
    summary = [
        ("Name", f"{namespace}/{name}"),
        *([("API", api_of(doc))] if api_of(doc) != APPLICATIONS.group else []),
        ("Repo", str(src.get("repoURL", ""))),
        ("Path", str(src.get("path") or src.get("chart") or "")),
        ("Target", str(src.get("targetRevision") or "HEAD")),
        ("Destination", f"{dest.get('server') or dest.get('name') or ''} {dest.get('namespace') or ''}".strip()),
        ("Sync Policy", "Automated" + (f" {json.dumps(auto)}" if auto else "") if auto is not None else "Manual"),
        ("Sync Status", f"{_sync_status(doc)} ({_revision(doc)[:8] or '-'})"),
        ("Health Status", _health(doc)),
    ]
    if op:
        label = "Syncing" if op.get("phase") == "Running" else str(op.get("phase", ""))
        since = f" (started {op['startedAt']})" if op.get("phase") == "Running" and op.get("startedAt") else ""
        summary.append(("Operation", f"{label}{since}: {op.get('message', '')}"))
    for label, value in summary:
        click.echo(f"{label + ':':<15}{value}")
    conditions = status.get("conditions") or []
    if conditions:
        click.echo("\nCONDITIONS:")
        _table([["TYPE", "MESSAGE"]] + [[str(c.get("type", "")), str(c.get("message", ""))] for c in conditions])
    resources = status.get("resources") or []
    if resources:
        click.echo("")
        _table([["GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "MESSAGE"]] + [
            [str(r.get("group") or ""), str(r.get("kind", "")), str(r.get("namespace") or ""), str(r.get("name", "")),
             str(r.get("status", "")) + (" (prune)" if r.get("requiresPruning") else ""),
             str((r.get("health") or {}).get("status", "")), str((r.get("health") or {}).get("message", ""))]
            for r in resources])


@app_group.command("history")
@_common
@click.argument("name")
@click.option("-o", "--output", type=click.Choice(["table", "json", "yaml"]), default="table")
def history_cmd(kubeconfig: str | None, context: str | None, namespace: str, api: str | None,
                name: str, output: str) -> None:
    """Deployments of an Application (the ids `trueup app rollback` takes)."""
    t = Target(kubeconfig, context, namespace, api)
    history = list(_status(_run(t, lambda c: _get(c, t, name))).get("history") or [])
    if output != "table":
        _dump(history, output)
        return
    if not history:
        click.echo(f"{name}: no deployments yet", err=True)
        return
    _table([["ID", "DATE", "REVISION", "INITIATOR"]] + [
        [str(h.get("id", "")), str(h.get("deployedAt", "")), str(h.get("revision", ""))[:12],
         str(h.get("initiator", ""))] for h in history])


@app_group.command("diff")
@_common
@click.argument("name")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
def diff_cmd(kubeconfig: str | None, context: str | None, namespace: str, api: str | None,
             name: str, output: str) -> None:
    """Resources the controller found out of sync. Exit 0 in sync, 1 out of sync, 2 error."""
    t = Target(kubeconfig, context, namespace, api)
    doc = _run(t, lambda c: _get(c, t, name))
    if _sync_status(doc) == "Unknown":
        why = [str(c.get("message")) for c in _status(doc).get("conditions") or []
               if str(c.get("type", "")).endswith("Error")]
        click.echo(f"error: {name}: sync status unknown" + (f": {why[0]}" if why else " (not compared yet)"), err=True)
        sys.exit(2)
    rows = [r for r in _status(doc).get("resources") or [] if r.get("status") == "OutOfSync"]
    if output == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        for r in rows:
            where = f"{r.get('namespace')}/" if r.get("namespace") else ""
            kind = f"{r.get('kind')}.{r.get('group')}" if r.get("group") else str(r.get("kind"))
            click.echo(f"{kind} {where}{r.get('name')}: OutOfSync"
                       + (" (not in Git; pruned by a sync with --prune)" if r.get("requiresPruning") else ""))
        if not rows:
            click.echo(f"{name}: in sync at {_revision(doc)[:8]}")
    sys.exit(1 if rows else 0)


@app_group.command("sync")
@_common
@click.argument("name")
@click.option("--revision", default=None, help="Sync this revision instead of the target revision.")
@click.option("--prune", is_flag=True, help="Delete resources no longer in Git.")
@click.option("--wait", is_flag=True, help="Wait for the operation to finish (exit 1 if it did not succeed).")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds, with --wait.")
def sync_cmd(kubeconfig: str | None, context: str | None, namespace: str, api: str | None,
             name: str, revision: str | None,
             prune: bool, wait: bool, timeout: float) -> None:
    """Ask the controller to sync an Application (sets `operation.sync`)."""
    t = Target(kubeconfig, context, namespace, api)

    async def go(client: Client) -> None:
        doc = await _get(client, t, name)
        await _request_sync(client, t, doc, revision, prune)
        await _finish(client, _pin(t, doc), name, wait, timeout)

    _run(t, go)


@app_group.command("wait")
@_common
@click.argument("name")
@click.option("--sync", "want_sync", is_flag=True, help="Wait until Synced with no operation pending.")
@click.option("--health", "want_health", is_flag=True, help="Wait until Healthy.")
@click.option("--revision", default=None, metavar="SHA|BRANCH|TAG",
              help="Also wait until status.sync.revision is this commit: a SHA (a short one is resolved), or a "
                   "branch or tag resolved once, now, in the app's Git repository.")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds.")
def wait_cmd(kubeconfig: str | None, context: str | None, namespace: str, api: str | None,
             name: str, want_sync: bool,
             want_health: bool, revision: str | None, timeout: float) -> None:
    """Wait for an Application (both conditions when neither --sync nor --health is given).

    Never done while a refresh requested with `trueup app refresh` is not yet processed (the
    argocd.argoproj.io/refresh annotation is still set): in CI, `trueup app refresh NAME --hard`
    then `trueup app wait NAME` waits for the comparison with the new commit. To wait for a
    particular commit, whenever it is pushed: `trueup app wait NAME --revision $GIT_SHA`
    (synced and healthy at that commit; with --sync alone, synced). A branch, tag or short SHA
    is resolved through the CLI's Git cache ($TRUEUP_CACHE_DIR) with the credentials of
    $TRUEUP_REPO_CREDS.

    Exit 0 when they hold, 1 on timeout (the last status is printed), 2 on error."""
    t = Target(kubeconfig, context, namespace, api)
    if not want_sync and not want_health:
        want_sync = want_health = True

    async def go(client: Client) -> tuple[bool, Obj]:
        wanted = None
        doc = await _get(client, t, name)
        if revision is not None:
            wanted = await wanted_revision(doc, revision)
            click.echo(f"{name}: waiting for revision {wanted.describe()}", err=True)
        return await _wait(client, _pin(t, doc), name, _condition(want_sync, want_health, wanted), timeout)

    ok, doc = _run(t, go)
    _report_wait(name, ok, doc, timeout)


async def _refuse_if_parent_heals(client: Client, t: Target, doc: Obj) -> None:
    """An app created by a parent app (app of apps) whose self-heal is on gets its automated sync
    back from the parent's Git within seconds, and the rollback is undone: refuse, saying what to do."""
    name = str(doc["metadata"]["name"])
    tracking = str(((doc.get("metadata") or {}).get("annotations") or {}).get(TRACKING_ANNOTATION, ""))
    parent_name = tracking.split(":", 1)[0] if ":" in tracking else ""
    if not parent_name or parent_name == name:
        return
    res = res_of(doc)
    parent = await client.get(res, t.namespace, parent_name)
    automated = (((parent or {}).get("spec") or {}).get("syncPolicy") or {}).get("automated") or {}
    if automated.get("selfHeal"):
        raise AppCliError(
            f"application {name!r} is managed by application {parent_name!r} (app of apps), whose self-heal would "
            f"restore {name}'s automated sync and undo the rollback; disable automated sync on {parent_name!r} "
            f"first: kubectl patch {res.plural}.{res.group} {parent_name} -n {t.namespace} --type merge "
            """-p '{"spec":{"syncPolicy":{"automated":null}}}'""")


@app_group.command("rollback")
@_common
@click.argument("name")
@click.argument("history_id", type=int)
@click.option("--disable-auto-sync", is_flag=True, help="Remove spec.syncPolicy.automated first (else refused).")
@click.option("--prune", is_flag=True, help="Delete resources not in that revision.")
@click.option("--wait", is_flag=True, help="Wait for the operation to finish (exit 1 if it did not succeed).")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds, with --wait.")
def rollback_cmd(kubeconfig: str | None, context: str | None, namespace: str, api: str | None,
                 name: str, history_id: int,
                 disable_auto_sync: bool, prune: bool, wait: bool, timeout: float) -> None:
    """Sync an Application to the revision of history entry HISTORY_ID (see `trueup app history`)."""
    t = Target(kubeconfig, context, namespace, api)

    async def go(client: Client) -> None:
        doc = await _get(client, t, name)
        history = _status(doc).get("history") or []
        entry = next((h for h in history if h.get("id") == history_id), None)
        if entry is None:
            ids = ", ".join(str(h.get("id")) for h in history) or "none"
            raise AppCliError(f"application {name!r} has no history id {history_id} (ids: {ids})")
        extra: Obj = {}
        if (doc.get("spec") or {}).get("syncPolicy", {}).get("automated") is not None:
            if not disable_auto_sync:
                raise AppCliError(f"application {name!r} has automated sync enabled, which would undo the "
                                  "rollback; pass --disable-auto-sync to remove it first")
            await _refuse_if_parent_heals(client, t, doc)
            extra = {"spec": {"syncPolicy": {"automated": None}}}
        await _request_sync(client, t, doc, str(entry["revision"]), prune, extra)
        if extra:
            click.echo(f"{name}: automated sync disabled")
        click.echo(f"{name}: rolling back to history id {history_id} ({str(entry['revision'])[:8]})")
        await _finish(client, _pin(t, doc), name, wait, timeout)

    _run(t, go)


@app_group.command("refresh")
@_common
@click.argument("name")
@click.option("--hard", is_flag=True, help="Ask for a hard refresh (annotation value `hard`): fetch Git now.")
@click.option("--wait", is_flag=True, help="Wait until the controller processed the refresh (the annotation is "
                                           "removed) and print the status it wrote.")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds, with --wait.")
def refresh_cmd(kubeconfig: str | None, context: str | None, namespace: str, api: str | None,
                name: str, hard: bool, wait: bool,
                timeout: float) -> None:
    """Ask the controller to compare with Git again now (sets the argocd.argoproj.io/refresh annotation;
    the controller removes it once the comparison is written, so it can be set again).

    `trueup app wait` is not done while the refresh is pending, so `refresh` then `wait` is
    race-free. With --wait: exit 0 once processed, 1 on timeout."""
    t = Target(kubeconfig, context, namespace, api)
    value = "hard" if hard else "normal"

    async def go(client: Client) -> tuple[bool, Obj] | None:
        doc = await _get(client, t, name)
        res = res_of(doc)
        if REFRESH_ANNOTATION in ((doc.get("metadata") or {}).get("annotations") or {}):
            # still set from an earlier refresh: remove it so setting it again is a change
            await client.patch(res, namespace, name, {"metadata": {"annotations": {REFRESH_ANNOTATION: None}}},
                               field_manager=FIELD_MANAGER)
        await client.patch(res, namespace, name, {"metadata": {"annotations": {REFRESH_ANNOTATION: value}}},
                           field_manager=FIELD_MANAGER)
        if not wait:
            return None
        return await _wait(client, _pin(t, doc), name, lambda d: not _refresh_pending(d), timeout)

    waited = _run(t, go)
    click.echo(f"{name}: {value} refresh requested")
    if waited is not None:
        _report_wait(name, *waited, timeout)


@app_group.command("delete")
@_common
@click.argument("name")
@click.option("--cascade/--no-cascade", default=True, show_default=True,
              help="Cascade: add the resources-finalizer.argocd.argoproj.io finalizer so the controller deletes "
                   "the app's resources before the Application goes (the controller must honour that finalizer, "
                   "or the Application stays Terminating). No cascade: remove it; the resources stay.")
def delete_cmd(kubeconfig: str | None, context: str | None, namespace: str, api: str | None,
               name: str, cascade: bool) -> None:
    """Delete an Application."""
    t = Target(kubeconfig, context, namespace, api)

    async def go(client: Client) -> None:
        doc = await _get(client, t, name)
        meta = doc.get("metadata") or {}
        finalizers = [str(f) for f in meta.get("finalizers") or []]
        wanted = ([*finalizers, CASCADE_FINALIZER] if CASCADE_FINALIZER not in finalizers else finalizers) \
            if cascade else [f for f in finalizers if f != CASCADE_FINALIZER]
        if wanted != finalizers:
            await client.patch(res_of(doc), namespace, name, {"metadata": {
                "finalizers": wanted, "resourceVersion": meta.get("resourceVersion")}}, field_manager=FIELD_MANAGER)
        await client.delete(res_of(doc), namespace, name)

    _run(t, go)
    click.echo(f"{name}: deleted" + (" (its resources are deleted by the controller)" if cascade else
                                     " (its resources stay)"))
