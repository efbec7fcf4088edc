"""Field selectors as kubectl, controllers and `kubectl describe` (events) send them."""

from __future__ import annotations

from typing import Any

import pytest

from trueup.localcluster.errors import APIError
from trueup.localcluster.query import FieldSelector, parse_field_selector, supported_fields


def pod(name: str, phase: str = "Running", node: str = "", **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": node, "restartPolicy": "Always", "serviceAccountName": "default"},
        "status": {"phase": phase, **status},
    }


def test_metadata_name_is_what_wait_and_rollout_send() -> None:
    sel = parse_field_selector("metadata.name=web", "apps/v1", "Deployment")
    assert sel.matches({"metadata": {"name": "web", "namespace": "default"}})
    assert not sel.matches({"metadata": {"name": "api", "namespace": "default"}})
    assert sel.requires("metadata.name") == "web"
    assert sel.requires("metadata.namespace") is None


def test_operators_and_conjunction() -> None:
    obj = {"metadata": {"name": "web", "namespace": "prod"}}
    assert parse_field_selector("metadata.name==web", "v1", "ConfigMap").matches(obj)
    assert parse_field_selector("metadata.name!=api", "v1", "ConfigMap").matches(obj)
    assert not parse_field_selector("metadata.name!=web", "v1", "ConfigMap").matches(obj)
    assert parse_field_selector("metadata.name=web,metadata.namespace=prod", "v1", "ConfigMap").matches(obj)
    assert not parse_field_selector("metadata.name=web,metadata.namespace=dev", "v1", "ConfigMap").matches(obj)
    assert parse_field_selector("", "v1", "ConfigMap").matches(obj)


def test_pod_fields() -> None:
    running = pod("a", "Running", "node-1", podIPs=[{"ip": "10.0.0.5"}], podIP="10.0.0.5")
    pending = pod("b", "Pending")
    sel = parse_field_selector("status.phase=Running,spec.nodeName=node-1", "v1", "Pod")
    assert sel.matches(running) and not sel.matches(pending)
    assert parse_field_selector("status.podIP=10.0.0.5", "v1", "Pod").matches(running)
    assert parse_field_selector("spec.nodeName=", "v1", "Pod").matches(pending)
    assert parse_field_selector("spec.restartPolicy=Always", "v1", "Pod").matches(pending)
    assert parse_field_selector("spec.hostNetwork=false", "v1", "Pod").matches(pending)
    assert parse_field_selector("status.phase!=Succeeded,status.phase!=Failed", "v1", "Pod").matches(pending)


def test_event_involved_object_fields_as_kubectl_describe_sends() -> None:
    ev = {
        "metadata": {"name": "web.1", "namespace": "default"},
        "involvedObject": {"kind": "Deployment", "name": "web", "namespace": "default", "uid": "u1"},
        "reason": "ScalingReplicaSet",
        "source": {"component": "deployment-controller"},
        "type": "Normal",
    }
    sel = parse_field_selector(
        "involvedObject.name=web,involvedObject.namespace=default,involvedObject.kind=Deployment,"
        "involvedObject.uid=u1",
        "v1",
        "Event",
    )
    assert sel.matches(ev)
    assert parse_field_selector("source=deployment-controller,type=Normal", "v1", "Event").matches(ev)
    assert not parse_field_selector("involvedObject.name=api", "v1", "Event").matches(ev)


def test_kind_specific_fields() -> None:
    assert parse_field_selector("type=kubernetes.io/tls", "v1", "Secret").matches({"type": "kubernetes.io/tls"})
    assert parse_field_selector("status.phase=Active", "v1", "Namespace").matches({"status": {"phase": "Active"}})
    assert parse_field_selector("spec.unschedulable=false", "v1", "Node").matches({"spec": {}})
    assert parse_field_selector("spec.unschedulable=true", "v1", "Node").matches({"spec": {"unschedulable": True}})
    assert parse_field_selector("status.successful=1", "batch/v1", "Job").matches({"status": {"succeeded": 1}})
    assert parse_field_selector("status.replicas=0", "apps/v1", "ReplicaSet").matches({"status": {}})
    assert parse_field_selector("status.replicas=2", "v1", "ReplicationController").matches(
        {"status": {"replicas": 2}}
    )


@pytest.mark.parametrize(
    ("text", "api_version", "kind", "field"),
    [
        ("spec.replicas=3", "apps/v1", "Deployment", "spec.replicas"),
        ("status.phase=Running", "v1", "ConfigMap", "status.phase"),
        ("spec.size=1", "example.com/v1", "Widget", "spec.size"),
        ("metadata.labels=x", "v1", "Pod", "metadata.labels"),
    ],
)
def test_unsupported_field_is_400_with_kube_wording(text: str, api_version: str, kind: str, field: str) -> None:
    with pytest.raises(APIError) as err:
        parse_field_selector(text, api_version, kind)
    assert err.value.code == 400
    assert err.value.message == f"field label not supported: {field}"


def test_custom_resources_support_only_metadata_fields() -> None:
    assert supported_fields("example.com", "Widget") == {"metadata.name", "metadata.namespace"}
    assert "status.phase" in supported_fields("", "Pod")


def test_escaped_values() -> None:
    sel = FieldSelector.parse(r"metadata.name=a\,b\=c\\d")
    assert sel.matches({"metadata": {"name": "a,b=c\\d"}})
    assert str(sel) == r"metadata.name=a\,b\=c\\d"


@pytest.mark.parametrize("text", ["metadata.name", "metadata.name=a=b", r"metadata.name=a\x"])
def test_bad_syntax_is_400(text: str) -> None:
    with pytest.raises(APIError) as err:
        FieldSelector.parse(text)
    assert err.value.code == 400


def test_unbound_selector_reads_dotted_paths() -> None:
    sel = FieldSelector.parse("spec.replicas=3,spec.paused=true")
    assert sel.matches({"spec": {"replicas": 3, "paused": True}})
    assert not sel.matches({"spec": {"replicas": 2, "paused": True}})
