"""`dependsOn` between Applications: an app syncs only once the apps it depends on are Synced and
Healthy, proceeds as soon as they are (driven by the Application watch), says what it waits for,
and reports a dependency cycle instead of deadlocking silently."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from tests.controller.conftest import NAMESPACE, Kit, application, configmap, deployment, until
from trueup.app import AppError, Dependency, dependencies, parse_application
from trueup.controller import APPLICATIONS
from trueup.controller.depends import find_cycle, not_ready, why_not_ready
from trueup.kube import Client
from trueup.kube.resources import CONFIGMAPS

Obj = dict[str, Any]


def _app(kit: Kit, name: str, path: str, deps: list[str], automated: Obj | None = None) -> Obj:
    doc = application(name, kit.repo, f"{name}-ns", automated=automated, path=path)
    if deps:
        doc["spec"]["dependsOn"] = [{"name": d} for d in deps]
    return doc


async def _status(client: Client, name: str) -> Obj:
    doc = await client.get(APPLICATIONS, NAMESPACE, name)
    assert doc is not None, name
    return dict(doc.get("status") or {})


async def _conditions(client: Client, name: str, type_: str) -> list[str]:
    return [c["message"] for c in (await _status(client, name)).get("conditions") or [] if c["type"] == type_]


async def _synced_healthy(client: Client, name: str) -> Obj:
    async def check() -> Obj:
        s = await _status(client, name)
        assert (s.get("sync") or {}).get("status") == "Synced" and (s.get("health") or {}).get("status") == "Healthy", s
        return s
    result: Obj = await until(check, limit_s=60, what=f"{name} Synced and Healthy")
    return result


class AppWatch:
    """The Applications as the API server streamed them: (resourceVersion, name, sync, health)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.seen: list[tuple[int, str, str, str]] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> AppWatch:
        _, rv = await self.client.list(APPLICATIONS, NAMESPACE)
        self._task = asyncio.create_task(self._run(rv))
        return self

    async def _run(self, rv: str) -> None:
        async for _, obj in self.client.watch(APPLICATIONS, NAMESPACE, resource_version=rv, allow_bookmarks=False):
            s = obj.get("status") or {}
            self.seen.append((int(obj["metadata"]["resourceVersion"]), obj["metadata"]["name"],
                              str((s.get("sync") or {}).get("status")), str((s.get("health") or {}).get("status"))))

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    def first_ready(self, name: str) -> int:
        return min(rv for rv, n, sync, health in self.seen if n == name and sync == "Synced" and health == "Healthy")


async def _rv(client: Client, namespace: str, name: str) -> int:
    """A ConfigMap's resourceVersion: nothing modifies them after the sync creates them, so it is when."""
    cm = await client.get(CONFIGMAPS, namespace, name)
    assert cm is not None, f"{namespace}/{name}"
    return int(cm["metadata"]["resourceVersion"])


async def test_chain_syncs_in_dependency_order_and_waits_with_a_condition(kit: Kit) -> None:
    db, backend, frontend = f"{kit.name}-database", f"{kit.name}-backend", f"{kit.name}-frontend"
    kit.repo.write({
        "database/db.yaml": deployment("db", replicas=2), "database/cm.yaml": configmap("db-config", port="5432"),
        "backend/cm.yaml": configmap("backend-config", db="db"),
        "frontend/cm.yaml": configmap("frontend-config", api="backend"),
    })
    async with AppWatch(kit.client) as watch:
        # the dependents first: they must wait for an app that does not exist yet
        await kit.create(_app(kit, frontend, "frontend", [backend], automated={}))
        await kit.create(_app(kit, backend, "backend", [db], automated={}))
        waits = await until(lambda: _conditions(kit.client, backend, "DependencyNotReady"), limit_s=60,
                            what="backend waits for the database")
        assert waits == [f"sync waits for {NAMESPACE}/{db} (missing)"]

        async def frontend_waits() -> list[str]:  # the reason follows the backend's status as it changes
            messages = await _conditions(kit.client, frontend, "DependencyNotReady")
            assert messages and "OutOfSync" in messages[0], messages
            return messages
        fwaits = await until(frontend_waits, limit_s=60, what="frontend waits for the OutOfSync backend")
        assert fwaits[0].startswith(f"sync waits for {NAMESPACE}/{backend} (OutOfSync")
        assert (await _status(kit.client, backend))["sync"]["status"] == "OutOfSync"  # compared, not synced
        assert await kit.client.get(CONFIGMAPS, f"{backend}-ns", "backend-config") is None
        assert await kit.client.get(CONFIGMAPS, f"{frontend}-ns", "frontend-config") is None

        await kit.create(_app(kit, db, "database", [], automated={}))
        for name in (db, backend, frontend):
            status = await _synced_healthy(kit.client, name)
            assert not [c for c in status.get("conditions") or [] if c["type"].startswith("Dependency")], status
            assert len(status["history"]) == 1
        # what the API server saw: each app's first object came after its dependency was Synced and Healthy
        db_cm, backend_cm, frontend_cm = (await _rv(kit.client, f"{db}-ns", "db-config"),
                                          await _rv(kit.client, f"{backend}-ns", "backend-config"),
                                          await _rv(kit.client, f"{frontend}-ns", "frontend-config"))
        assert db_cm < watch.first_ready(db) < backend_cm < watch.first_ready(backend) < frontend_cm


async def test_cycle_is_reported_on_each_app_and_breaking_it_lets_them_sync(kit: Kit) -> None:
    a, b = f"{kit.name}-a", f"{kit.name}-b"
    kit.repo.write({"a/cm.yaml": configmap("a-config"), "b/cm.yaml": configmap("b-config")})
    await kit.create(_app(kit, a, "a", [b], automated={}))
    await kit.create(_app(kit, b, "b", [a], automated={}))
    for name, path in ((a, [a, b, a]), (b, [b, a, b])):
        messages = await until(lambda n=name: _conditions(kit.client, n, "DependencyCycle"), limit_s=60,  # type: ignore[misc]
                               what=f"cycle reported on {name}")
        assert messages == [f"dependsOn cycle: {' -> '.join(f'{NAMESPACE}/{p}' for p in path)}; nothing syncs "
                            "until it is broken"]
    assert await kit.client.get(CONFIGMAPS, f"{a}-ns", "a-config") is None
    assert await kit.client.get(CONFIGMAPS, f"{b}-ns", "b-config") is None
    # break the cycle: b no longer depends on a; b syncs, then a
    await kit.client.patch(APPLICATIONS, NAMESPACE, b, {"spec": {"dependsOn": None}}, field_manager="kubectl")
    await _synced_healthy(kit.client, b)
    status = await _synced_healthy(kit.client, a)
    assert not [c for c in status.get("conditions") or [] if c["type"].startswith("Dependency")]


async def test_manual_sync_waits_for_dependencies_then_runs(kit: Kit) -> None:
    dep, app = f"{kit.name}-dep", f"{kit.name}-manual"
    kit.repo.write({"dep/cm.yaml": configmap("dep-config"), "manual/cm.yaml": configmap("manual-config")})
    doc = _app(kit, app, "manual", [])
    doc["metadata"]["annotations"] = {"trueup.dev/depends-on": f"{NAMESPACE}/{dep}"}
    await kit.create(doc)
    operation = {"operation": {"sync": {}, "initiatedBy": {"username": "bob"}}}
    await kit.client.patch(APPLICATIONS, NAMESPACE, app, operation, field_manager="trueup-cli")
    waits = await until(lambda: _conditions(kit.client, app, "DependencyNotReady"), limit_s=60, what="manual waits")
    assert waits == [f"sync waits for {NAMESPACE}/{dep} (missing)"]
    pending = await kit.client.get(APPLICATIONS, NAMESPACE, app)
    assert pending is not None and pending["operation"]["sync"] == {}  # kept for later, not dropped
    assert "operationState" not in (pending.get("status") or {})
    assert await kit.client.get(CONFIGMAPS, f"{app}-ns", "manual-config") is None

    await kit.create(_app(kit, dep, "dep", [], automated={}))
    status = await _synced_healthy(kit.client, app)
    assert [h["initiator"] for h in status["history"]] == ["bob"]
    done = await kit.client.get(APPLICATIONS, NAMESPACE, app)
    assert done is not None and "operation" not in done


def test_dependencies_parse_from_spec_and_annotation() -> None:
    doc = {"apiVersion": "trueup.dev/v1alpha1", "kind": "Application",
           "metadata": {"name": "web", "annotations": {"trueup.dev/depends-on": "infra/db, cache,db"}},
           "spec": {"dependsOn": [{"name": "cache"}, {"name": "db", "namespace": "infra"}]}}
    assert dependencies(doc) == [Dependency("cache"), Dependency("db", "infra"), Dependency("db")]


@pytest.mark.parametrize(("change", "field"), [
    ({"metadata": {"name": "web", "annotations": {"trueup.dev/depends-on": "a/b/c"}}},
     "metadata.annotations[trueup.dev/depends-on]: 'a/b/c'"),
    ({"spec": {"dependsOn": ["db"]}}, "spec.dependsOn[0]"),
    ({"spec": {"dependsOn": "db"}}, "spec.dependsOn must be a list"),
])
def test_malformed_dependencies_name_the_field(change: Obj, field: str) -> None:
    doc: Obj = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "web"},
                "spec": {"source": {"repoURL": "https://git.example/r"},
                         "destination": {"server": "https://kubernetes.default.svc"}}}
    for key, value in change.items():
        doc[key] = {**doc[key], **value}
    with pytest.raises(AppError) as err:
        parse_application(doc, source="apps/web.yaml")
    assert "apps/web.yaml" in str(err.value) and field in str(err.value)


def _doc(name: str, deps: str = "", sync: str = "", health: str = "", phase: str = "") -> Obj:
    doc: Obj = {"metadata": {"name": name, "namespace": "ns", "annotations": {"trueup.dev/depends-on": deps}}}
    if sync or health:
        doc["status"] = {"sync": {"status": sync}, "health": {"status": health}}
        if phase:
            doc["status"]["operationState"] = {"phase": phase}
    return doc


@pytest.mark.parametrize(("doc", "reason"), [
    (None, "missing"),
    (_doc("a"), "not reconciled yet"),
    (_doc("a", sync="Synced", health="Healthy"), None),
    (_doc("a", sync="Synced", health="Healthy", phase="Running"), "syncing"),
    (_doc("a", sync="OutOfSync", health="Healthy"), "OutOfSync"),
    (_doc("a", sync="Synced", health="Degraded"), "health Degraded"),
    (_doc("a", sync="Unknown", health="Missing"), "Unknown, health Missing"),
    ({**_doc("a", sync="Synced", health="Healthy"), "metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}},
     "being deleted"),
])
def test_why_a_dependency_is_not_ready(doc: Obj | None, reason: str | None) -> None:
    assert why_not_ready(doc) == reason


async def test_cycles_through_the_app_are_found_and_others_are_just_waited_for() -> None:
    apps = {"a": _doc("a", "b"), "b": _doc("b", "c,other/x"), "c": _doc("c", "a"),
            "d": _doc("d", "a", sync="Synced", health="Healthy")}

    async def lookup(namespace: str, name: str) -> Obj | None:
        return apps.get(name) if namespace == "ns" else None

    assert await find_cycle("ns", "a", lookup) == ["ns/a", "ns/b", "ns/c", "ns/a"]
    assert await find_cycle("ns", "d", lookup) is None  # depends on a cycle, is not in it: waits
    assert await not_ready("ns", [Dependency("a"), Dependency("d"), Dependency("x", "other")], lookup) == [
        "ns/a (not reconciled yet)", "other/x (missing)"]
