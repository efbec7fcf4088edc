"""Job end to end with the real kubectl: completion, failure with backoffLimit, suspend, Indexed, TTL."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningCluster
from tests.controllers.stateful.helpers import apply, events, eventually, pods


def job(ns: str, name: str = "pi", *, annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": ns},
            "spec": {**spec, "template": {
                "metadata": {"annotations": annotations or {}},
                "spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl:5.34"}]}}}}


def conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in obj.get("status", {}).get("conditions", [])}


def test_job_completes(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, job(ns, completions=3, parallelism=2))
    cluster.kubectl("wait", "-n", ns, "--for=condition=Complete", "job/pi", "--timeout=60s")
    got = cluster.get_json("job", "-n", ns, "pi")
    st = got["status"]
    assert st["succeeded"] == 3 and st["active"] == 0 and st.get("failed", 0) == 0
    assert st["ready"] == 0 and st["terminating"] == 0 and st["uncountedTerminatedPods"] == {}
    assert st["startTime"] <= st["completionTime"]
    conds = conditions(got)
    assert conds["Complete"]["status"] == "True"
    assert conds["Complete"]["reason"] == "CompletionsReached"
    assert conds["Complete"]["message"] == "Reached expected number of succeeded pods"
    assert conds["SuccessCriteriaMet"]["status"] == "True"
    ps = pods(cluster, ns, "job-name=pi")
    assert len(ps) == 3 and all(p["status"]["phase"] == "Succeeded" for p in ps)
    assert all(not p["metadata"].get("finalizers") for p in ps)  # tracking finalizer removed once counted
    evs = events(cluster, ns, "pi")
    assert ("Completed", "Job completed") in evs
    assert sum(1 for r, _ in evs if r == "SuccessfulCreate") == 3


def test_failing_pods_exhaust_backoff_limit(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, job(ns, backoffLimit=2, annotations={"sim.trueup.dev/exit-code": "1"}))
    cluster.kubectl("wait", "-n", ns, "--for=condition=Failed", "job/pi", "--timeout=60s")
    got = cluster.get_json("job", "-n", ns, "pi")
    failed = conditions(got)["Failed"]
    assert failed["reason"] == "BackoffLimitExceeded"
    assert failed["message"] == "Job has reached the specified backoff limit"
    assert conditions(got)["FailureTarget"]["reason"] == "BackoffLimitExceeded"
    assert "Complete" not in conditions(got) and "completionTime" not in got["status"]
    assert got["status"]["failed"] == 3 and got["status"]["active"] == 0
    ps = pods(cluster, ns, "job-name=pi")
    assert len(ps) == 3 and all(p["status"]["phase"] == "Failed" for p in ps)
    assert ("BackoffLimitExceeded", "Job has reached the specified backoff limit") in events(cluster, ns, "pi")


def test_suspended_job_creates_no_pods_until_resumed(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, job(ns, suspend=True))
    cluster.kubectl("wait", "-n", ns, "--for=condition=Suspended", "job/pi", "--timeout=30s")
    got = cluster.get_json("job", "-n", ns, "pi")
    assert conditions(got)["Suspended"]["reason"] == "JobSuspended"
    assert got["status"].get("active", 0) == 0 and "startTime" not in got["status"]
    assert pods(cluster, ns, "job-name=pi") == []
    cluster.kubectl("patch", "-n", ns, "job/pi", "--type=merge", "-p", '{"spec":{"suspend":false}}')
    cluster.kubectl("wait", "-n", ns, "--for=condition=Complete", "job/pi", "--timeout=60s")
    got = cluster.get_json("job", "-n", ns, "pi")
    assert conditions(got)["Suspended"]["status"] == "False"
    assert conditions(got)["Suspended"]["reason"] == "JobResumed"
    assert ("Resumed", "Job resumed") in events(cluster, ns, "pi")


def test_suspending_a_running_job_deletes_its_pods(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, job(ns, parallelism=2, completions=2, annotations={"sim.trueup.dev/run-seconds": "60"}))
    eventually(lambda: len(pods(cluster, ns, "job-name=pi")) == 2)
    cluster.kubectl("patch", "-n", ns, "job/pi", "--type=merge", "-p", '{"spec":{"suspend":true}}')
    cluster.kubectl("wait", "-n", ns, "--for=condition=Suspended", "job/pi", "--timeout=30s")
    eventually(lambda: pods(cluster, ns, "job-name=pi") == [])
    st = cluster.get_json("job", "-n", ns, "pi")["status"]
    assert st["active"] == 0 and st.get("failed", 0) == 0


def test_indexed_job(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, job(ns, completions=3, parallelism=3, completionMode="Indexed"))
    cluster.kubectl("wait", "-n", ns, "--for=condition=Complete", "job/pi", "--timeout=60s")
    st = cluster.get_json("job", "-n", ns, "pi")["status"]
    assert st["completedIndexes"] == "0-2" and st["succeeded"] == 3
    ps = pods(cluster, ns, "job-name=pi")
    idx = sorted(p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] for p in ps)
    assert idx == ["0", "1", "2"]
    for p in ps:
        i = p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
        assert p["metadata"]["name"].startswith(f"pi-{i}-") and p["spec"]["hostname"] == f"pi-{i}"


def test_active_deadline(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, job(ns, activeDeadlineSeconds=1, annotations={"sim.trueup.dev/run-seconds": "60"}))
    cluster.kubectl("wait", "-n", ns, "--for=condition=Failed", "job/pi", "--timeout=30s")
    got = cluster.get_json("job", "-n", ns, "pi")
    assert conditions(got)["Failed"]["reason"] == "DeadlineExceeded"
    assert conditions(got)["Failed"]["message"] == "Job was active longer than specified deadline"
    eventually(lambda: pods(cluster, ns, "job-name=pi") == [])


def test_ttl_after_finished_deletes_the_job(cluster: RunningCluster, ns: str) -> None:
    apply(cluster, ns, job(ns, ttlSecondsAfterFinished=0))
    eventually(lambda: cluster.kubectl("get", "-n", ns, "job/pi", check=False).returncode != 0, timeout=30)
    eventually(lambda: pods(cluster, ns, "job-name=pi") == [], timeout=30)
