"""core/v1 Events on the Application: drift (fields and manager, never a Secret value), self-heal,
sync results; found the way `kubectl describe` finds them (fieldSelector on involvedObject)."""

from __future__ import annotations

import base64

from tests.controller.conftest import NAMESPACE, Kit, Obj, application, deployment, until
from trueup.controller.events import EventRecorder
from trueup.kube.resources import DEPLOYMENTS, EVENTS, SECRETS


async def _events(kit: Kit, reason: str | None = None) -> list[Obj]:
    items, _ = await kit.client.list(EVENTS, NAMESPACE, field_selector=f"involvedObject.name={kit.name}")
    return [e for e in items if reason is None or e.get("reason") == reason]


async def _has(kit: Kit, reason: str) -> list[Obj]:
    found = await _events(kit, reason)
    assert found, f"no {reason} event yet"
    return found


def _secret(name: str, password: str) -> str:
    value = base64.b64encode(password.encode()).decode()
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ntype: Opaque\ndata:\n  password: {value}\n"


async def test_drift_and_heal_are_recorded_as_events_on_the_application(kit: Kit) -> None:
    sha = kit.repo.write({"app/web.yaml": deployment("web", replicas=2)})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"selfHeal": True}))
    await kit.synced(sha)
    await kit.client.patch(DEPLOYMENTS, kit.ns, "web", {"spec": {"replicas": 5}}, field_manager="kubectl-scale")
    drifted = (await until(lambda: _has(kit, "ResourceDrifted"), what="ResourceDrifted event"))[0]
    assert drifted["type"] == "Warning"
    assert drifted["message"] == f'Deployment {kit.ns}/web: .spec.replicas changed by "kubectl-scale" (5, Git says 2)'
    healed = (await until(lambda: _has(kit, "ResourceHealed"), what="ResourceHealed event"))[0]
    assert healed["type"] == "Normal"
    assert f"Deployment {kit.ns}/web" in healed["message"] and ".spec.replicas" in healed["message"]
    app = await kit.app()
    involved = drifted["involvedObject"]
    assert involved == {**involved, "apiVersion": "trueup.dev/v1alpha1", "kind": "Application", "name": kit.name,
                        "namespace": NAMESPACE, "uid": app["metadata"]["uid"]}
    assert drifted["source"]["component"] == "trueup-controller"
    assert drifted["reportingComponent"] == "trueup-controller"
    assert drifted["count"] == 1 and drifted["firstTimestamp"] and drifted["lastTimestamp"]
    assert drifted["metadata"]["name"].startswith(f"{kit.name}.")
    assert any(m.get("manager") == "trueup" for m in drifted["metadata"].get("managedFields") or [])
    # everything listed is this app's
    assert {e["involvedObject"]["name"] for e in await _events(kit)} == {kit.name}


async def test_a_drifted_secrets_event_never_shows_its_value(kit: Kit) -> None:
    sha = kit.repo.write({"app/creds.yaml": _secret("creds", "git-s3cr3t-value")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"selfHeal": True}))
    await kit.synced(sha, health="Healthy")
    leaked = "out-of-band-hunter2"
    await kit.client.patch(SECRETS, kit.ns, "creds", {"data": {"password": base64.b64encode(leaked.encode()).decode()}},
                           field_manager="intruder")
    event = (await until(lambda: _has(kit, "ResourceDrifted"), what="ResourceDrifted event"))[0]
    message = event["message"]
    assert ".data.password" in message and '"intruder"' in message
    for secret in ("git-s3cr3t-value", leaked):
        assert secret not in message
        assert base64.b64encode(secret.encode()).decode() not in message
    await until(lambda: _has(kit, "ResourceHealed"), what="ResourceHealed event")


async def test_a_successful_sync_records_operation_completed_with_the_revision(kit: Kit) -> None:
    sha = kit.repo.write({"app/web.yaml": deployment("web", replicas=1)})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(sha)
    event = (await until(lambda: _has(kit, "OperationCompleted"), what="OperationCompleted event"))[0]
    assert event["type"] == "Normal" and sha in event["message"]
    assert not await _events(kit, "OperationFailed")


async def test_repeats_are_aggregated_into_one_event_with_a_count(kit: Kit) -> None:
    recorder = EventRecorder(kit.client)
    app: Obj = {"apiVersion": "trueup.dev/v1alpha1", "kind": "Application",
                "metadata": {"name": kit.name, "namespace": NAMESPACE, "uid": "uid-1"}}
    for _ in range(3):
        recorder.backoff(app, f"Deployment {kit.ns}/web", ".spec.replicas", "hpa-like")
    recorder.backoff(app, f"Deployment {kit.ns}/web", ".spec.replicas", "other")
    await recorder.flush()
    events = await _events(kit, "SelfHealBackoff")
    assert sorted(e["count"] for e in events) == [1, 3]
    repeated = next(e for e in events if e["count"] == 3)
    assert '"hpa-like"' in repeated["message"] and repeated["type"] == "Warning"
