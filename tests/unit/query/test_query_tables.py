"""Tables as `kubectl get` prints them: column headers and the cells of each row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from trueup.localcluster.errors import APIError
from trueup.localcluster.query import human_duration, table_row_event, to_table
from trueup.localcluster.resources import Registry, ResourceType

NOW = datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC)
REGISTRY = Registry()


def ts(seconds_ago: float) -> str:
    return (NOW - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def rt(api_version: str, kind: str) -> ResourceType:
    found = REGISTRY.by_kind(api_version, kind)
    assert found is not None
    return found


def meta(name: str, age_s: float = 300, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": "default", "creationTimestamp": ts(age_s), "resourceVersion": "7",
            "uid": f"uid-{name}", "labels": {"app": name}, **extra}


def headers(table: dict[str, Any], wide: bool = False) -> list[str]:
    return [c["name"].upper() for c in table["columnDefinitions"] if wide or c["priority"] == 0]


def cells(table: dict[str, Any], wide: bool = False) -> list[list[Any]]:
    keep = [i for i, c in enumerate(table["columnDefinitions"]) if wide or c["priority"] == 0]
    return [[row["cells"][i] for i in keep] for row in table["rows"]]


def table(api_version: str, kind: str, *objects: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return to_table(rt(api_version, kind), list(objects), now=NOW, **kw)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (5, "5s"), (119, "119s"), (182, "3m2s"), (600, "10m"), (3 * 3600, "3h"), (4 * 3600 + 60, "4h1m"),
     (20 * 3600, "20h"), (2 * 86400, "2d"), (3 * 86400 + 3600, "3d1h"), (30 * 86400, "30d"),
     (800 * 86400, "2y70d"), (-1, "0s"), (-5, "<invalid>")],
)
def test_ages_print_like_kubectl(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def deployment(name: str, replicas: int, ready: int, updated: int, available: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(name, 182),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"},
                                                 {"name": "side", "image": "busybox"}]}},
        },
        "status": {"readyReplicas": ready, "updatedReplicas": updated, "availableReplicas": available},
    }


def test_get_deploy() -> None:
    t = table("apps/v1", "Deployment", deployment("web", 3, 2, 3, 2), deployment("api", 1, 0, 0, 0))
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1"
    assert headers(t) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert cells(t) == [["web", "2/3", 3, 2, "3m2s"], ["api", "0/1", 0, 0, "3m2s"]]
    assert headers(t, wide=True)[5:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert cells(t, wide=True)[0][5:] == ["nginx,side", "nginx:1.27,busybox", "app=web"]


def running_pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta(name, 5),
        "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "nginx"}]},
        "status": {
            "phase": "Running",
            "podIPs": [{"ip": "10.244.0.7"}],
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "c", "ready": True, "restartCount": 0,
                                   "state": {"running": {"startedAt": ts(4)}}}],
        },
    }


def test_get_pods_running() -> None:
    t = table("v1", "Pod", running_pod("web-1"))
    assert headers(t) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert headers(t, wide=True)[5:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    assert cells(t, wide=True) == [["web-1", "1/1", "Running", "0", "5s", "10.244.0.7", "node-1", "<none>", "<none>"]]


def test_get_pods_crashloop_shows_restarts_with_last_restart_age() -> None:
    p = running_pod("bad")
    p["status"]["containerStatuses"] = [{
        "name": "c", "ready": False, "restartCount": 3,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 1, "finishedAt": ts(120)}},
    }]
    assert cells(table("v1", "Pod", p)) == [["bad", "0/1", "CrashLoopBackOff", "3 (2m ago)", "5s"]]


def test_get_pods_pending_init_completed_terminating() -> None:
    pending = {"metadata": meta("p", 60), "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Pending"}}
    init = {
        "metadata": meta("i", 60),
        "spec": {"initContainers": [{"name": "setup"}], "containers": [{"name": "c"}, {"name": "d"}]},
        "status": {"phase": "Pending", "initContainerStatuses": [
            {"name": "setup", "restartCount": 0, "state": {"running": {}}}]},
    }
    done = {
        "metadata": meta("d", 60),
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": "Succeeded", "containerStatuses": [
            {"name": "c", "ready": False, "restartCount": 0,
             "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]},
    }
    failed = {
        "metadata": meta("f", 60),
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": "Failed", "containerStatuses": [
            {"name": "c", "restartCount": 0, "state": {"terminated": {"exitCode": 2}}}]},
    }
    gone = running_pod("t")
    gone["metadata"]["deletionTimestamp"] = ts(1)
    t = table("v1", "Pod", pending, init, done, failed, gone)
    assert [row[:3] for row in cells(t)] == [
        ["p", "0/1", "Pending"],
        ["i", "0/2", "Init:0/1"],
        ["d", "0/1", "Completed"],
        ["f", "0/1", "ExitCode:2"],
        ["t", "1/1", "Terminating"],
    ]
    assert t["rows"][2]["conditions"][0]["type"] == "Completed"


def test_get_pods_readiness_gates_and_sidecars() -> None:
    p = running_pod("g")
    p["spec"]["readinessGates"] = [{"conditionType": "example.com/ok"}, {"conditionType": "example.com/lb"}]
    p["status"]["conditions"].append({"type": "example.com/ok", "status": "True"})
    p["spec"]["initContainers"] = [{"name": "proxy", "restartPolicy": "Always"}]
    p["status"]["initContainerStatuses"] = [{"name": "proxy", "started": True, "ready": True, "restartCount": 0,
                                             "state": {"running": {}}}]
    row = cells(table("v1", "Pod", p), wide=True)[0]
    assert row[1] == "2/2"
    assert row[8] == "1/2"


def test_get_services() -> None:
    cluster_ip = {"metadata": meta("web", 7200), "spec": {
        "type": "ClusterIP", "clusterIP": "10.96.0.10", "selector": {"app": "web"},
        "ports": [{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}}
    node_port = {"metadata": meta("np", 7200), "spec": {
        "type": "NodePort", "clusterIP": "10.96.0.11", "ports": [{"port": 80, "nodePort": 30080}]}}
    lb = {"metadata": meta("lb", 7200), "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.12",
                                                   "ports": [{"port": 443, "protocol": "TCP"}]}}
    ext = {"metadata": meta("ext", 7200), "spec": {"type": "ExternalName", "externalName": "example.com"}}
    t = table("v1", "Service", cluster_ip, node_port, lb, ext)
    assert headers(t) == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert cells(t) == [
        ["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,53/UDP", "120m"],
        ["np", "NodePort", "10.96.0.11", "<none>", "80:30080/TCP", "120m"],
        ["lb", "LoadBalancer", "10.96.0.12", "<pending>", "443/TCP", "120m"],
        ["ext", "ExternalName", "<none>", "example.com", "<none>", "120m"],
    ]
    assert cells(t, wide=True)[0][6] == "app=web"


def test_get_namespaces_configmaps_secrets_serviceaccounts() -> None:
    ns = {"metadata": meta("team-a", 2 * 86400), "status": {"phase": "Active"}}
    assert headers(table("v1", "Namespace", ns)) == ["NAME", "STATUS", "AGE"]
    assert cells(table("v1", "Namespace", ns)) == [["team-a", "Active", "2d"]]
    cm = {"metadata": meta("cfg"), "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}}
    assert cells(table("v1", "ConfigMap", cm)) == [["cfg", 3, "5m"]]
    assert headers(table("v1", "ConfigMap", cm)) == ["NAME", "DATA", "AGE"]
    sec = {"metadata": meta("tls"), "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}
    assert headers(table("v1", "Secret", sec)) == ["NAME", "TYPE", "DATA", "AGE"]
    assert cells(table("v1", "Secret", sec)) == [["tls", "kubernetes.io/tls", 2, "5m"]]
    sa = {"metadata": meta("default")}
    assert cells(table("v1", "ServiceAccount", sa)) == [["default", 0, "5m"]]


def test_get_jobs_and_cronjobs() -> None:
    done = {"metadata": meta("pi", 600), "spec": {"completions": 1, "parallelism": 1},
            "status": {"succeeded": 1, "startTime": ts(590), "completionTime": ts(560),
                       "conditions": [{"type": "Complete", "status": "True"}]}}
    running = {"metadata": meta("work", 600), "spec": {"parallelism": 3},
               "status": {"startTime": ts(100), "active": 3}}
    t = table("batch/v1", "Job", done, running)
    assert headers(t) == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert cells(t) == [["pi", "Complete", "1/1", "30s", "10m"], ["work", "Running", "0/1 of 3", "100s", "10m"]]
    cj = {"metadata": meta("nightly", 3600), "spec": {"schedule": "0 2 * * *", "suspend": False},
          "status": {"lastScheduleTime": ts(1800), "active": [{"name": "x"}]}}
    t = table("batch/v1", "CronJob", cj)
    assert headers(t) == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    assert cells(t) == [["nightly", "0 2 * * *", "<none>", "False", 1, "30m", "60m"]]


def test_get_replicasets_statefulsets_daemonsets() -> None:
    rs = {"metadata": meta("web-abc"), "spec": {"replicas": 2}, "status": {"replicas": 2, "readyReplicas": 1}}
    assert headers(table("apps/v1", "ReplicaSet", rs)) == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert cells(table("apps/v1", "ReplicaSet", rs)) == [["web-abc", 2, 2, 1, "5m"]]
    sts = {"metadata": meta("db"), "spec": {"replicas": 3}, "status": {"readyReplicas": 3}}
    assert cells(table("apps/v1", "StatefulSet", sts)) == [["db", "3/3", "5m"]]
    ds = {"metadata": meta("agent"), "spec": {"template": {"spec": {"nodeSelector": {"os": "linux"}}}},
          "status": {"desiredNumberScheduled": 1, "currentNumberScheduled": 1, "numberReady": 1,
                     "updatedNumberScheduled": 1, "numberAvailable": 1}}
    t = table("apps/v1", "DaemonSet", ds)
    assert headers(t) == ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]
    assert cells(t) == [["agent", 1, 1, 1, 1, 1, "os=linux", "5m"]]


def test_get_nodes() -> None:
    node = {"metadata": {**meta("kind-control-plane", 86400),
                         "labels": {"node-role.kubernetes.io/control-plane": ""}},
            "spec": {"unschedulable": True},
            "status": {"conditions": [{"type": "Ready", "status": "True"}],
                       "nodeInfo": {"kubeletVersion": "v1.37.0"},
                       "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}]}}
    t = table("v1", "Node", node)
    assert headers(t) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert cells(t) == [["kind-control-plane", "Ready,SchedulingDisabled", "control-plane", "24h", "v1.37.0"]]
    assert cells(t, wide=True)[0][5:7] == ["172.18.0.2", "<none>"]


def test_get_pvc_and_pv() -> None:
    pvc = {"metadata": meta("data"), "spec": {"volumeName": "pv-1", "storageClassName": "standard"},
           "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}}
    t = table("v1", "PersistentVolumeClaim", pvc)
    assert headers(t) == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                          "VOLUMEATTRIBUTESCLASS", "AGE"]
    assert cells(t) == [["data", "Bound", "pv-1", "1Gi", "RWO", "standard", "<unset>", "5m"]]
    pv = {"metadata": meta("pv-1"), "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteMany"],
                                             "persistentVolumeReclaimPolicy": "Retain",
                                             "claimRef": {"namespace": "default", "name": "data"}},
          "status": {"phase": "Bound"}}
    assert cells(table("v1", "PersistentVolume", pv)) == [
        ["pv-1", "1Gi", "RWX", "Retain", "Bound", "default/data", "", "<unset>", "", "5m"]]


def test_get_events() -> None:
    ev = {"metadata": meta("web.17a"), "involvedObject": {"kind": "Deployment", "name": "web"},
          "reason": "ScalingReplicaSet", "message": "Scaled up replica set web-abc to 3 ", "type": "Normal",
          "firstTimestamp": ts(120), "lastTimestamp": ts(30), "count": 2,
          "source": {"component": "deployment-controller"}}
    t = table("v1", "Event", ev)
    assert headers(t) == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert cells(t) == [["30s", "Normal", "ScalingReplicaSet", "deployment/web", "Scaled up replica set web-abc to 3"]]
    assert cells(t, wide=True)[0][5:] == ["deployment-controller", "Scaled up replica set web-abc to 3", "2m",
                                          2, "web.17a"]
    new_style = {"metadata": meta("x"), "regarding": {"kind": "Pod", "name": "p"}, "note": "pulled",
                 "reason": "Pulled", "type": "Normal", "eventTime": "2026-01-10T11:59:00.000000Z",
                 "reportingController": "kubelet"}
    assert cells(table("events.k8s.io/v1", "Event", new_style)) == [["60s", "Normal", "Pulled", "pod/p", "pulled"]]


def test_get_ingress_storageclass_lease_hpa_pdb_endpoints() -> None:
    ing = {"metadata": meta("web"), "spec": {"ingressClassName": "nginx", "rules": [{"host": "a.example"}],
                                             "tls": [{"hosts": ["a.example"]}]},
           "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}}
    t = table("networking.k8s.io/v1", "Ingress", ing)
    assert headers(t) == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    assert cells(t) == [["web", "nginx", "a.example", "1.2.3.4", "80, 443", "5m"]]
    sc = {"metadata": {**meta("standard"), "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
          "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"}
    assert cells(table("storage.k8s.io/v1", "StorageClass", sc)) == [
        ["standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", False, "5m"]]
    lease = {"metadata": meta("leader"), "spec": {"holderIdentity": "ctrl-1"}}
    assert cells(table("coordination.k8s.io/v1", "Lease", lease)) == [["leader", "ctrl-1", "5m"]]
    hpa = {"metadata": meta("web"), "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"},
                                             "minReplicas": 1, "maxReplicas": 5,
                                             "metrics": [{"type": "Resource", "resource": {
                                                 "name": "cpu", "target": {"averageUtilization": 80}}}]},
           "status": {"currentReplicas": 2}}
    t = table("autoscaling/v2", "HorizontalPodAutoscaler", hpa)
    assert headers(t) == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert cells(t) == [["web", "Deployment/web", "cpu: <unknown>/80%", "1", 5, 2, "5m"]]
    pdb = {"metadata": meta("web"), "spec": {"minAvailable": 1}, "status": {"disruptionsAllowed": 0}}
    assert cells(table("policy/v1", "PodDisruptionBudget", pdb)) == [["web", "1", "N/A", 0, "5m"]]
    ep = {"metadata": meta("web"), "subsets": [{"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}],
                                                 "ports": [{"port": 80}]}]}
    assert cells(table("v1", "Endpoints", ep)) == [["web", "10.0.0.1:80,10.0.0.2:80", "5m"]]


def test_get_crds_prints_created_at() -> None:
    crd = {"metadata": {"name": "widgets.example.com", "creationTimestamp": "2026-01-01T00:00:00Z"}}
    t = table("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd)
    assert headers(t) == ["NAME", "CREATED AT"]
    assert t["columnDefinitions"][1]["type"] == "date"
    assert cells(t) == [["widgets.example.com", "2026-01-01T00:00:00Z"]]


def test_kinds_without_printer_get_name_and_age() -> None:
    plain = ResourceType(group="example.io", version="v1", kind="Thing", plural="things", namespaced=True)
    t = to_table(plain, [{"metadata": meta("x", 60)}], now=NOW)
    assert headers(t) == ["NAME", "AGE"]
    assert cells(t) == [["x", "60s"]]
    assert t["columnDefinitions"][0]["format"] == "name"


def test_row_objects_follow_include_object() -> None:
    d = deployment("web", 1, 1, 1, 1)
    t = table("apps/v1", "Deployment", d)
    assert t["rows"][0]["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                      "metadata": d["metadata"]}
    assert table("apps/v1", "Deployment", d, include_object="Object")["rows"][0]["object"] == d
    assert "object" not in table("apps/v1", "Deployment", d, include_object="None")["rows"][0]
    with pytest.raises(APIError) as err:
        table("apps/v1", "Deployment", d, include_object="Everything")
    assert err.value.code == 400


def test_list_metadata_carries_resource_version_and_continue() -> None:
    t = table("apps/v1", "Deployment", list_rv="42", continue_token="abc")
    assert t["metadata"] == {"resourceVersion": "42", "continue": "abc"}
    assert t["rows"] == []
    assert headers(t)[0] == "NAME"


def test_watch_event_table_has_one_row_and_object_rv() -> None:
    d = deployment("web", 1, 1, 1, 1)
    t = table_row_event(rt("apps/v1", "Deployment"), d, now=NOW)
    assert t["metadata"]["resourceVersion"] == "7"
    assert len(t["rows"]) == 1 and t["rows"][0]["cells"][0] == "web"
    assert len(t["columnDefinitions"]) == 8
    later = table_row_event(rt("apps/v1", "Deployment"), d, now=NOW, headers=False)
    assert later["columnDefinitions"] == []


def test_malformed_objects_still_print() -> None:
    junk = {"metadata": {"name": "odd", "creationTimestamp": "not-a-time"},
            "spec": {"replicas": "many", "template": None, "selector": {"matchExpressions": [{"operator": "?"}]}},
            "status": []}
    t = table("apps/v1", "Deployment", junk)
    assert cells(t) == [["odd", "0/0", 0, 0, "<unknown>"]]
    p = {"metadata": {"name": "p"}, "spec": {"containers": "x"}, "status": {"containerStatuses": [None, 3]}}
    assert cells(table("v1", "Pod", p))[0][:3] == ["p", "0/0", ""]
