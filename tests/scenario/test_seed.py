"""The seed's "aha", proven end to end: a root app-of-apps in Git creates frontend, backend and
database; every out-of-band change made with the real kubectl (set image, scale, edit, label,
delete) is put back at once, with an Event naming the field and kubectl's field manager; a push
webhook (signed) syncs a new commit at once while a forged one changes nothing; an HPA-like
fighter is met with exponential backoff and a condition naming it.

`trueup cluster up` and `trueup up` run as subprocesses; the controller polls Git only every
hour, so only the webhook can explain a prompt sync. The steps share the cluster and the
controller (module scope) and run in order, like one user session."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningCluster, eventually
from tests.scenario.conftest import MEASURED, TRUEUP, ApiReader, ControllerProcess, app_events, application, measured
from tests.scenario.seedrepo import APPS_NS, SHOP, TIERS, SeedRepo, deployment

Obj = dict[str, Any]
SECRET = "seed-webhook-secret"
SCRATCH = "scratch"  # unmanaged twins: the same kubectl verb there shows which manager kubectl records
HEAL_LIMIT_S = 3.0


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> SeedRepo:
    return SeedRepo(tmp_path_factory.mktemp("seed") / "repo")


@pytest.fixture(scope="module")
def ctl(controllers: Callable[..., ControllerProcess]) -> ControllerProcess:
    return controllers("trueup", "--poll-interval", "3600", webhook_secret=SECRET)


@pytest.fixture(scope="module")
def shop(cluster: RunningCluster, ctl: ControllerProcess, repo: SeedRepo) -> None:
    """The root app applied with kubectl, and every app Synced and Healthy."""
    cluster.kubectl("apply", "-f", "-", input=repo.root())

    def all_synced() -> list[Obj]:
        out = subprocess.run([TRUEUP, "app", "list", "-o", "json", "--kubeconfig",
                              str(cluster.kubeconfig)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        items: list[Obj] = json.loads(out.stdout)["items"]
        state = {i["metadata"]["name"]: ((i.get("status") or {}).get("sync", {}).get("status"),
                                         (i.get("status") or {}).get("health", {}).get("status")) for i in items}
        assert state == {n: ("Synced", "Healthy") for n in ("root", *TIERS)}, state
        return items

    eventually(all_synced, 90, "root, frontend, backend, database Synced and Healthy")


def test_root_app_creates_three_synced_healthy_apps(cluster: RunningCluster, repo: SeedRepo, shop: None) -> None:
    table = cluster.kubectl("get", "applications.trueup.dev", "-n", APPS_NS).stdout
    assert {line.split()[0] for line in table.splitlines()[1:]} == {"root", *TIERS}, table
    for tier in TIERS:
        doc = application(cluster, tier)
        assert doc["status"]["sync"] == {**doc["status"]["sync"], "status": "Synced", "revision": repo.first}
        assert doc["status"]["health"]["status"] == "Healthy"
    root = application(cluster, "root")
    assert {(r["kind"], r["name"]) for r in root["status"]["resources"]} == {("Application", t) for t in TIERS}
    live = cluster.kubectl("get", "deployments,statefulsets,services,configmaps,secrets", "-n", SHOP,
                           "-o", "name").stdout.split()
    for name in ("deployment.apps/frontend", "deployment.apps/backend", "statefulset.apps/database",
                 "service/frontend", "service/backend", "service/database", "configmap/backend-config",
                 "secret/database-credentials"):
        assert name in live, live
    assert cluster.get_json("service", "database", "-n", SHOP)["spec"]["clusterIP"] == "None"


# ----- out-of-band changes with the real kubectl, each healed


@pytest.fixture(scope="module")
def twins(cluster: RunningCluster, repo: SeedRepo) -> None:
    """Unmanaged copies of frontend and backend in `scratch` (created by kubectl-create)."""
    cluster.kubectl("create", "namespace", SCRATCH)
    for doc in (deployment("frontend", repo.frontend_image, repo.frontend_replicas),
                deployment("backend", repo.backend_image, repo.backend_replicas, {"LOG_LEVEL": repo.log_level})):
        cluster.kubectl("create", "-n", SCRATCH, "-f", "-", input=doc)


def edit_script(tmp: Path) -> str:
    """A KUBE_EDITOR that changes LOG_LEVEL's value from info to debug in the file kubectl hands it."""
    script = tmp / "edit-log-level.py"
    script.write_text(f"#!{sys.executable}\nimport pathlib, sys\np = pathlib.Path(sys.argv[-1])\n"
                      "text = p.read_text()\nassert 'value: info' in text, text\n"
                      "p.write_text(text.replace('value: info', 'value: debug', 1))\n")
    script.chmod(0o755)
    return str(script)


@dataclass
class Change:
    deployment: str
    args: Callable[[str], list[str]]      # the kubectl arguments, given the namespace
    owned: tuple[str, ...]                # the changed field's path in managedFields' fieldsV1
    path: str                             # the field path the event names
    in_git: Callable[[Obj, SeedRepo], bool]  # the live object (re)shows Git's value


CONTAINER = ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"backend"}')


def _container(d: Obj) -> Obj:
    c: Obj = d["spec"]["template"]["spec"]["containers"][0]
    return c


CHANGES = {
    "set-image": Change("backend", lambda ns: ["set", "image", "deployment/backend", "backend=example/backend:hotfix",
                                               "-n", ns],
                        (*CONTAINER, "f:image"), ".spec.template.spec.containers[name=\"backend\"].image",
                        lambda d, r: _container(d)["image"] == r.backend_image),
    "scale": Change("frontend", lambda ns: ["scale", "deployment/frontend", "--replicas=5", "-n", ns],
                    ("f:spec", "f:replicas"), ".spec.replicas",
                    lambda d, r: d["spec"]["replicas"] == r.frontend_replicas),
    "edit": Change("backend", lambda ns: ["edit", "deployment/backend", "-n", ns],
                   (*CONTAINER, "f:env", 'k:{"name":"LOG_LEVEL"}', "f:value"),
                   '.spec.template.spec.containers[name="backend"].env[name="LOG_LEVEL"].value',
                   lambda d, r: _container(d)["env"] == [{"name": "LOG_LEVEL", "value": r.log_level}]),
    "label": Change("frontend", lambda ns: ["label", "deployment/frontend", "tier=hacked", "--overwrite", "-n", ns],
                    ("f:metadata", "f:labels", "f:tier"), ".metadata.labels.tier",
                    lambda d, r: d["metadata"]["labels"].get("tier") == "frontend"),
}


def _owns(fields: Any, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(fields, dict) or key not in fields:
            return False
        fields = fields[key]
    return True


def kubectl_manager(cluster: RunningCluster, change: Change, env: dict[str, str]) -> str:
    """Make the change on the unmanaged twin and read, from managedFields, the manager that owns the
    changed field now: what kubectl really records, not a guess."""
    cluster.kubectl(*change.args(SCRATCH), env=env)
    twin = cluster.get_json("deployment", change.deployment, "-n", SCRATCH, "--show-managed-fields")
    owners = {e["manager"] for e in twin["metadata"]["managedFields"] if _owns(e.get("fieldsV1"), change.owned)}
    assert len(owners) == 1, twin["metadata"]["managedFields"]
    return owners.pop()


def event_count(cluster: RunningCluster, app: str, reason: str, *needles: str, above: int = 0) -> int:
    """The count of `reason` Events on `app` whose message contains every needle; the check fails
    (listing the app's Events) while that count is not above `above`."""
    events = app_events(cluster, app)
    n = sum(int(e.get("count") or 1) for e in events
            if e.get("reason") == reason and all(x in e["message"] for x in needles))
    assert n > above, [(e["reason"], e["message"], e.get("count")) for e in events]
    return n


@pytest.mark.parametrize("kind", list(CHANGES))
def test_kubectl_change_is_healed_with_an_event_naming_field_and_manager(
        kind: str, cluster: RunningCluster, api: ApiReader, repo: SeedRepo, shop: None, twins: None,
        tmp_path: Path) -> None:
    change = CHANGES[kind]
    env = {"KUBE_EDITOR": edit_script(tmp_path), "EDITOR": edit_script(tmp_path)}
    manager = kubectl_manager(cluster, change, env)
    drifted = f'{change.path} changed by "{manager}"'
    before = event_count(cluster, change.deployment, "ResourceDrifted", drifted, above=-1)

    cluster.kubectl(*change.args(SHOP), env=env)
    done = time.monotonic()

    def healed() -> bool:
        live = api.deployment(SHOP, change.deployment)
        return live is not None and change.in_git(live, repo)

    eventually(healed, 30, f"{kind} healed", interval=0.01)
    latency = time.monotonic() - done
    measured(f"heal after `kubectl {' '.join(change.args(SHOP)[:2])}` (manager {manager})", latency)
    assert latency < HEAL_LIMIT_S

    eventually(lambda: event_count(cluster, change.deployment, "ResourceDrifted", drifted, above=before), 30,
               f"a ResourceDrifted event naming {change.path} and {manager}")
    eventually(lambda: event_count(cluster, change.deployment, "ResourceHealed",
                                   f"Deployment {SHOP}/{change.deployment} ({change.path}"), 30,
               "a ResourceHealed event naming the field")
    eventually(lambda: application(cluster, change.deployment)["status"]["sync"]["status"] == "Synced", 30,
               f"{change.deployment} Synced again")


def test_deleted_deployment_is_recreated_with_an_event(cluster: RunningCluster, api: ApiReader, repo: SeedRepo,
                                                      shop: None) -> None:
    old = api.deployment(SHOP, "frontend")
    assert old is not None
    cluster.kubectl("delete", "deployment", "frontend", "-n", SHOP)
    done = time.monotonic()

    def recreated() -> bool:
        live = api.deployment(SHOP, "frontend")
        return live is not None and live["metadata"]["uid"] != old["metadata"]["uid"] \
            and live["spec"]["replicas"] == repo.frontend_replicas \
            and _container(live)["image"] == repo.frontend_image
    eventually(recreated, 30, "frontend recreated", interval=0.01)
    latency = time.monotonic() - done
    measured("recreate after `kubectl delete deployment`", latency)
    assert latency < HEAL_LIMIT_S
    eventually(lambda: event_count(cluster, "frontend", "ResourceDrifted", f"Deployment {SHOP}/frontend is missing"),
               30, "a ResourceDrifted event saying the Deployment is missing")
    eventually(lambda: event_count(cluster, "frontend", "ResourceHealed", f"recreated Deployment {SHOP}/frontend"),
               30, "a ResourceHealed event saying the Deployment was recreated")
    eventually(lambda: application(cluster, "frontend")["status"]["health"]["status"] == "Healthy", 60,
               "frontend Healthy again")


# ----- a new commit, announced by a push webhook


def push_payload(repo: SeedRepo, after: str, files: list[str]) -> bytes:
    url = str(repo.path)
    return json.dumps({
        "ref": "refs/heads/main", "before": repo.first, "after": after, "created": False, "deleted": False,
        "forced": False, "commits": [{"id": after, "added": [], "removed": [], "modified": files}],
        "head_commit": {"id": after},
        "repository": {"clone_url": url, "html_url": url, "default_branch": "main"},
    }).encode()


def holds(check: Callable[[], bool], seconds: float, what: str) -> None:
    """`check()` stays true for `seconds` (polled throughout): the negative counterpart of eventually."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert check(), f"no longer true: {what}"
        time.sleep(0.05)


def test_new_commit_is_synced_on_a_signed_webhook_and_a_forged_one_changes_nothing(
        cluster: RunningCluster, api: ApiReader, ctl: ControllerProcess, repo: SeedRepo, shop: None) -> None:
    old_image = repo.backend_image
    old_revision = application(cluster, "backend")["status"]["sync"]["revision"]
    sha = repo.release_backend("example/backend:1.1")
    body = push_payload(repo, sha, ["backend/deployment.yaml"])
    fetches = ctl.metric("trueup_git_fetch_seconds_count")

    code, _ = ctl.post_webhook(body, "not-the-secret")
    assert code == 401

    def unchanged() -> bool:
        live = api.deployment(SHOP, "backend")
        doc = api.get(f"/apis/trueup.dev/v1alpha1/namespaces/{APPS_NS}/applications/backend")
        return live is not None and doc is not None and _container(live)["image"] == old_image \
            and doc["status"]["sync"]["revision"] == old_revision \
            and ctl.metric("trueup_git_fetch_seconds_count") == fetches
    holds(unchanged, 1.5, "a forged delivery refreshes nothing")

    code, reply = ctl.post_webhook(body, SECRET)
    posted = time.monotonic()
    assert code == 202, reply
    assert "backend" in reply["apps"], reply

    def synced() -> bool:
        live = api.deployment(SHOP, "backend")
        doc = api.get(f"/apis/trueup.dev/v1alpha1/namespaces/{APPS_NS}/applications/backend")
        return live is not None and doc is not None and _container(live)["image"] == "example/backend:1.1" \
            and doc["status"]["sync"] == {**doc["status"]["sync"], "status": "Synced", "revision": sha}
    eventually(synced, 30, "backend Synced at the pushed commit", interval=0.02)
    latency = time.monotonic() - posted
    measured("signed webhook push -> Synced (poll interval 3600 s)", latency)
    assert latency < 5.0
    assert ctl.metric("trueup_git_fetch_seconds_count") > fetches
    history = application(cluster, "backend")["status"]["history"]
    assert history[-1]["revision"] == sha, history


# ----- an HPA-like fighter on spec.replicas


def test_a_fighting_manager_meets_backoff_and_a_condition_naming_it(
        cluster: RunningCluster, api: ApiReader, repo: SeedRepo, shop: None) -> None:
    """`hpa-sim` sets backend's replicas to 3 whenever it sees Git's value: trueup heals the first
    change at once, then waits 2 s, 4 s, ... between heals instead of flapping."""
    fight = 3
    app_path = f"/apis/trueup.dev/v1alpha1/namespaces/{APPS_NS}/applications/backend"
    writes, heals, backoff_messages = 0, [], set()
    window = 9.0
    end = time.monotonic() + window
    while time.monotonic() < end:
        live = api.deployment(SHOP, "backend")
        assert live is not None
        if live["spec"]["replicas"] != fight:
            if writes:
                assert live["spec"]["replicas"] == repo.backend_replicas
                heals.append(time.monotonic())
            cluster.kubectl("patch", "deployment", "backend", "-n", SHOP, "--type=merge", "--field-manager=hpa-sim",
                            "-p", json.dumps({"spec": {"replicas": fight}}))
            writes += 1
            continue
        doc = api.get(app_path) or {}
        backoff_messages |= {c["message"] for c in (doc.get("status") or {}).get("conditions") or []
                             if c["type"] == "SelfHealBackoff"}
        time.sleep(0.05)  # the fighter's own polling pace
    gaps = [round(b - a, 2) for a, b in itertools.pairwise(heals)]
    MEASURED.append(f"fighter: {writes} writes by hpa-sim, {len(heals)} heals by trueup in {window:.0f} s, "
                    f"gaps {gaps} s")
    assert 2 <= len(heals) <= 5, heals  # flapping would be one heal per fighter write (dozens)
    for i, gap in enumerate(gaps):  # 2 s, 4 s, 8 s ... (counted from the end of a heal: some slack)
        assert gap >= 0.75 * 2.0 * 2 ** i, gaps
    assert any("changed by hpa-sim" in m for m in backoff_messages), backoff_messages
    assert any(".spec.replicas" in m for m in backoff_messages), backoff_messages
    eventually(lambda: event_count(cluster, "backend", "SelfHealBackoff", ".spec.replicas", '"hpa-sim"'), 30,
               "a SelfHealBackoff event naming hpa-sim")
    eventually(lambda: event_count(cluster, "backend", "ResourceDrifted", '.spec.replicas changed by "hpa-sim"'), 30,
               "a ResourceDrifted event naming hpa-sim")
