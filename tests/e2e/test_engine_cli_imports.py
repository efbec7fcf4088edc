"""What `trueup sync` of a plain-directory app loads: only what it uses. Helm, Jsonnet, Kustomize,
Lua and CEL health checks, chart repositories, semver ranges and the diff renderers are imported
by the apps and verbs that need them (a one-shot sync pays for every import before its first
request)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import RunningCluster
from tests.e2e.gitrepo import GitRepo
from tests.e2e.test_engine_cli import CONFIG, SERVICE, app_file

# Runs the `trueup` CLI and, at exit, writes the names of the loaded modules to argv[1].
RUN_AND_LIST_MODULES = (
    "import atexit, json, sys\n"
    "out = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(out, 'w').write(json.dumps(sorted(sys.modules))))\n"
    "sys.argv[0] = 'trueup'\n"
    "from trueup.cli.main import main\n"
    "main()\n"
)
NOT_FOR_A_PLAIN_DIRECTORY = (
    "helm_python", "_jsonnet", "lupa", "celpy", "aiohttp",
    "trueup.render.helm", "trueup.render.jsonnet", "trueup.render.kustomize",
    "trueup.health.lua", "trueup.health.celexpr", "trueup.health.load",
    "trueup.source.charts", "trueup.source.semver", "trueup.source.repocreds",
    "trueup.diff.compare", "trueup.diff.render_markdown", "trueup.diff.render_text",
    "trueup.app.crd", "trueup.kube.informer", "trueup.localcluster",
)


def test_plain_directory_sync_imports_no_renderer_or_check_it_does_not_use(cluster: RunningCluster,
                                                                            tmp_path: Path) -> None:
    ns = f"i{time.monotonic_ns() % 10**8}"
    repo = GitRepo(tmp_path / "repo")
    repo.write({"app/config.yaml": CONFIG, "app/service.yaml": SERVICE})
    app = app_file(tmp_path, repo.path, ns, name="imports")
    listed = tmp_path / "modules.json"
    synced = subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, str(listed), "sync", str(app),
                             "--kubeconfig", str(cluster.kubeconfig), "--cache-dir", str(tmp_path / "cache")],
                            capture_output=True, text=True, timeout=120)
    assert synced.returncode == 0, synced.stderr + synced.stdout
    assert "2 created" in synced.stdout
    assert cluster.get_json("cm", "settings", "-n", ns)["data"] == {"greeting": "hello"}

    loaded = set(json.loads(listed.read_text()))
    assert {"trueup.render.directory", "trueup.sync.execute", "pygit2"} <= loaded  # it did the work
    unexpected = sorted(m for m in loaded if m.split(".")[0] in NOT_FOR_A_PLAIN_DIRECTORY
                        or any(m == name or m.startswith(f"{name}.") for name in NOT_FOR_A_PLAIN_DIRECTORY))
    assert unexpected == []
