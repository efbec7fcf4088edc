"""Read an Application manifest from a file (`trueup diff APP.yaml`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..app import AppError, Application, parse_application


def load_application_file(path: str | Path) -> Application:
    p = Path(path)
    try:
        docs = [d for d in yaml.safe_load_all(p.read_text()) if d]
    except OSError as exc:
        raise AppError(f"{p}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise AppError(f"{p}: not valid YAML: {' '.join(str(exc).split())}") from None
    apps = [d for d in docs if isinstance(d, dict) and d.get("kind") == "Application"]
    if len(apps) != 1:
        raise AppError(f"{p}: expected exactly one Application, found {len(apps)}")
    app = parse_application(apps[0], source=str(p))
    for source in app.sources:
        repo = str(source.get("repoURL", ""))
        # A relative local path is relative to the Application file, as a user reads it.
        if repo and "://" not in repo and not repo.startswith(("git@", "/")) and ":" not in repo.split("/")[0] \
                and not source.get("chart"):
            source["repoURL"] = str((p.parent / repo).resolve())
    return app
