"""`trueup demo`: one command brings the three-tier example up on the embedded cluster, heals
drift while it runs, stops cleanly on SIGTERM, and `--until-healthy` reports success or names
what is not healthy."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.conftest import eventually, start_cluster, stop_cluster
from tests.demo.conftest import HEALTHY_LINE, TRUEUP, Demo, demo_args, get_json, kubectl

TIERS = ("database", "backend", "frontend")


def _available(deploy: dict[str, object]) -> bool:
    spec, status = deploy["spec"], deploy.get("status") or {}
    assert isinstance(spec, dict) and isinstance(status, dict)
    conditions = {c["type"]: c["status"] for c in status.get("conditions") or []}
    return conditions.get("Available") == "True" and status.get("availableReplicas") == spec["replicas"]


def test_until_healthy_exits_0_with_the_three_tiers_running(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = subprocess.run(demo_args(tmp_path, "--until-healthy", "--timeout", "90"),
                          capture_output=True, text=True, timeout=150)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert HEALTHY_LINE in proc.stdout
    assert "stopped" in proc.stdout
    assert time.monotonic() - started < 120
    repo = tmp_path / "repo"
    assert f"git repo:   {repo}" in proc.stdout
    assert (repo / ".git").is_dir() and (repo / "apps" / "frontend.yaml").is_file()
    assert "git.example.com" not in (repo / "apps" / "backend.yaml").read_text()  # repoURL rewritten

    # What the demo left, as kubectl shows it (the API server alone on the same data: no
    # controller changes anything after the fact).
    cluster = start_cluster(tmp_path / "cluster", "--no-controllers")
    try:
        apps = get_json(cluster.kubeconfig, "applications.trueup.dev", "-n", "trueup")["items"]
        by_name = {a["metadata"]["name"]: a["status"] for a in apps}
        assert set(by_name) == {"three-tier", *TIERS}
        for name, status in by_name.items():
            assert (status["sync"]["status"], status["health"]["status"]) == ("Synced", "Healthy"), name
        root_children = {r["name"] for r in by_name["three-tier"]["resources"] if r["kind"] == "Application"}
        assert root_children == set(TIERS)

        ns = ("-n", "three-tier")
        for name in ("frontend", "backend"):
            assert _available(get_json(cluster.kubeconfig, "deployment", name, *ns)), name
        sts = get_json(cluster.kubeconfig, "statefulset", "postgres", *ns)
        assert sts["status"]["readyReplicas"] == sts["spec"]["replicas"] == 1
        pvc = get_json(cluster.kubeconfig, "pvc", "data-postgres-0", *ns)
        assert (pvc["status"]["phase"], pvc["spec"]["storageClassName"]) == ("Bound", "gp3")
        job = get_json(cluster.kubeconfig, "job", "db-migrate", *ns)
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
        assert job["status"].get("succeeded") == 1
        ingress = get_json(cluster.kubeconfig, "ingress", "frontend", *ns)
        assert ingress["status"]["loadBalancer"]["ingress"][0]["hostname"].endswith(".elb.amazonaws.com")
        secret = get_json(cluster.kubeconfig, "secret", "postgres-credentials", *ns)
        assert set(secret["data"]) >= {"POSTGRES_PASSWORD", "DATABASE_URL"}

        # The waves: the database's sync finished before the backend's started, the backend's
        # before the frontend's.
        ops = {name: by_name[name]["operationState"] for name in TIERS}
        assert ops["database"]["finishedAt"] <= ops["backend"]["startedAt"]
        assert ops["backend"]["finishedAt"] <= ops["frontend"]["startedAt"]
        # and the migration had finished when the backend's Deployment was created
        backend = get_json(cluster.kubeconfig, "deployment", "backend", *ns)
        assert job["status"]["completionTime"] <= backend["metadata"]["creationTimestamp"]
    finally:
        stop_cluster(cluster)

    # Again on the same data dir: the repository and the cluster are reused, the apps are
    # compared again (not taken as healthy from the old status) and nothing is re-deployed.
    again = subprocess.run(demo_args(tmp_path, "--until-healthy", "--timeout", "60"),
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"reusing the demo repository {repo}" in again.stdout
    assert "(checking again)" in again.stdout or "Synced+Healthy" in again.stdout
    cluster = start_cluster(tmp_path / "cluster", "--no-controllers")
    try:
        rerun = get_json(cluster.kubeconfig, "job", "db-migrate", "-n", "three-tier")
        assert rerun["metadata"]["uid"] == job["metadata"]["uid"]  # no new sync, no new migration
    finally:
        stop_cluster(cluster)


def _commit(repo_dir: Path, rel: str, old: str, new: str, message: str) -> str:
    """Edit one file of the demo repository and commit it on main, as a user would."""
    import pygit2

    path = repo_dir / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    repo = pygit2.Repository(str(repo_dir))
    repo.index.add(rel)
    repo.index.write()
    sig = pygit2.Signature("Demo User", "user@example.com")
    return str(repo.create_commit("HEAD", sig, sig, message, repo.index.write_tree(), [repo.head.target]))


def test_running_demo_heals_drift_ships_a_commit_and_stops_on_sigterm(tmp_path: Path) -> None:
    # Git is checked only every 300 s here: the commit below ships because of the hard refresh.
    demo = Demo(tmp_path, "--poll-interval", "300")
    try:
        demo.wait_for(HEALTHY_LINE, timeout=90)
        assert "Drift by hand" in demo.wait_for("Drift by hand", timeout=10)
        kube = demo.kubeconfig
        kubectl(kube, "scale", "deployment/frontend", "-n", "three-tier", "--replicas=5")

        def healed() -> bool:
            d = get_json(kube, "deployment", "frontend", "-n", "three-tier")
            return d["spec"]["replicas"] == 2 and _available(d)

        eventually(healed, timeout=60, what="frontend scaled back to 2 replicas from Git")

        def reasons() -> set[str]:
            events = get_json(kube, "events", "-n", "trueup", "--field-selector", "involvedObject.name=frontend")
            found = {e["reason"] for e in events["items"]}
            assert {"ResourceDrifted", "ResourceHealed"} <= found, found
            return found

        eventually(reasons, timeout=30, what="the drift and the heal recorded as Events on the frontend app")
        demo.wait_for("event: frontend ResourceHealed", timeout=30)

        # Ship a change: a commit, then `trueup app refresh --hard` (fetch now, not at the next poll)
        sha = _commit(tmp_path / "repo", "frontend/values.yaml", "replicaCount: 2", "replicaCount: 3",
                      "frontend: 3 replicas")
        env = {**os.environ, "KUBECONFIG": str(kube)}
        subprocess.run([TRUEUP, "app", "refresh", "frontend", "--hard"], check=True, env=env, timeout=60,
                       capture_output=True)

        def shipped() -> bool:
            d = get_json(kube, "deployment", "frontend", "-n", "three-tier")
            app = get_json(kube, "applications.trueup.dev", "frontend", "-n", "trueup")
            return d["spec"]["replicas"] == 3 and _available(d) and app["status"]["sync"]["revision"] == sha

        eventually(shipped, timeout=60, what=f"frontend at 3 replicas from commit {sha[:8]}")

        # A rollback of a tier would be undone by the root app's self-heal: refused, saying why.
        refused = subprocess.run([TRUEUP, "app", "rollback", "frontend", "0", "--disable-auto-sync"],
                                 capture_output=True, text=True, timeout=60, env=env)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "managed by application 'three-tier'" in refused.stderr
        frontend_app = get_json(kube, "applications.trueup.dev", "frontend", "-n", "trueup")
        assert frontend_app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
        assert "operation" not in frontend_app
    finally:
        code = demo.stop()
    assert code == 0, demo.output
    assert demo.output.rstrip().endswith("stopped"), demo.output
    assert "Traceback" not in demo.output
    refused = kubectl(demo.kubeconfig, "get", "ns", "--request-timeout=5s", check=False)
    assert refused.returncode != 0  # the cluster went with it


def test_until_healthy_timeout_names_the_apps_that_are_not_healthy(tmp_path: Path) -> None:
    # realistic kubelet timing: nothing can be healthy one second after the root app is registered
    args = [a if a != "fast" else "realistic" for a in demo_args(tmp_path, "--until-healthy", "--timeout", "1")]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "timed out after 1s" in proc.stderr
    named = [line.split(":", 1)[0].strip() for line in proc.stderr.splitlines() if line.startswith("  ")]
    assert named and set(named) <= {"three-tier", *TIERS}, proc.stderr
    assert "three-tier" in named  # the root waits for every wave
    for line in proc.stderr.splitlines():
        if line.startswith("  "):
            assert line.split(":", 1)[1].strip(), f"no reason given: {line!r}"
    assert "stopped" in proc.stdout
