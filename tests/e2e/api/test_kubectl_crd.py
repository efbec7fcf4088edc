"""A CustomResourceDefinition through the real kubectl, then custom resources of it."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import RunningCluster

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.trueup.dev"},
    "spec": {
        "group": "example.trueup.dev",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wdg"]},
        "versions": [{
            "name": "v1",
            "served": True,
            "storage": True,
            "subresources": {"status": {}},
            "additionalPrinterColumns": [
                {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
            ],
            "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                    "spec": {"type": "object", "required": ["size"], "properties": {
                        "size": {"type": "integer", "minimum": 1},
                        "color": {"type": "string", "enum": ["red", "blue"]},
                    }},
                    "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}},
                },
            }},
        }],
    },
}


def widget(ns: str, name: str, size: int, color: str = "red") -> str:
    return json.dumps({"apiVersion": "example.trueup.dev/v1", "kind": "Widget",
                       "metadata": {"name": name, "namespace": ns}, "spec": {"size": size, "color": color}})


def test_crd_then_custom_resources(cluster: RunningCluster, ns: str) -> None:
    cluster.kubectl("apply", "-f", "-", input=json.dumps(CRD))
    crd = cluster.get_json("crd", "widgets.example.trueup.dev")
    conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert conditions == {"NamesAccepted": "True", "Established": "True"}
    assert crd["status"]["acceptedNames"]["kind"] == "Widget"
    cluster.kubectl("wait", "--for=condition=Established", "crd/widgets.example.trueup.dev", "--timeout=20s")

    resources = cluster.kubectl("api-resources", "--api-group=example.trueup.dev").stdout
    assert "widgets" in resources and "wdg" in resources

    out = cluster.kubectl("apply", "-f", "-", input=widget(ns, "w1", 3)).stdout
    assert "widget.example.trueup.dev/w1 created" in out
    table = cluster.kubectl("get", "wdg", "-n", ns).stdout.splitlines()
    assert table[0].split() == ["NAME", "SIZE", "COLOR", "AGE"]
    assert table[1].split()[:3] == ["w1", "3", "red"]

    cluster.kubectl("patch", "widget", "w1", "-n", ns, "--type=merge", "-p", '{"spec":{"color":"blue"}}')
    assert cluster.get_json("widget", "w1", "-n", ns)["spec"]["color"] == "blue"
    # Strategic merge patch is refused for custom resources (kubectl's default patch type).
    smp = cluster.kubectl("patch", "widget", "w1", "-n", ns, "-p", '{"spec":{"size":4}}', check=False)
    assert (smp.returncode != 0 and "UnsupportedMediaType" in smp.stderr) or "unknown format" in smp.stderr

    # Schema validation: a value outside the enum and a wrong type are rejected with the field path.
    bad = cluster.kubectl("apply", "-f", "-", input=widget(ns, "w2", 2, "green"), check=False)
    assert bad.returncode != 0 and "spec.color" in bad.stderr
    assert cluster.kubectl("get", "widget", "w2", "-n", ns, check=False).returncode == 1

    # Server-side apply of a custom resource.
    cluster.kubectl("apply", "--server-side", "-f", "-", input=widget(ns, "w3", 5))
    w3 = cluster.get_json("widget", "w3", "-n", ns)
    assert w3["spec"] == {"size": 5, "color": "red"}
    assert w3["metadata"]["generation"] == 1

    cluster.kubectl("delete", "widget", "w1", "-n", ns)
    assert cluster.kubectl("get", "widget", "w1", "-n", ns, check=False).returncode == 1


def test_deleting_crd_removes_its_resources(cluster: RunningCluster, ns: str) -> None:
    crd = json.loads(json.dumps(CRD))
    crd["metadata"]["name"] = "gadgets.example.trueup.dev"
    crd["spec"]["names"] = {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"}
    cluster.kubectl("apply", "-f", "-", input=json.dumps(crd))
    cluster.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "example.trueup.dev/v1", "kind": "Gadget",
        "metadata": {"name": "g1", "namespace": ns}, "spec": {"size": 1}}))
    cluster.kubectl("delete", "crd", "gadgets.example.trueup.dev")
    proc = cluster.kubectl("get", "gadgets", "-n", ns, check=False)
    assert proc.returncode != 0
    # kubectl's discovery cache may still name the type; the server no longer serves it.
    assert any(m in proc.stderr for m in ("doesn't have a resource type", "could not find the requested resource"))
    raw = cluster.kubectl("get", "--raw", f"/apis/example.trueup.dev/v1/namespaces/{ns}/gadgets", check=False)
    assert raw.returncode != 0 and "NotFound" in raw.stderr
