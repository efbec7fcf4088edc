"""The real kubectl 1.37 reading from `trueup cluster up`: get, -o, -A, -w, labels, sorting, api-resources."""

from __future__ import annotations

import json
import subprocess
import time

from tests.conftest import RunningCluster, kubectl_path


def _cm(ns: str, name: str, labels: dict[str, str] | None = None, data: dict[str, str] | None = None) -> str:
    return json.dumps({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
        "data": data or {"k": "v"},
    })


def test_system_namespaces_exist(cluster: RunningCluster) -> None:
    out = cluster.kubectl("get", "namespaces").stdout
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:]}
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    for name in ("default", "kube-system", "kube-public"):
        assert lines[name] == "Active"


def test_get_all_namespaces_table_shows_namespace_column(cluster: RunningCluster, ns: str) -> None:
    cluster.kubectl("apply", "-f", "-", input=_cm(ns, "alpha"))
    out = cluster.kubectl("get", "configmaps", "-A").stdout.splitlines()
    assert out[0].split()[:3] == ["NAMESPACE", "NAME", "DATA"]
    rows = [line.split() for line in out[1:]]
    assert [ns, "alpha", "1"] in [r[:3] for r in rows]


def test_get_output_yaml_and_json(cluster: RunningCluster, ns: str) -> None:
    cluster.kubectl("apply", "-f", "-", input=_cm(ns, "cfg", data={"color": "blue"}))
    obj = cluster.get_json("configmap", "cfg", "-n", ns)
    assert obj["data"] == {"color": "blue"}
    assert obj["metadata"]["uid"] and int(obj["metadata"]["resourceVersion"]) > 0
    yaml_out = cluster.kubectl("get", "configmap", "cfg", "-n", ns, "-o", "yaml").stdout
    assert "color: blue" in yaml_out and "kind: ConfigMap" in yaml_out
    listed = cluster.get_json("configmaps", "-n", ns)
    assert listed["kind"] == "List" or listed["kind"] == "ConfigMapList"
    assert [i["metadata"]["name"] for i in listed["items"]] == ["cfg"]


def test_show_labels_and_label_selector(cluster: RunningCluster, ns: str) -> None:
    cluster.kubectl("apply", "-f", "-", input=_cm(ns, "a", {"tier": "web", "env": "prod"}))
    cluster.kubectl("apply", "-f", "-", input=_cm(ns, "b", {"tier": "db"}))
    out = cluster.kubectl("get", "cm", "-n", ns, "--show-labels").stdout.splitlines()
    assert out[0].split()[-1] == "LABELS"
    row_a = next(line for line in out if line.startswith("a "))
    assert row_a.split()[-1] == "env=prod,tier=web"
    names = cluster.kubectl("get", "cm", "-n", ns, "-l", "tier in (web),env!=dev", "-o", "name").stdout.split()
    assert names == ["configmap/a"]
    names = cluster.kubectl("get", "cm", "-n", ns, "-l", "!env", "-o", "name").stdout.split()
    assert names == ["configmap/b"]


def test_sort_by(cluster: RunningCluster, ns: str) -> None:
    for name, size in (("one", "3"), ("two", "1"), ("three", "2")):
        cluster.kubectl("apply", "-f", "-", input=_cm(ns, name, data={"size": size}))
    out = cluster.kubectl("get", "cm", "-n", ns, "--sort-by=.data.size", "-o", "name").stdout.split()
    assert out == ["configmap/two", "configmap/three", "configmap/one"]


def test_field_selector(cluster: RunningCluster, ns: str) -> None:
    cluster.kubectl("apply", "-f", "-", input=_cm(ns, "x1"))
    cluster.kubectl("apply", "-f", "-", input=_cm(ns, "x2"))
    out = cluster.kubectl("get", "cm", "-A", "--field-selector", f"metadata.namespace={ns},metadata.name=x2",
                          "-o", "name").stdout.split()
    assert out == ["configmap/x2"]


def test_get_watch_sees_new_object(cluster: RunningCluster, ns: str) -> None:
    proc = subprocess.Popen(
        [kubectl_path(), f"--kubeconfig={cluster.kubeconfig}", f"--cache-dir={cluster.cache_dir}",
         "get", "cm", "-n", ns, "-w", "--request-timeout=20s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        time.sleep(1.0)
        cluster.kubectl("apply", "-f", "-", input=_cm(ns, "watched"))
        assert proc.stdout is not None
        deadline = time.monotonic() + 15
        seen = ""
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            seen += line
            if line.startswith("watched"):
                break
        assert any(line.split()[0] == "watched" for line in seen.splitlines() if line.strip()), seen
    finally:
        proc.kill()
        proc.wait()


def test_api_resources_lists_builtin_kinds_with_short_names(cluster: RunningCluster) -> None:
    out = cluster.kubectl("api-resources").stdout.splitlines()
    rows = {line.split()[0]: line.split() for line in out[1:]}
    assert rows["deployments"][1] == "deploy" and rows["deployments"][2] == "apps/v1"
    assert rows["pods"][1] == "po"
    assert rows["namespaces"][-1] == "Namespace"
    for name in ("configmaps", "secrets", "statefulsets", "jobs", "cronjobs", "ingresses", "leases",
                 "customresourcedefinitions", "horizontalpodautoscalers", "endpointslices", "roles"):
        assert name in rows, name
    namespaced = cluster.kubectl("api-resources", "--namespaced=false", "-o", "name").stdout.split()
    assert "namespaces" in namespaced and "nodes" in namespaced and "configmaps" not in namespaced


def test_get_missing_object_is_not_found(cluster: RunningCluster, ns: str) -> None:
    proc = cluster.kubectl("get", "cm", "nope", "-n", ns, check=False)
    assert proc.returncode == 1
    assert 'configmaps "nope" not found' in proc.stderr
