"""The official `kubernetes` client and lightkube against `trueup cluster up`, unchanged."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes import dynamic, watch
from lightkube import Client, KubeConfig
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap

from tests.conftest import RunningCluster


@pytest.fixture
def api_client(cluster: RunningCluster) -> Any:
    return k8s_config.new_client_from_config(config_file=str(cluster.kubeconfig))


def test_official_typed_api(api_client: Any, ns: str) -> None:
    core = k8s.CoreV1Api(api_client)
    apps = k8s.AppsV1Api(api_client)
    core.create_namespaced_config_map(ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="typed"), data={"a": "b"}))
    assert core.read_namespaced_config_map("typed", ns).data == {"a": "b"}
    dep = k8s.V1Deployment(
        metadata=k8s.V1ObjectMeta(name="typed"),
        spec=k8s.V1DeploymentSpec(
            replicas=2, selector=k8s.V1LabelSelector(match_labels={"app": "t"}),
            template=k8s.V1PodTemplateSpec(metadata=k8s.V1ObjectMeta(labels={"app": "t"}),
                                           spec=k8s.V1PodSpec(containers=[k8s.V1Container(name="c", image="nginx")]))))
    created = apps.create_namespaced_deployment(ns, dep)
    assert created.spec.strategy.type == "RollingUpdate"
    assert created.spec.template.spec.containers[0].image_pull_policy == "Always"  # untagged image
    listed = apps.list_namespaced_deployment(ns)
    assert [d.metadata.name for d in listed.items] == ["typed"]
    with pytest.raises(k8s.ApiException) as err:
        core.read_namespaced_config_map("missing", ns)
    assert err.value.status == 404


def test_official_dynamic_client(api_client: Any, ns: str) -> None:
    dyn = dynamic.DynamicClient(api_client)
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    assert deployments.namespaced
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    cms.create(body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dyn"}, "data": {"x": "1"}},
               namespace=ns)
    got = cms.get(name="dyn", namespace=ns)
    assert got.data.x == "1"
    cms.patch(body={"data": {"x": "2"}}, name="dyn", namespace=ns, content_type="application/merge-patch+json")
    assert cms.get(name="dyn", namespace=ns).data.x == "2"


def test_official_watch_stream(api_client: Any, ns: str) -> None:
    core = k8s.CoreV1Api(api_client)
    core.create_namespaced_config_map(ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="pre-existing")))

    def later() -> None:
        time.sleep(0.5)
        core.create_namespaced_config_map(ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="later")))
        core.delete_namespaced_config_map("pre-existing", ns)

    threading.Thread(target=later, daemon=True).start()
    seen: list[tuple[str, str]] = []
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, ns, timeout_seconds=10):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 3:
            w.stop()
    assert seen == [("ADDED", "pre-existing"), ("ADDED", "later"), ("DELETED", "pre-existing")]


def test_lightkube_server_side_apply_and_watch_resume(cluster: RunningCluster, ns: str) -> None:
    lk = Client(config=KubeConfig.from_file(str(cluster.kubeconfig)), field_manager="lightkube-test")
    cm = ConfigMap(metadata=ObjectMeta(name="lk", namespace=ns), data={"v": "1"})
    applied = lk.apply(cm)
    assert applied.data == {"v": "1"}
    managers = [(m.manager, m.operation) for m in applied.metadata.managedFields]
    assert managers == [("lightkube-test", "Apply")]
    rv = applied.metadata.resourceVersion
    lk.apply(ConfigMap(metadata=ObjectMeta(name="lk", namespace=ns), data={"v": "2"}))
    lk.apply(ConfigMap(metadata=ObjectMeta(name="lk", namespace=ns), data={"v": "3"}))
    seen = []
    for op, obj in lk.watch(ConfigMap, namespace=ns, resource_version=rv):
        seen.append((op, obj.data["v"]))
        if len(seen) == 2:
            break
    assert seen == [("MODIFIED", "2"), ("MODIFIED", "3")]
    dry = lk.apply(ConfigMap(metadata=ObjectMeta(name="lk", namespace=ns), data={"v": "dry"}), dry_run=True)
    assert dry.data == {"v": "dry"}
    assert lk.get(ConfigMap, "lk", namespace=ns).data == {"v": "3"}


def test_lightkube_generic_resource_from_crd(cluster: RunningCluster, ns: str) -> None:
    group = f"g{uuid.uuid4().hex[:6]}.trueup.dev"
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"things.{group}"},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": "things", "singular": "thing", "kind": "Thing"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {"type": "object",
                                                              "x-kubernetes-preserve-unknown-fields": True}}}]},
    }
    import json

    cluster.kubectl("apply", "-f", "-", input=json.dumps(crd))
    Thing = create_namespaced_resource(group, "v1", "Thing", "things")
    lk = Client(config=KubeConfig.from_file(str(cluster.kubeconfig)), field_manager="lk")
    lk.apply(Thing(metadata=ObjectMeta(name="t1", namespace=ns), spec={"anything": {"goes": [1, 2]}}))
    got = lk.get(Thing, "t1", namespace=ns)
    assert got["spec"] == {"anything": {"goes": [1, 2]}}
    names = [t.metadata.name for t in lk.list(Thing, namespace=ns)]
    assert names == ["t1"]
    lk.delete(Thing, "t1", namespace=ns)
    assert list(lk.list(Thing, namespace=ns)) == []
