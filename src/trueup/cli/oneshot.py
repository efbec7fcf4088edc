"""One-shot verbs on an Application file, against any cluster a kubeconfig reaches.

    trueup render APP.yaml                       manifests to stdout
    trueup diff   APP.yaml [-o text|json|markdown]    exit 0 no drift, 1 drift, 2 error
    trueup sync   APP.yaml [--dry-run] [--prune]      live progress of waves and resources
    trueup health APP.yaml [--checks-dir DIR]
Offline (no cluster):
    trueup diff --desired D.yaml --live L.yaml [--ignore RULES.yaml]
    trueup health --object LIVE.yaml [--checks-dir DIR]
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.globals import resolve_color_default

# The engine and what it brings (asyncio, pygit2, yaml, ...) are imported when a verb runs, not
# when click builds the command: `trueup sync --help` stays fast.
if TYPE_CHECKING:
    from trueup.app import Application
    from trueup.engine import CredentialSource, Desired, Engine
    from trueup.model import Manifest
    from trueup.sync.execute import ResourceResult

T = TypeVar("T")


def user_errors() -> tuple[type[Exception], ...]:
    """What a verb reports as one `error:` line (exit 2) rather than a traceback."""
    from trueup.app import AppError
    from trueup.diff import DiffError
    from trueup.engine import EngineError
    from trueup.health import HealthError
    from trueup.kube import ApiError, ConfigError
    from trueup.render import RenderError
    from trueup.source import SourceError
    from trueup.sync import PlanError

    return (AppError, SourceError, RenderError, EngineError, PlanError, ConfigError, DiffError, HealthError,
            ApiError, OSError)
_ACTION_COLOR = {"created": "green", "configured": "yellow", "unchanged": None, "pruned": "magenta",
                 "failed": "red", "hook-failed": "red", "hook-succeeded": "cyan", "skipped": None}


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("TRUEUP_CACHE_DIR") or Path(base) / "trueup")


def run_or_exit(make: Callable[[], Awaitable[T]]) -> T:
    from .eventloop import run

    return guard(lambda: run(make()))  # type: ignore[arg-type]


def guard(call: Callable[[], T]) -> T:
    """Run a verb; user errors print one clear line and exit 2 (scripts can tell them apart)."""
    try:
        return call()
    except user_errors() as exc:  # evaluated only when something was raised
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


async def _with_engine(app_file: Path, kubeconfig: str | None, context: str | None, checks_dir: str | None,
                       cache_dir: Path, body: Callable[[Engine, Application], Awaitable[T]]) -> T:
    from trueup.engine import Engine, load_application_file
    from trueup.kube import Client, load_config
    from trueup.source import RepoCache

    gc.freeze()  # a one-shot process: what the imports built is never garbage; collections skip it
    app = load_application_file(app_file)
    client = Client.from_config(load_config(kubeconfig, context), user_agent="trueup")
    try:
        engine = Engine(client, RepoCache(cache_dir / "git", min_fetch_interval=0), checks_dir,
                        credentials=_repo_credentials())
        return await body(engine, app)
    finally:
        await client.close()


async def _render_warming_up(engine: Engine, app: Application, connections: int = 16) -> Desired:
    """Render while the cluster connections open and discovery is read (nothing is written). A
    failed render is reported before anything about the cluster."""
    import asyncio

    warming = asyncio.ensure_future(engine.warm_up(connections))
    try:
        desired = await engine.render(app)
    except BaseException:
        warming.cancel()
        await asyncio.gather(warming, return_exceptions=True)
        raise
    await warming
    return desired


def _warn_unsupported(app: Application) -> None:
    for field in app.unsupported:
        click.echo(click.style(f"warning: {app.source_file}: {field} is not supported by trueup and is ignored",
                               fg="yellow"), err=True)


REPO_CREDS_ENV = "TRUEUP_REPO_CREDS"


def _remember_repo_creds(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    ctx.meta["trueup.repo_creds"] = value


def _repo_credentials() -> CredentialSource:
    """The `--repo-creds FILE` (or $TRUEUP_REPO_CREDS) store of the running command, if any."""
    ctx = click.get_current_context(silent=True)
    path = ctx.meta.get("trueup.repo_creds") if ctx is not None else None
    from trueup.engine import LocalCredentials, NoCredentials

    if not path:
        return NoCredentials()
    from trueup.source import load_local

    return LocalCredentials(load_local(path))


repo_creds_option = click.option(
    "--repo-creds", envvar=REPO_CREDS_ENV, default=None, expose_value=False, callback=_remember_repo_creds,
    type=click.Path(dir_okay=False), help="Git/Helm repository credentials: a YAML list of {url | urlPrefix, "
    "username, passwordFile | password, sshPrivateKeyFile, insecure} (default: $TRUEUP_REPO_CREDS); "
    "the files must not be readable by group or others.")

cluster_options = [
    repo_creds_option,
    click.option("--kubeconfig", envvar="KUBECONFIG", default=None, help="Kubeconfig (default: $KUBECONFIG)."),
    click.option("--context", default=None, help="Kubeconfig context."),
    click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
                 help="Where Git mirrors are kept (default: ~/.cache/trueup)."),
]


def with_cluster_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(cluster_options):
        f = option(f)
    return f


@click.command("render")
@click.argument("app_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None)
@repo_creds_option
def render_cmd(app_file: Path, output: str, cache_dir: Path | None) -> None:
    """Render an Application's manifests from Git (no cluster needed)."""

    import yaml

    from trueup.engine import Engine, load_application_file
    from trueup.kube import Client
    from trueup.source import RepoCache

    async def go() -> list[Manifest]:
        app = load_application_file(app_file)
        _warn_unsupported(app)
        engine = Engine(Client("http://127.0.0.1:1"), RepoCache((cache_dir or default_cache_dir()) / "git",
                                                                   min_fetch_interval=0),
                        credentials=_repo_credentials())
        return (await engine.render(app)).manifests

    manifests = run_or_exit(go)
    if output == "json":
        click.echo(json.dumps({"apiVersion": "v1", "kind": "List", "items": [m.obj for m in manifests]}, indent=2))
    else:
        click.echo(yaml.safe_dump_all([m.obj for m in manifests], sort_keys=False), nl=False)


@click.command("diff")
@click.argument("app_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--desired", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Offline: the object as in Git.")
@click.option("--live", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Offline: the object as dumped from a cluster.")
@click.option("--ignore", "ignore_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Offline: a YAML list of ignoreDifferences rules.")
@click.option("-o", "--output", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--color/--no-color", default=None, help="Colour the text diff (default: when a terminal).")
@with_cluster_options
def diff_cmd(app_file: Path | None, desired: Path | None, live: Path | None, ignore_file: Path | None, output: str,
             color: bool | None, kubeconfig: str | None, context: str | None, cache_dir: Path | None) -> None:
    """Show drift between Git and the cluster. Exit 0: none, 1: drift, 2: error."""
    import yaml

    from trueup.diff import DiffOptions, compare, parse_ignore_differences, render_json, render_markdown
    from trueup.diff import render_texts as render_diff_texts
    from trueup.model import Manifest

    use_color = sys.stdout.isatty() if color is None else color
    if app_file is None:
        if desired is None or live is None:
            raise click.UsageError("give APP_FILE, or both --desired and --live")

        def offline() -> list[Any]:
            rules: tuple[Any, ...] = ()
            if ignore_file is not None:
                rules = parse_ignore_differences(yaml.safe_load(ignore_file.read_text()) or [], source=str(ignore_file))
            d = yaml.safe_load(desired.read_text())
            lv = yaml.safe_load(live.read_text())
            return [compare(Manifest(d, source=str(desired)), None, lv, DiffOptions(ignore=rules))]

        diffs = guard(offline)
    else:
        async def body(engine: Engine, app: Application) -> list[Any]:
            _warn_unsupported(app)
            return await engine.diff(app, await _render_warming_up(engine, app))

        diffs = run_or_exit(lambda: _with_engine(app_file, kubeconfig, context, None,
                                                 cache_dir or default_cache_dir(), body))
    if output == "json":
        click.echo(render_json(diffs))
    elif output == "markdown":
        click.echo(render_markdown(diffs))
    else:
        text = render_diff_texts(diffs, color=use_color)
        if text:
            click.echo(text, nl=not text.endswith("\n"))
    sys.exit(0 if all(d.in_sync for d in diffs) else 1)


def _progress_printer(styled: bool) -> Callable[[ResourceResult], None]:
    """One line per resource on stderr; coloured only when click would keep the colours (a terminal)."""

    def progress(result: ResourceResult) -> None:
        color = _ACTION_COLOR.get(result.action) if styled else None
        action = click.style(f"{result.action:>14}", fg=color) if color else f"{result.action:>14}"
        where = f"{result.phase}/wave {result.wave}"
        message = f"  {result.message}" if result.message else ""
        line = f"{where:>16} {action} {result.key}{message}"
        if styled:
            click.echo(line, err=True)
        else:  # plain text (a pipe, a log): one write, not click's per-call stream checks
            sys.stderr.write(line + "\n")

    return progress


@click.command("sync")
@click.argument("app_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate every object with the API server; change nothing.")
@click.option("--prune", is_flag=True, help="Delete objects this app created that are no longer in Git.")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds to wait for each wave's health.")
@click.option("--wait", "wait", is_flag=True,
              help="Also wait for the last wave to be healthy (exit 1 if it is not within --timeout). "
                   "Without it, as in Argo CD, the sync ends once the last wave is applied.")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@with_cluster_options
def sync_cmd(app_file: Path, dry_run: bool, prune: bool, timeout: float, wait: bool, output: str,
             kubeconfig: str | None, context: str | None, cache_dir: Path | None) -> None:
    """Make the cluster match Git (server-side apply, waves, hooks). Exit 0: synced, 1: failed
    (or, with --wait, not healthy in time), 2: error."""

    color = resolve_color_default()
    progress = _progress_printer(sys.stderr.isatty() if color is None else color) if output == "text" else None

    async def body(engine: Engine, app: Application) -> Any:
        _warn_unsupported(app)
        desired = await _render_warming_up(engine, app)
        click.echo(f"syncing {app.name} to {desired.revision.commit_sha[:12]} ({desired.revision.ref_name or 'commit'})"
                   f"{' [dry run]' if dry_run else ''}", err=True)
        return await engine.sync(app, desired, prune=prune or app.sync_policy.prune, dry_run=dry_run,
                                 progress=progress, wave_timeout=timeout, wait_final=wait)

    result = run_or_exit(lambda: _with_engine(app_file, kubeconfig, context, None,
                                              cache_dir or default_cache_dir(), body))
    if output == "json":
        click.echo(json.dumps({"phase": result.phase, "message": result.message, "dryRun": result.dry_run,
                               **({"notHealthy": result.unhealthy} if result.unhealthy else {}),
                               "resources": [{"group": r.key.group, "kind": r.key.kind, "namespace": r.key.namespace,
                                              "name": r.key.name, "action": r.action, "message": r.message,
                                              "phase": r.phase, "wave": r.wave} for r in result.resources]},
                              indent=2))
    else:
        counts = ", ".join(f"{n} {a}" for a in ("created", "configured", "unchanged", "pruned", "skipped", "failed")
                           if (n := result.count(a)))
        style = ("yellow" if result.unhealthy else "green") if result.ok else "red"
        click.echo(click.style(f"{result.phase}: {result.message}", fg=style) + (f" ({counts})" if counts else ""))
    sys.exit(0 if result.ok and not result.unhealthy else 1)


@click.command("health")
@click.argument("app_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--object", "object_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Offline: one object dumped from a cluster.")
@click.option("--checks-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Custom checks: <group>/<kind>/health.lua scripts and CEL healthCheckExprs files.")
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@with_cluster_options
def health_cmd(app_file: Path | None, object_file: Path | None, checks_dir: str | None, output: str,
               kubeconfig: str | None, context: str | None, cache_dir: Path | None) -> None:
    """Health of an Application's resources (or of one object offline). Exit 0: Healthy, 1: not, 2: error."""
    from trueup.health import check_file

    if app_file is None:
        if object_file is None:
            raise click.UsageError("give APP_FILE or --object")

        result = guard(lambda: check_file(object_file, checks_dir))
        if result is None:
            click.echo(json.dumps({"status": None, "message": "no health check for this kind"}) if output == "json"
                       else "no health check for this kind")
            sys.exit(0)
        click.echo(json.dumps(result.to_dict()) if output == "json" else
                   f"{result.status}{': ' + result.message if result.message else ''}")
        sys.exit(0 if str(result.status) == "Healthy" else 1)

    async def body(engine: Engine, app: Application) -> Any:
        return await engine.health(app, await _render_warming_up(engine, app, connections=1))  # GETs in turn

    health = run_or_exit(lambda: _with_engine(app_file, kubeconfig, context, checks_dir,
                                              cache_dir or default_cache_dir(), body))
    if output == "json":
        click.echo(json.dumps({"status": str(health.status), "resources": [
            {"resource": str(k), "status": s, "message": m} for k, s, m in health.resources]}, indent=2))
    else:
        for key, status, message in health.resources:
            click.echo(f"{status or '-':>12}  {key}{'  ' + message if message else ''}")
        click.echo(f"app {health.status!s}")
    sys.exit(0 if str(health.status) == "Healthy" else 1)
