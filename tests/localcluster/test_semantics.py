"""Object semantics over the real HTTPS API: concurrency, generation, finalizers, SSA, 410, restart."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from trueup.localcluster.cluster import LocalCluster

from .conftest import Api

CM_PATH = "/api/v1/namespaces/default/configmaps"
DEPLOY_PATH = "/apis/apps/v1/namespaces/default/deployments"


def deploy(name: str, replicas: int = 1, image: str = "nginx:1.27") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "c", "image": image}]}}},
    }


async def test_optimistic_concurrency(api: Api) -> None:
    code, cm = await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                                   "metadata": {"name": "occ"}, "data": {"a": "1"}})
    assert code == 201
    stale = dict(cm, data={"a": "2"})
    code, _ = await api.request("PUT", f"{CM_PATH}/occ", stale)
    assert code == 200
    code, status = await api.request("PUT", f"{CM_PATH}/occ", dict(cm, data={"a": "3"}))
    assert code == 409 and status["reason"] == "Conflict"
    assert "the object has been modified" in status["message"]
    _, live = await api.request("GET", f"{CM_PATH}/occ")
    assert live["data"] == {"a": "2"}


async def test_generation_moves_with_spec_only(api: Api) -> None:
    code, d = await api.request("POST", DEPLOY_PATH, deploy("gen"))
    assert code == 201 and d["metadata"]["generation"] == 1
    _, d = await api.request("PATCH", f"{DEPLOY_PATH}/gen", {"metadata": {"labels": {"x": "y"}}},
                             content_type="application/merge-patch+json")
    assert d["metadata"]["generation"] == 1
    _, d = await api.request("PATCH", f"{DEPLOY_PATH}/gen/status", {"status": {"replicas": 1}},
                             content_type="application/merge-patch+json")
    assert d["metadata"]["generation"] == 1 and d["status"]["replicas"] == 1
    _, d = await api.request("PATCH", f"{DEPLOY_PATH}/gen", {"spec": {"replicas": 3}},
                             content_type="application/merge-patch+json")
    assert d["metadata"]["generation"] == 2
    # Main-resource writes cannot change status; status writes cannot change spec.
    _, d = await api.request("PATCH", f"{DEPLOY_PATH}/gen", {"status": {"replicas": 7}},
                             content_type="application/merge-patch+json")
    assert d["status"]["replicas"] == 1
    _, d = await api.request("PATCH", f"{DEPLOY_PATH}/gen/status", {"spec": {"replicas": 9}},
                             content_type="application/merge-patch+json")
    assert d["spec"]["replicas"] == 3


async def test_noop_write_keeps_resource_version(api: Api) -> None:
    _, cm = await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                                "metadata": {"name": "noop"}, "data": {"a": "1"}})
    _, again = await api.request("PATCH", f"{CM_PATH}/noop", {"data": {"a": "1"}},
                                 content_type="application/merge-patch+json")
    assert again["metadata"]["resourceVersion"] == cm["metadata"]["resourceVersion"]


async def test_a_namespace_that_starts_terminating_refuses_new_content(api: Api) -> None:
    ns = "ending"
    await api.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": ns, "finalizers": ["example.com/hold"]}})

    async def apply(name: str) -> tuple[int, Any]:
        return await api.request("PATCH", f"/api/v1/namespaces/{ns}/configmaps/{name}",
                                 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}},
                                 content_type="application/apply-patch+yaml", params={"fieldManager": "t"})

    code, _ = await apply("before")
    assert code == 201
    code, _ = await api.request("DELETE", f"/api/v1/namespaces/{ns}")
    assert code == 200
    code, status = await apply("after")
    assert code == 403 and f"namespace {ns} because it is being terminated" in status["message"]


async def test_finalizers_hold_deletion(api: Api) -> None:
    await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": {"name": "fin", "finalizers": ["a.example/x", "b.example/y"]}})
    code, obj = await api.request("DELETE", f"{CM_PATH}/fin")
    assert code == 200 and obj["metadata"]["deletionTimestamp"]
    code, obj = await api.request("PATCH", f"{CM_PATH}/fin", [{"op": "replace", "path": "/metadata/finalizers",
                                                                "value": ["b.example/y"]}],
                                  content_type="application/json-patch+json")
    assert code == 200 and obj["metadata"]["finalizers"] == ["b.example/y"]
    code, _ = await api.request("GET", f"{CM_PATH}/fin")
    assert code == 200
    await api.request("PATCH", f"{CM_PATH}/fin", {"metadata": {"finalizers": None}},
                      content_type="application/merge-patch+json")
    code, status = await api.request("GET", f"{CM_PATH}/fin")
    assert code == 404 and status["reason"] == "NotFound"


async def test_delete_preconditions(api: Api) -> None:
    _, cm = await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "pre"}})
    code, status = await api.request("DELETE", f"{CM_PATH}/pre", {"preconditions": {"uid": "not-the-uid"}})
    assert code == 409 and "Precondition failed" in status["message"]
    code, _ = await api.request("DELETE", f"{CM_PATH}/pre", {"preconditions": {"uid": cm["metadata"]["uid"]}})
    assert code == 200


async def test_server_side_apply_ownership_and_conflicts(api: Api) -> None:
    path = f"{DEPLOY_PATH}/owned"
    code, d = await api.request("PATCH", path, deploy("owned", 2), content_type="application/apply-patch+yaml",
                                params={"fieldManager": "alice"})
    assert code == 201
    assert [(m["manager"], m["operation"]) for m in d["metadata"]["managedFields"]] == [("alice", "Apply")]
    # Bob applies the same value: shared, no conflict.
    code, d = await api.request("PATCH", path, {"apiVersion": "apps/v1", "kind": "Deployment",
                                                "metadata": {"name": "owned"}, "spec": {"replicas": 2}},
                                content_type="application/apply-patch+yaml", params={"fieldManager": "bob"})
    assert code == 200
    # Bob changes it: conflict with alice.
    code, status = await api.request("PATCH", path, {"apiVersion": "apps/v1", "kind": "Deployment",
                                                     "metadata": {"name": "owned"}, "spec": {"replicas": 5}},
                                     content_type="application/apply-patch+yaml", params={"fieldManager": "bob"})
    assert code == 409
    assert status["message"] == 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas'
    assert status["details"]["causes"][0]["field"] == ".spec.replicas"
    code, d = await api.request("PATCH", path, {"apiVersion": "apps/v1", "kind": "Deployment",
                                                "metadata": {"name": "owned"}, "spec": {"replicas": 5}},
                                content_type="application/apply-patch+yaml",
                                params={"fieldManager": "bob", "force": "true"})
    assert code == 200 and d["spec"]["replicas"] == 5
    alice = next(m for m in d["metadata"]["managedFields"] if m["manager"] == "alice")
    assert "f:replicas" not in alice["fieldsV1"]["f:spec"]
    # Missing fieldManager on apply is refused.
    code, status = await api.request("PATCH", path, deploy("owned"), content_type="application/apply-patch+yaml")
    assert code == 422 and "fieldManager" in status["message"]


async def test_dry_run_never_persists(api: Api) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry"}}
    code, obj = await api.request("POST", CM_PATH, body, params={"dryRun": "All"})
    assert code == 201 and obj["metadata"]["uid"]
    code, _ = await api.request("GET", f"{CM_PATH}/dry")
    assert code == 404


async def test_watch_from_compacted_version_is_gone(tmp_path: Path) -> None:
    async with LocalCluster(tmp_path / "d", history_limit=5) as c:
        api = Api(c)
        try:
            for i in range(20):
                await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                                    "metadata": {"name": f"c{i}"}})
            assert c.store is not None
            c.store.compact()
            events = await api.watch_lines(CM_PATH, {"watch": "true", "resourceVersion": "1"}, 1)
            assert events[0]["type"] == "ERROR"
            assert events[0]["object"]["code"] == 410 and events[0]["object"]["reason"] == "Expired"
            code, _ = await api.request("GET", CM_PATH, params={"resourceVersion": "1",
                                                                      "resourceVersionMatch": "Exact"})
            assert code == 410
        finally:
            await api.close()


async def test_watch_list_sends_initial_events_then_bookmark(api: Api) -> None:
    for i in range(3):
        await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"wl{i}"}})
    events = await api.watch_lines(CM_PATH, {"watch": "true", "sendInitialEvents": "true",
                                             "resourceVersionMatch": "NotOlderThan", "allowWatchBookmarks": "true",
                                             "labelSelector": ""}, 4)
    assert [e["type"] for e in events] == ["ADDED", "ADDED", "ADDED", "BOOKMARK"]
    assert events[3]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


async def test_label_selector_watch_turns_modified_into_added_and_deleted(api: Api) -> None:
    await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sel"}})
    _, lst = await api.request("GET", CM_PATH)
    rv = lst["metadata"]["resourceVersion"]

    async def flip() -> None:
        await asyncio.sleep(0.3)
        for value in ("on", "off"):
            await api.request("PATCH", f"{CM_PATH}/sel", {"metadata": {"labels": {"watch": value}}},
                              content_type="application/merge-patch+json")

    task = asyncio.create_task(flip())
    events = await api.watch_lines(CM_PATH, {"watch": "true", "resourceVersion": rv, "labelSelector": "watch=on"}, 2)
    await task
    assert [e["type"] for e in events] == ["ADDED", "DELETED"]


async def test_restart_keeps_objects_and_continues_resource_versions(tmp_path: Path) -> None:
    data = tmp_path / "persist"
    async with LocalCluster(data) as c:
        api = Api(c)
        _, cm = await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                                    "metadata": {"name": "kept"}, "data": {"x": "1"}})
        await api.close()
    async with LocalCluster(data) as c:
        api = Api(c)
        _, again = await api.request("GET", f"{CM_PATH}/kept")
        assert again["data"] == {"x": "1"} and again["metadata"]["uid"] == cm["metadata"]["uid"]
        _, newer = await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                                       "metadata": {"name": "later"}})
        assert int(newer["metadata"]["resourceVersion"]) > int(cm["metadata"]["resourceVersion"])
        await api.close()


async def test_bad_input_gets_clear_4xx(api: Api) -> None:
    code, status = await api.request("POST", CM_PATH, b"{not json", content_type="application/json")
    assert code == 400 and status["kind"] == "Status"
    code, status = await api.request("POST", CM_PATH, {"apiVersion": "apps/v1", "kind": "Deployment",
                                                       "metadata": {"name": "x"}})
    assert code == 400 and "does not match" in status["message"]
    code, status = await api.request("POST", CM_PATH, {"apiVersion": "v1", "kind": "ConfigMap",
                                                       "metadata": {"name": "Bad_Name"}})
    assert code == 422 and status["reason"] == "Invalid"
    assert status["details"]["causes"][0]["field"] == "metadata.name"
    big = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"' + b"x" * (4 << 20) + b'"}}'
    code, status = await api.request("POST", CM_PATH, big)
    assert code == 413
    code, status = await api.request("POST", CM_PATH, b"\x6b\x38\x73\x00junk",
                                     content_type="application/vnd.kubernetes.protobuf")
    assert code == 415 and "protobuf" in status["message"]
    code, _ = await api.request("GET", f"{CM_PATH}/big")
    assert code == 404
