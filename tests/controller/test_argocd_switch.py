"""`--argocd-apps auto` follows the cluster while trueup runs (argocd.ArgoCDApps, re-checked every
`recheck_s`): Argo CD's CRD installed after the start → its Applications are reconciled; an Argo
CD application controller appearing → trueup stops touching them (an out-of-band change is no
longer healed, their status is left as it is) and says so once; it going → reconciled again.

Its own cluster: whether Argo CD runs is a cluster-wide fact."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import yaml

from tests.controller.argo import argo_app, argo_synced, get_argo, install_argocd_crd
from tests.controller.conftest import NAMESPACE, Kit, application, configmap, deployment, until
from trueup.controller import APPLICATIONS, Controller
from trueup.controller.argocd import ArgoCDApps
from trueup.controller.operate import ARGO_APPLICATIONS
from trueup.kube.resources import CONFIGMAPS, DEPLOYMENTS
from trueup.localcluster.cluster import LocalCluster


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalCluster]:
    async with LocalCluster(tmp_path_factory.mktemp("argoswitch") / "cluster") as c:
        yield c


async def _value(kit: Kit, ns: str, name: str) -> str | None:
    cm = await kit.client.get(CONFIGMAPS, ns, name)
    return None if cm is None else str((cm.get("data") or {}).get("v"))


async def test_argocd_apps_follow_the_crd_and_argocd_coming_and_going(kit: Kit) -> None:
    ctl = kit.controller
    said: list[str] = []
    switch = ArgoCDApps(ctl, lambda ns: Controller(ctl.client, ctl.repos, namespace=ns, poll_interval=60.0,
                                                   wave_timeout=30.0, metrics=ctl.metrics, apps=ARGO_APPLICATIONS,
                                                   install_crds=False),
                        [NAMESPACE, "argocd"], "auto", recheck_s=0.3, say=said.append, stop_grace_s=5.0)
    decision = await switch.start()
    try:
        assert not decision.enabled and "CRD applications.argoproj.io not installed" in decision.reason
        sha = kit.repo.write({"argo/cm.yaml": configmap("argo-cm", v="git"),
                              "witness/cm.yaml": configmap("witness-cm", v="git")})

        # the CRD appears while trueup runs: its Applications are reconciled from the next check on
        await install_argocd_crd(kit.client)
        await kit.client.create(ARGO_APPLICATIONS, "argocd", argo_app(kit.name, "argocd", kit.repo, kit.ns, "argo"),
                                field_manager="kubectl")
        await argo_synced(kit.client, "argocd", kit.name, sha)
        assert any("argoproj.io Applications: reconciled" in line and "changed since the last check" in line
                   for line in said), said

        # Argo CD's application controller appears: trueup lets go of them, saying so once
        await kit.client.create(DEPLOYMENTS, "argocd", yaml.safe_load(deployment("argocd-application-controller")),
                                field_manager="kubectl")
        await until(lambda: not switch.enabled and not ctl.followers, limit_s=30, what="the followers stopped")
        left = [line for line in said if "left to Argo CD" in line]
        assert len(left) == 1 and "Deployment argocd/argocd-application-controller" in left[0], said
        assert "stopped reconciling them" in left[0]
        before = (await get_argo(kit.client, "argocd", kit.name))["metadata"]["resourceVersion"]

        # an out-of-band change to the Argo CD app's object is no longer healed, while trueup's own app
        # (the witness, changed after it) is: the controller is working, only not on Argo CD's apps
        witness = f"{kit.name}-w"
        await kit.create(application(witness, kit.repo, witness, automated={"selfHeal": True}, path="witness"))
        await until(lambda: _synced(kit, witness, sha), limit_s=60, what="the witness app Synced")
        await kit.client.patch(CONFIGMAPS, kit.ns, "argo-cm", {"data": {"v": "edited"}}, field_manager="kubectl-edit")
        await kit.client.patch(CONFIGMAPS, witness, "witness-cm", {"data": {"v": "edited"}},
                               field_manager="kubectl-edit")
        await until(lambda: _is(kit, witness, "witness-cm", "git"), limit_s=60, what="the witness healed")
        assert await _value(kit, kit.ns, "argo-cm") == "edited"
        assert (await get_argo(kit.client, "argocd", kit.name))["metadata"]["resourceVersion"] == before

        # Argo CD goes again: trueup takes its apps back, and heals the change
        await kit.client.delete(DEPLOYMENTS, "argocd", "argocd-application-controller")
        await until(lambda: _is(kit, kit.ns, "argo-cm", "git"), limit_s=60, what="the Argo CD app's object healed")
        assert switch.enabled and len(ctl.followers) == 2
    finally:
        await switch.stop()
        for follower in list(ctl.followers):
            await ctl.remove_follower(follower, 0.0)


async def _is(kit: Kit, ns: str, name: str, value: str) -> bool:
    return await _value(kit, ns, name) == value


async def _synced(kit: Kit, name: str, sha: str) -> bool:
    doc = await kit.client.get(APPLICATIONS, NAMESPACE, name)
    sync = ((doc or {}).get("status") or {}).get("sync") or {}
    return sync.get("status") == "Synced" and sync.get("revision") == sha
