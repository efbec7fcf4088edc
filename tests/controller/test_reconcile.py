"""The controller end to end on the embedded cluster: auto-sync, new commits, manual operations,
errors that must not sync or prune, invalid Applications."""

from __future__ import annotations

from tests.controller.conftest import Kit, application, configmap, deployment, until
from trueup.controller import APPLICATIONS
from trueup.kube.resources import CONFIGMAPS, DEPLOYMENTS


async def test_auto_sync_becomes_synced_healthy_with_history(kit: Kit) -> None:
    sha = kit.repo.write({"app/web.yaml": deployment("web"), "app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    status = await kit.synced(sha)
    assert status["history"][0]["revision"] == sha
    assert status["history"][0]["id"] == 0
    assert status["history"][0]["initiator"] == "automated"
    op = status["operationState"]
    assert op["phase"] == "Succeeded" and op["syncResult"]["revision"] == sha and op["finishedAt"]
    rows = {(r["kind"], r["name"]): r for r in status["resources"]}
    assert rows[("Deployment", "web")]["status"] == "Synced"
    assert rows[("Deployment", "web")]["health"]["status"] == "Healthy"
    assert rows[("ConfigMap", "settings")]["group"] == ""
    assert status["reconciledAt"]
    assert await kit.client.get(DEPLOYMENTS, kit.ns, "web") is not None


async def test_new_commit_is_picked_up_and_synced(kit: Kit) -> None:
    first = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(first)
    second = kit.repo.write({"app/cm.yaml": configmap("settings", mode="b")})
    kit.controller.refresh(kit.name)
    status = await kit.synced(second)
    assert [h["revision"] for h in status["history"]] == [first, second]
    cm = await kit.client.get(CONFIGMAPS, kit.ns, "settings")
    assert cm is not None and cm["data"] == {"mode": "b"}


async def test_render_error_is_a_comparison_error_and_prunes_nothing(kit: Kit) -> None:
    first = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a"), "app/cm2.yaml": configmap("other")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"prune": True, "selfHeal": True}))
    await kit.synced(first)
    kit.repo.write({"app/cm2.yaml": "kind: [unclosed\n"})
    kit.controller.refresh(kit.name)
    messages = await until(lambda: kit.conditions("ComparisonError"), what="ComparisonError")
    assert "cm2.yaml" in messages[0]
    status = await kit.status()
    assert status["sync"]["status"] == "Unknown"
    assert len(status["history"]) == 1
    assert await kit.client.get(CONFIGMAPS, kit.ns, "settings") is not None
    assert await kit.client.get(CONFIGMAPS, kit.ns, "other") is not None


async def test_manual_operation_sync_runs_once_and_is_cleared(kit: Kit) -> None:
    sha = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns))
    await until(lambda: _sync_status(kit, "OutOfSync"), what="OutOfSync without automated sync")
    assert await kit.client.get(CONFIGMAPS, kit.ns, "settings") is None
    await kit.client.patch(APPLICATIONS, "trueup", kit.name,
                           {"operation": {"sync": {"prune": False}, "initiatedBy": {"username": "alice"}}},
                           field_manager="trueup-cli")
    status = await kit.synced(sha)
    assert "operation" not in await kit.app()
    assert [(h["revision"], h["initiator"]) for h in status["history"]] == [(sha, "alice")]
    assert status["operationState"]["phase"] == "Succeeded"
    assert await kit.client.get(CONFIGMAPS, kit.ns, "settings") is not None


async def test_invalid_application_gets_invalid_spec_error(kit: Kit) -> None:
    doc = application(kit.name, kit.repo, kit.ns, automated={})
    doc["spec"]["destination"] = {"namespace": kit.ns}
    await kit.create(doc)
    messages = await until(lambda: kit.conditions("InvalidSpecError"), what="InvalidSpecError")
    assert "spec.destination.server" in messages[0]
    assert "history" not in await kit.status()


async def test_unsupported_fields_are_conditions(kit: Kit) -> None:
    sha = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    doc = application(kit.name, kit.repo, kit.ns, automated={})
    doc["spec"]["syncPolicy"]["managedNamespaceMetadata"] = {"labels": {"a": "b"}, "finalizers": ["x"]}
    await kit.create(doc)
    await kit.synced(sha)
    messages = await kit.conditions("UnsupportedField")
    assert any("spec.syncPolicy.managedNamespaceMetadata.finalizers" in m for m in messages)


async def _sync_status(kit: Kit, want: str) -> bool:
    return bool(((await kit.status()).get("sync") or {}).get("status") == want)
