"""The pure CronJob planner with fixed clocks: due times, missed runs, deadlines, time zones,
concurrency policies, active-list upkeep and history limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from trueup.localcluster.controllers.cronjob_plan import SCHEDULED_ANNOTATION, plan_cronjob
from trueup.localcluster.controllers.revisions import parse_time

CASES = yaml.safe_load((Path(__file__).parent / "testdata" / "cron_cases.yaml").read_text())
REF = {"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly", "uid": "cj-uid", "controller": True,
       "blockOwnerDeletion": True}


def ts(s: str) -> float:
    t = parse_time(s)
    assert t is not None
    return t


def cronjob(schedule: str = "*/5 * * * *", created: str = "2025-03-01T10:00:00Z", **spec: Any) -> dict[str, Any]:
    status = spec.pop("status", {})
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "nightly", "namespace": "ns", "uid": "cj-uid", "creationTimestamp": created},
            "spec": {"schedule": schedule, "jobTemplate": {"metadata": {"labels": {"team": "a"}},
                                                           "spec": {"backoffLimit": 2}}, **spec},
            "status": status}


def job(name: str, uid: str, cond: str | None = None, start: str = "2025-03-01T10:00:00Z",
        done: str | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"startTime": start}
    if cond:
        st["conditions"] = [{"type": cond, "status": "True"}]
    if done:
        st["completionTime"] = done
    return {"metadata": {"name": name, "uid": uid, "namespace": "ns", "creationTimestamp": start}, "status": st}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_schedule_cases(case: dict[str, Any]) -> None:
    spec: dict[str, Any] = {k: case[k] for k in ("timeZone", "startingDeadlineSeconds") if k in case}
    if "lastScheduleTime" in case:
        spec["status"] = {"lastScheduleTime": case["lastScheduleTime"]}
    cj = cronjob(case["schedule"], case["created"], **spec)
    plan = plan_cronjob(cj, [], ts(case["now"]), REF)
    expect = case["expect"]
    if expect["job"] is None:
        assert plan.create is None
        assert plan.status.get("lastScheduleTime") == case.get("lastScheduleTime")
    else:
        assert plan.create is not None
        scheduled = ts(expect["job"])
        assert plan.create["metadata"]["name"] == f"nightly-{int(scheduled) // 60}"
        assert plan.status["lastScheduleTime"] == expect["job"]
        assert plan.create["metadata"]["ownerReferences"] == [REF]
        assert plan.create["metadata"]["labels"] == {"team": "a"}
        assert plan.create["spec"] == {"backoffLimit": 2}
        if "annotation" in expect:
            assert plan.create["metadata"]["annotations"][SCHEDULED_ANNOTATION] == expect["annotation"]
    if "next" in expect:
        assert plan.requeue == pytest.approx(ts(expect["next"]) - ts(case["now"]) + 0.1)
    if "event" in expect:
        assert expect["event"] in [r for _, r, _ in plan.events]
    if case["name"] == "starting deadline passed":
        # As kube-controller-manager: the window starts at now - deadline, so the run is simply not due.
        assert plan.events == []


def test_job_name_is_minutes_since_epoch() -> None:
    plan = plan_cronjob(cronjob("0 * * * *"), [], ts("2025-03-01T11:00:30Z"), REF)
    assert plan.create is not None
    minutes = int(dt.datetime(2025, 3, 1, 11, tzinfo=dt.UTC).timestamp()) // 60
    assert plan.create["metadata"]["name"] == f"nightly-{minutes}"
    assert plan.create["metadata"]["annotations"][SCHEDULED_ANNOTATION] == "2025-03-01T11:00:00Z"


def test_existing_job_for_the_time_is_not_created_twice() -> None:
    name = f"nightly-{int(ts('2025-03-01T11:00:00Z')) // 60}"
    plan = plan_cronjob(cronjob("0 * * * *"), [job(name, "j1")], ts("2025-03-01T11:00:30Z"), REF)
    assert plan.create is None


ACTIVE = {"active": [{"name": "nightly-1", "uid": "j1", "kind": "Job"}], "lastScheduleTime": "2025-03-01T10:50:00Z"}


def test_forbid_skips_while_active() -> None:
    cj = cronjob(concurrencyPolicy="Forbid", status=dict(ACTIVE))
    plan = plan_cronjob(cj, [job("nightly-1", "j1")], ts("2025-03-01T11:00:05Z"), REF)
    assert plan.create is None and plan.delete_active == []
    assert plan.status["active"] == ACTIVE["active"]
    assert ("Normal", "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid") in plan.events


def test_replace_deletes_active_then_creates() -> None:
    cj = cronjob(concurrencyPolicy="Replace", status=dict(ACTIVE))
    plan = plan_cronjob(cj, [job("nightly-1", "j1")], ts("2025-03-01T11:00:05Z"), REF)
    assert plan.delete_active == ["nightly-1"] and plan.create is not None
    assert plan.status["active"] is None


def test_allow_runs_alongside() -> None:
    cj = cronjob(status=dict(ACTIVE))
    plan = plan_cronjob(cj, [job("nightly-1", "j1")], ts("2025-03-01T11:00:05Z"), REF)
    assert plan.create is not None and plan.delete_active == []
    assert plan.status["active"] == ACTIVE["active"]  # the controller appends the new Job after creating it


def test_suspend_creates_nothing() -> None:
    plan = plan_cronjob(cronjob(suspend=True), [], ts("2025-03-01T12:00:00Z"), REF)
    assert plan.create is None and plan.requeue is None


def test_completed_job_leaves_active_and_sets_last_successful_time() -> None:
    cj = cronjob(status=dict(ACTIVE))
    done = job("nightly-1", "j1", "Complete", done="2025-03-01T10:51:00Z")
    plan = plan_cronjob(cj, [done], ts("2025-03-01T10:52:00Z"), REF)
    assert plan.status["active"] is None
    assert plan.status["lastSuccessfulTime"] == "2025-03-01T10:51:00Z"
    assert ("Normal", "SawCompletedJob", "Saw completed job: nightly-1, condition: Complete") in plan.events


def test_missing_active_job_is_dropped() -> None:
    plan = plan_cronjob(cronjob(status=dict(ACTIVE)), [], ts("2025-03-01T10:52:00Z"), REF)
    assert plan.status["active"] is None
    assert ("Normal", "MissingJob", "Active job went missing: nightly-1") in plan.events


def test_unexpected_running_job_is_reported_not_adopted() -> None:
    plan = plan_cronjob(cronjob(), [job("manual-1", "m1")], ts("2025-03-01T10:02:00Z"), REF)
    assert plan.status["active"] is None
    assert [r for _, r, _ in plan.events] == ["UnexpectedJob"]


def test_history_limits_delete_oldest_finished() -> None:
    jobs = [job(f"ok-{i}", f"o{i}", "Complete", start=f"2025-03-01T0{i}:00:00Z", done=f"2025-03-01T0{i}:01:00Z")
            for i in range(5)]
    jobs += [job(f"bad-{i}", f"b{i}", "Failed", start=f"2025-03-01T0{i}:30:00Z") for i in range(3)]
    plan = plan_cronjob(cronjob(successfulJobsHistoryLimit=2, failedJobsHistoryLimit=1), jobs,
                        ts("2025-03-01T09:02:00Z"), REF)
    assert plan.delete_history == ["ok-0", "ok-1", "ok-2", "bad-0", "bad-1"]
    plan = plan_cronjob(cronjob(), jobs, ts("2025-03-01T09:02:00Z"), REF)  # defaults 3 and 1
    assert plan.delete_history == ["ok-0", "ok-1", "bad-0", "bad-1"]
