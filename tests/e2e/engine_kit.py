"""Shared helpers for the engine end-to-end tests (`test_engine_*.py`).

- `Sandbox`: one test's Git repo, Application files and namespace, against the session cluster.
- `Sandbox.trueup(...)` runs the real `trueup` CLI in-process (click's runner: same parsing,
  output and exit codes as the binary, without a second of interpreter start-up per call);
  `Sandbox.trueup_process(...)` runs the installed binary when the process itself matters.
- `writes_since(...)`: the writes the API server saw, in its order (a watch from a
  resourceVersion replays the store's history; one global resourceVersion orders every kind).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from tests.conftest import RunningCluster
from tests.e2e.gitrepo import GitRepo
from trueup.cli.main import cli

TRUEUP = str(Path(sys.executable).parent / "trueup")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def out(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Sandbox:
    cluster: RunningCluster
    tmp: Path
    ns: str = field(default_factory=lambda: f"e-{uuid.uuid4().hex[:8]}")
    _repo: GitRepo | None = None

    @property
    def repo(self) -> GitRepo:
        if self._repo is None:
            self._repo = GitRepo(self.tmp / "repo")
        return self._repo

    def app(self, name: str = "", path: str = "app", *, source: dict[str, Any] | None = None,
            options: list[str] | None = None, ns: str | None = None, repo_url: str | None = None,
            revision: str = "main", spec: dict[str, Any] | None = None, **policy: Any) -> Path:
        """Write an Argo CD Application file for the test repo; returns its path. App names are global
        (tracking ids name the app): the app is called after the namespace, plus `-name` if given."""
        name = f"{self.ns}-{name}" if name else self.ns
        src: dict[str, Any] = {"repoURL": repo_url or str(self.repo.path), "targetRevision": revision,
                               "path": path, **(source or {})}
        sync_policy: dict[str, Any] = {"syncOptions": ["CreateNamespace=true", *(options or [])], **policy}
        doc = {
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": {"project": "default", "source": src,
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": ns or self.ns},
                     "syncPolicy": sync_policy, **(spec or {})},
        }
        out = self.tmp / f"{name}.yaml"
        out.write_text(yaml.safe_dump(doc, sort_keys=False))
        return out

    def _args(self, args: tuple[str, ...]) -> list[str]:
        verb = args[0]
        extra = ["--cache-dir", str(self.tmp / "cache")]
        if verb != "render":
            extra += ["--kubeconfig", str(self.cluster.kubeconfig)]
        return [*args, *extra]

    def trueup(self, *args: str) -> Run:
        result = CliRunner().invoke(cli, self._args(args), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    def trueup_process(self, *args: str) -> Run:
        proc = subprocess.run([TRUEUP, *self._args(args)], capture_output=True, text=True, timeout=120)
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def sync(self, app: Path, *args: str) -> Run:
        run = self.trueup("sync", str(app), *args)
        assert run.code == 0, run.out
        return run

    def assert_no_drift(self, app: Path) -> None:
        run = self.trueup("diff", str(app), "-o", "json")
        assert run.code == 0, run.out
        report = json.loads(run.stdout)
        assert report["summary"]["total"] == report["summary"]["Synced"], report

    def statuses(self, app: Path) -> dict[str, str]:
        """kind/name → sync status, from `trueup diff -o json`."""
        run = self.trueup("diff", str(app), "-o", "json")
        assert run.code in (0, 1), run.out
        return {f"{r['kind']}/{r['name']}": r["status"] for r in json.loads(run.stdout)["resources"]}

    def drift(self, app: Path) -> list[tuple[str, str, str, str | None]]:
        """(kind, name, path, manager) of every change `trueup diff -o json` reports."""
        run = self.trueup("diff", str(app), "-o", "json")
        assert run.code in (0, 1), run.out
        report = json.loads(run.stdout)
        return [(r["kind"], r["name"], c["path"], (c.get("changedBy") or {}).get("manager"))
                for r in report["resources"] for c in r["changes"]]

    def kubectl(self, *args: str, input: str | None = None, check: bool = True,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return self.cluster.kubectl(*args, input=input, check=check, env=env)

    def get(self, kind: str, name: str, ns: str | None = None) -> Any:
        return self.cluster.get_json(kind, name, "-n", ns or self.ns, "--show-managed-fields")

    def exists(self, kind: str, name: str, ns: str | None = None) -> bool:
        return self.kubectl("get", kind, name, "-n", ns or self.ns, check=False).returncode == 0

    def names(self, kind: str, ns: str | None = None) -> list[str]:
        items = self.cluster.get_json(kind, "-n", ns or self.ns)["items"]
        return sorted(i["metadata"]["name"] for i in items)

    def namespace_exists(self, ns: str | None = None) -> bool:
        return self.kubectl("get", "namespace", ns or self.ns, check=False).returncode == 0


def current_rv(cluster: RunningCluster) -> int:
    """The API server's resourceVersion now (one global counter in the embedded store)."""
    out = cluster.kubectl("get", "--raw", "/api/v1/namespaces?limit=1").stdout
    return int(json.loads(out)["metadata"]["resourceVersion"])


def writes_since(cluster: RunningCluster, rv: int, paths: list[str]) -> list[tuple[int, str, dict[str, Any]]]:
    """Every watch event of the collections at `paths` after `rv`, as (resourceVersion, type, object),
    ordered by resourceVersion: the order the API server committed them."""
    events: list[tuple[int, str, dict[str, Any]]] = []
    for path in paths:
        out = cluster.kubectl("get", "--raw", f"{path}?watch=1&resourceVersion={rv}&timeoutSeconds=1").stdout
        for line in out.splitlines():
            if not line.strip():
                continue
            event = json.loads(line)
            if event["type"] in ("ADDED", "MODIFIED", "DELETED"):
                obj = event["object"]
                events.append((int(obj["metadata"]["resourceVersion"]), event["type"], obj))
    return sorted(events, key=lambda e: e[0])


STATE_KINDS = "all,cm,secret,sa,role,rolebinding,ingress,pvc,networkpolicy,pdb"


def cluster_state(cluster: RunningCluster, ns: str, kinds: str = STATE_KINDS) -> Any:
    """(kind, name, resourceVersion) of the objects in a namespace: equal before and after ⇒ no write."""
    proc = cluster.kubectl("get", kinds, "-n", ns, "-o", "json", check=False)
    if proc.returncode != 0:
        return None
    return sorted((i["kind"], i["metadata"]["name"], i["metadata"]["resourceVersion"])
                  for i in json.loads(proc.stdout)["items"])


def docs(*objs: str) -> str:
    return "\n---\n".join(o.strip() for o in objs) + "\n"
