"""endpoints_build: what Endpoints and EndpointSlices list, from a fixture of Pods in every state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trueup.localcluster.controllers import endpoints_build as eb
from trueup.localcluster.controllers.endpoints import apiserver_address

FIXTURE = json.loads((Path(__file__).parent / "testdata" / "endpoints_pods.json").read_text())


def _svc(**spec: Any) -> dict[str, Any]:
    svc = json.loads(json.dumps(FIXTURE["service"]))
    svc["spec"].update(spec)
    return svc


def test_endpoints_group_addresses_by_resolved_ports() -> None:
    subsets = eb.endpoint_subsets(_svc(), FIXTURE["pods"])
    # "no-named-port" only resolves the numeric port: its own subset with metrics alone.
    assert len(subsets) == 2
    full = next(s for s in subsets if len(s["ports"]) == 2)
    assert [a["ip"] for a in full["addresses"]] == ["10.244.0.9", "10.244.0.12"]  # sorted by IP, not text
    assert [a["ip"] for a in full["notReadyAddresses"]] == ["10.244.0.20"]
    assert full["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"},
                             {"name": "metrics", "port": 9090, "protocol": "TCP"}]
    assert full["addresses"][0]["targetRef"] == {"kind": "Pod", "namespace": "shop", "name": "ready-a", "uid": "u2"}
    assert full["addresses"][0]["nodeName"] == "trueup-node-2"
    partial = next(s for s in subsets if len(s["ports"]) == 1)
    assert [a["ip"] for a in partial["addresses"]] == ["10.244.0.30"]
    assert partial["ports"] == [{"name": "metrics", "port": 9090, "protocol": "TCP"}]
    every_ip = {a["ip"] for s in subsets for k in ("addresses", "notReadyAddresses") for a in s.get(k, [])}
    assert "10.244.0.40" not in every_ip  # terminating: not in Endpoints
    assert "10.244.0.50" not in every_ip  # finished restartPolicy Never pod
    assert "10.244.0.60" not in every_ip and "10.244.0.70" not in every_ip


def test_publish_not_ready_addresses_makes_everyone_ready() -> None:
    subsets = eb.endpoint_subsets(_svc(publishNotReadyAddresses=True), FIXTURE["pods"])
    assert all("notReadyAddresses" not in s for s in subsets)


def test_slices_keep_terminating_endpoints_with_conditions_and_zones() -> None:
    groups = eb.slice_groups(_svc(), FIXTURE["pods"], FIXTURE["zones"])
    assert len(groups) == 2
    ports, eps = next(g for g in groups if len(g[0]) == 2)
    by_ip = {e["addresses"][0]: e for e in eps}
    assert list(by_ip) == ["10.244.0.9", "10.244.0.12", "10.244.0.20", "10.244.0.40"]
    assert by_ip["10.244.0.9"]["conditions"] == {"ready": True, "serving": True, "terminating": False}
    assert by_ip["10.244.0.9"]["zone"] == "us-east-1b"
    assert by_ip["10.244.0.20"]["conditions"] == {"ready": False, "serving": False, "terminating": False}
    assert by_ip["10.244.0.40"]["conditions"] == {"ready": False, "serving": True, "terminating": True}
    body = eb.slice_body(_svc(), ports, eps, placeholder=False)
    assert body["addressType"] == "IPv4"
    assert body["ports"] == [{"port": 8080, "protocol": "TCP", "name": "http"},
                             {"port": 9090, "protocol": "TCP", "name": "metrics"}]
    assert eb.slice_ports_key(body) == ports


def test_no_pods_is_one_placeholder_slice_and_big_services_split_by_100() -> None:
    assert eb.slice_groups(_svc(), [], {}) == [((), [])]
    assert eb.slice_body(_svc(), (), [], placeholder=True) == {"addressType": "IPv4", "endpoints": []}
    template = FIXTURE["pods"][0]
    many = []
    for i in range(250):
        p = json.loads(json.dumps(template))
        p["metadata"]["name"] = f"p{i}"
        p["status"]["podIP"] = f"10.245.{i // 200}.{i % 200}"
        many.append(p)
    assert [len(eps) for _, eps in eb.slice_groups(_svc(), many, {})] == [100, 100, 50]


def test_headless_label_and_hostnames() -> None:
    svc = _svc(clusterIP="None")
    assert eb.service_labels(svc) == {"team": "infra", "service.kubernetes.io/headless": ""}
    pod = json.loads(json.dumps(FIXTURE["pods"][0]))
    pod["spec"].update(hostname="web-0", subdomain="web")
    [subset] = eb.endpoint_subsets(svc, [pod])
    assert subset["addresses"][0]["hostname"] == "web-0"


def test_target_port_forms() -> None:
    pod = FIXTURE["pods"][0]
    assert eb.resolve_port({"port": 80}, pod) == 80
    assert eb.resolve_port({"port": 80, "targetPort": 8081}, pod) == 8081
    assert eb.resolve_port({"port": 80, "targetPort": "8082"}, pod) == 8082
    assert eb.resolve_port({"port": 80, "targetPort": "http"}, pod) == 8080
    assert eb.resolve_port({"port": 80, "targetPort": "http", "protocol": "UDP"}, pod) is None


def test_apiserver_address_from_client_url() -> None:
    assert apiserver_address("https://127.0.0.1:6443") == ("127.0.0.1", 6443)
    assert apiserver_address("https://localhost:7000")[1] == 7000
