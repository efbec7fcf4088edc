"""Drift on managed objects: healed with selfHeal (recorded with fields and manager), reported
without it, and backed off when another manager keeps changing the same field."""

from __future__ import annotations

from tests.controller.conftest import Kit, application, deployment, until
from trueup.kube.resources import DEPLOYMENTS


async def _scale(kit: Kit, replicas: int, manager: str) -> None:
    await kit.client.patch(DEPLOYMENTS, kit.ns, "web", {"spec": {"replicas": replicas}}, field_manager=manager)


async def _replicas(kit: Kit) -> int:
    d = await kit.client.get(DEPLOYMENTS, kit.ns, "web")
    assert d is not None
    return int(d["spec"]["replicas"])


async def test_out_of_band_change_is_healed_with_self_heal(kit: Kit) -> None:
    sha = kit.repo.write({"app/web.yaml": deployment("web", replicas=1)})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"selfHeal": True}))
    await kit.synced(sha)
    await _scale(kit, 3, "kubectl-scale")
    await until(lambda: _replicas_is(kit, 1), limit_s=3.0, what="replicas healed back to 1")
    drift = await until(lambda: _drift(kit), what="driftHistory entry")
    assert drift[-1]["kind"] == "Deployment" and drift[-1]["name"] == "web"
    assert drift[-1]["fields"] == [".spec.replicas"]
    assert drift[-1]["managers"] == ["kubectl-scale"]
    assert drift[-1]["action"] == "healed"
    await kit.synced(sha)


async def test_drift_is_only_reported_without_self_heal(kit: Kit) -> None:
    sha = kit.repo.write({"app/web.yaml": deployment("web", replicas=1)})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(sha)
    await _scale(kit, 2, "kubectl-scale")
    messages = await until(lambda: kit.conditions("DriftDetected"), what="DriftDetected")
    assert ".spec.replicas" in messages[0] and "kubectl-scale" in messages[0]
    status = await kit.status()
    assert status["sync"]["status"] == "OutOfSync"
    assert await _replicas(kit) == 2
    assert len(status["history"]) == 1


async def test_field_fighter_gets_backoff_and_a_condition(kit: Kit) -> None:
    sha = kit.repo.write({"app/web.yaml": deployment("web", replicas=1)})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={"selfHeal": True}))
    await kit.synced(sha)
    await _scale(kit, 4, "hpa-like")
    await until(lambda: _replicas_is(kit, 1), limit_s=3.0, what="first heal")
    await _scale(kit, 4, "hpa-like")
    messages = await until(lambda: kit.conditions("SelfHealBackoff"), what="SelfHealBackoff")
    assert "hpa-like" in messages[0] and ".spec.replicas" in messages[0]
    # after the backoff (2 s) it is healed again
    await until(lambda: _replicas_is(kit, 1), limit_s=6.0, what="heal after backoff")


async def _replicas_is(kit: Kit, n: int) -> bool:
    return await _replicas(kit) == n


async def _drift(kit: Kit) -> list[dict[str, object]]:
    return list((await kit.status()).get("driftHistory") or [])
