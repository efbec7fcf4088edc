"""What `trueup demo` says about an app that is not ready, from Application objects as the
controller writes them (fixture documents)."""

from __future__ import annotations

from typing import Any

from trueup.cli.demo_progress import app_states, expected_apps, not_ready_report, progress_line

ROOT = {"metadata": {"name": "three-tier"},
        "status": {"sync": {"status": "Synced"}, "health": {"status": "Progressing"},
                   "reconciledAt": "2026-01-01T10:00:05Z",
                   "resources": [{"group": "trueup.dev", "kind": "Application", "namespace": "trueup",
                                  "name": n, "status": "Synced"} for n in ("database", "backend", "extra")]}}
DATABASE = {"metadata": {"name": "database"},
            "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"},
                       "reconciledAt": "2026-01-01T10:00:03Z"}}
BACKEND = {"metadata": {"name": "backend"},
           "status": {"sync": {"status": "OutOfSync"}, "health": {"status": "Degraded"},
                      "reconciledAt": "2026-01-01T10:00:04Z",
                      "conditions": [{"type": "SyncError", "message": "hook db-migrate failed"}],
                      "operationState": {"phase": "Failed", "message": "PreSync hook Job db-migrate failed"},
                      "resources": [{"kind": "Deployment", "namespace": "three-tier", "name": "backend",
                                     "status": "OutOfSync",
                                     "health": {"status": "Degraded", "message": "ProgressDeadlineExceeded"}},
                                    {"kind": "Service", "namespace": "three-tier", "name": "backend",
                                     "status": "Synced", "health": {"status": "Healthy"}}]}}


def test_expected_apps_are_the_root_its_children_from_git_and_what_it_tracks() -> None:
    assert expected_apps("three-tier", ["database", "backend", "frontend"], [ROOT]) == \
        ["three-tier", "database", "backend", "frontend", "extra"]


def test_report_names_each_app_that_is_not_ready_and_why() -> None:
    names = ["three-tier", "database", "backend", "frontend"]
    states = app_states(names, [ROOT, DATABASE, BACKEND], since="2026-01-01T10:00:00Z")
    assert [s.ready for s in states] == [False, True, False, False]
    report = "\n".join(not_ready_report(states))
    assert "database" not in report
    assert "three-tier: Synced/Progressing" in report
    backend = next(line for line in report.splitlines() if line.strip().startswith("backend:"))
    for needed in ("OutOfSync/Degraded", "SyncError: hook db-migrate failed",
                   "last sync failed: PreSync hook Job db-migrate failed",
                   "Deployment three-tier/backend Degraded: ProgressDeadlineExceeded"):
        assert needed in backend, backend
    assert "Service" not in backend  # healthy and in sync: not a reason
    assert "frontend: not created yet" in report
    assert progress_line(states).startswith("1/4 Synced+Healthy: ")


def test_a_status_from_before_the_start_is_not_ready() -> None:
    old = app_states(["database"], [DATABASE], since="2026-01-01T10:00:04Z")[0]
    assert not old.ready and "(checking again)" in old.short()
    assert "not compared again since the demo started" in old.why()
    never = app_states(["backend"], [{"metadata": {"name": "backend"}, "status": {
        "operationState": {"phase": "Running", "message": "syncing revision 54c3fc5f5dc9"}}}], since="x")[0]
    assert never.why() == "syncing revision 54c3fc5f5dc9" and never.short() == "backend syncing"
    assert app_states(["database"], [DATABASE], since="2026-01-01T10:00:03Z")[0].ready


def test_a_running_sync_does_not_report_the_states_it_is_changing() -> None:
    # The root compared at 10:00:01 (its children Missing), then started the sync that creates them.
    message = "syncing revision 9900c922c812: wave 0 applied, waiting for Application database to be healthy"
    running = {"phase": "Running", "startedAt": "2026-01-01T10:00:01Z", "message": message}
    missing = [{"group": "trueup.dev", "kind": "Application", "namespace": "trueup", "name": "database",
                "status": "OutOfSync", "health": {"status": "Missing"}}]
    status: dict[str, Any] = {"sync": {"status": "OutOfSync"}, "health": {"status": "Missing"},
                              "reconciledAt": "2026-01-01T10:00:01Z", "operationState": running, "resources": missing}
    root = {"metadata": {"name": "three-tier"}, "status": status}
    why = app_states(["three-tier"], [root])[0].why()
    assert why == "OutOfSync/Missing; " + message, why
    # A comparison made after the sync started is current: its resources are reasons again.
    status["reconciledAt"] = "2026-01-01T10:00:09Z"
    assert "Application trueup/database Missing" in app_states(["three-tier"], [root])[0].why()
