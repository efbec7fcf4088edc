"""What a user sees while a sync runs: the comparison (OutOfSync, resources) and operationState
Running (revision, startedAt, the wave it waits for) are written when the sync starts, the message
follows the waves, and it ends Succeeded; a few status writes per sync, not one per object. And the
`argocd.argoproj.io/refresh` annotation is removed once processed, so setting it again refreshes
again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from tests.controller.conftest import NAMESPACE, Kit, application, configmap, until
from trueup.controller import APPLICATIONS

Obj = dict[str, Any]
REFRESH = "argocd.argoproj.io/refresh"


def job(name: str, seconds: int, wave: int = 0) -> str:
    """A Job the simulated kubelet runs for `seconds`: its wave waits until it completes."""
    return f"""apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
  annotations:
    argocd.argoproj.io/sync-wave: "{wave}"
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations:
        sim.trueup.dev/run-seconds: "{seconds}"
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:1.36
"""


def wave1(name: str, **data: str) -> str:
    cm = configmap(name, **data)
    return cm.replace(f"  name: {name}\n", f"  name: {name}\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1\"\n")


@contextlib.asynccontextmanager
async def recorded(kit: Kit) -> AsyncIterator[list[Obj]]:
    """Every version of the test's Application (its watch events), in order."""
    seen: list[Obj] = []

    async def watch() -> None:
        async for etype, obj in kit.client.watch(APPLICATIONS, NAMESPACE, field_selector=f"metadata.name={kit.name}",
                                                 timeout_seconds=300):
            if etype in ("ADDED", "MODIFIED"):
                seen.append(obj)

    task = asyncio.create_task(watch())
    await asyncio.sleep(0)
    try:
        yield seen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def op(doc: Obj) -> Obj:
    return dict((doc.get("status") or {}).get("operationState") or {})


def sync(doc: Obj) -> Obj:
    return dict((doc.get("status") or {}).get("sync") or {})


async def test_status_shows_the_comparison_and_the_running_wave_while_a_sync_runs(kit: Kit) -> None:
    files = {"app/job.yaml": job("migrate", 3)}
    files.update({f"app/cm{i}.yaml": wave1(f"cm{i}", v="1") for i in range(10)})
    first = kit.repo.write(files)
    async with recorded(kit) as seen:
        await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
        await kit.synced(first)
        await until(lambda: seen and op(seen[-1]).get("phase") == "Succeeded" and sync(seen[-1]).get("status")
                    == "Synced", what="the last write seen")
    running = [d for d in seen if op(d).get("phase") == "Running"]
    assert running, [op(d) for d in seen]
    start = running[0]
    # the comparison is written with the start of the sync, not after it
    assert sync(start)["status"] == "OutOfSync" and sync(start)["revision"] == first
    kinds = sorted({r["kind"] for r in start["status"]["resources"]})
    assert kinds == ["ConfigMap", "Job"] and len(start["status"]["resources"]) == 11
    assert op(start)["syncResult"]["revision"] == first and op(start)["startedAt"]
    assert first[:12] in op(start)["message"] and "waves 0, 1" in op(start)["message"]
    messages = [op(d)["message"] for d in running]
    assert any("wave 0 applied, waiting for Job migrate to be healthy; then wave 1" in m for m in messages), messages
    # a handful of writes for 11 objects in 2 waves: never one per object
    writes = [d for d in seen if d.get("status")]
    assert len(writes) <= 7, [op(d).get("message") for d in writes]

    # a new commit: the status says OutOfSync at the new revision with a Running sync, never
    # "Synced" at the new revision before the sync finished
    files = {"app/job2.yaml": job("migrate-2", 3)}
    files.update({f"app/cm{i}.yaml": wave1(f"cm{i}", v="2") for i in range(10)})
    second = kit.repo.write(files)
    async with recorded(kit) as seen:
        kit.controller.refresh(kit.name)
        await kit.synced(second)
    at_second = [d for d in seen if sync(d).get("revision") == second]
    assert sync(at_second[0])["status"] == "OutOfSync" and op(at_second[0])["phase"] == "Running"
    assert op(at_second[0])["syncResult"]["revision"] == second
    messages = [op(d).get("message", "") for d in at_second]
    # only what the wave's health wait is for: the new Job, not the finished one nor the ConfigMaps
    assert any("wave 0 applied, waiting for Job migrate-2 to be healthy" in m for m in messages), messages
    awaited = [m.split("waiting for ", 1)[1].split(" to be healthy")[0] for m in messages if "waiting for " in m]
    assert all("ConfigMap" not in a and "Job migrate," not in a + "," for a in awaited), messages
    synced = [d for d in at_second if sync(d)["status"] == "Synced"]
    assert synced and all(op(d)["phase"] == "Succeeded" for d in synced)


async def _annotation(kit: Kit) -> str | None:
    doc = await kit.app()
    value = ((doc.get("metadata") or {}).get("annotations") or {}).get(REFRESH)
    return None if value is None else str(value)


async def test_refresh_annotation_is_removed_once_processed_and_can_be_set_again(kit: Kit) -> None:
    first = kit.repo.write({"app/cm.yaml": configmap("settings", mode="a")})
    await kit.create(application(kit.name, kit.repo, kit.ns, automated={}))
    await kit.synced(first)
    for mode, value in (("b", "hard"), ("c", "normal"), ("d", "hard")):
        sha = kit.repo.write({"app/cm.yaml": configmap("settings", mode=mode)})
        await kit.client.patch(APPLICATIONS, NAMESPACE, kit.name, {"metadata": {"annotations": {REFRESH: value}}},
                               field_manager="kubectl")
        await kit.synced(sha)  # the poll is 60 s away: only the annotation made it look
        await until(lambda: _gone(kit), what=f"the {value} refresh annotation removed")


async def _gone(kit: Kit) -> bool:
    return await _annotation(kit) is None
