"""The trueup chart rendered offline with the Helm SDK: what each value turns into, and what it refuses."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import click
import helm_python
import pytest
import yaml

from tests.deploy.chartkit import CHART, CRD_SOURCE, container, kinds, one, render
from trueup.cli.up import up_cmd
from trueup.webhooks import PROVIDERS


def test_the_charts_crd_is_trueups_crd_byte_for_byte() -> None:
    crds = list((CHART / "crds").iterdir())
    assert [p.name for p in crds] == ["applications.trueup.dev.yaml"]
    assert crds[0].read_bytes() == CRD_SOURCE.read_bytes(), \
        "deploy/helm/trueup/crds/ drifted from src/trueup/app/crd.yaml: copy it again"


def test_defaults_two_replicas_with_leader_election_secure_pod_and_probes() -> None:
    objects, _ = render()
    assert kinds(objects) == [
        "ClusterRole/trueup-bootstrap", "ClusterRole/trueup-managed",
        "ClusterRoleBinding/trueup-bootstrap", "ClusterRoleBinding/trueup-managed",
        "CustomResourceDefinition/applications.trueup.dev", "Deployment/trueup", "PodDisruptionBudget/trueup",
        "Role/trueup", "RoleBinding/trueup", "Secret/trueup-api-token", "Service/trueup", "ServiceAccount/trueup",
    ]
    deployment = one(objects, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    c = container(objects)
    assert deployment["spec"]["replicas"] == 2
    assert "--leader-elect" in c["args"] and "--in-cluster" in c["args"]
    assert {"--leader-elect-lease-duration=15", "--leader-elect-renew-deadline=10",
            "--leader-elect-retry-period=2"} <= set(c["args"])
    assert "--listen=0.0.0.0:8080" in c["args"] and "--namespace=trueup" in c["args"]
    assert pod["serviceAccountName"] == "trueup"
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"]
    assert c["resources"]["limits"]["memory"]
    assert c["image"] == "ghcr.io/trueup-dev/trueup:0.1.0"
    service = one(objects, "Service")
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    token = base64.b64decode(one(objects, "Secret")["data"]["token"]).decode()
    assert len(token) >= 32 and token.isalnum()
    assert not any("--webhook-secret-file" in a for a in c["args"])  # no secret: deliveries refused


def check_up_args(c: dict[str, Any]) -> dict[str, Any]:
    """Parse the container's args as `trueup up` does (the image's entrypoint): unknown options and
    values it would refuse raise click.UsageError/BadParameter; every path must be on a volume."""
    ctx = up_cmd.make_context("up", [])
    opts, args, _ = up_cmd.make_parser(ctx).parse_args(list(c["args"]))
    if args:
        raise click.UsageError(f"unexpected arguments {args}")
    mounts = [m["mountPath"] for m in c["volumeMounts"]]
    params = {p.name: p for p in up_cmd.params}
    for name, value in opts.items():
        param = params[name]
        if isinstance(param.type, click.Path):
            if not any(str(value).startswith(m + "/") for m in mounts):
                raise click.BadParameter(f"{value} is on no volume", param=param)
        else:
            param.type_cast_value(ctx, value)
    return opts


def test_every_container_arg_is_a_real_trueup_up_option_and_every_path_is_mounted() -> None:
    values = {"webhooks": {"secrets": {"github": "s3cret"}}, "controller": {"verbose": True, "pollInterval": 30}}
    fast = {"leaderElection": {"leaseDuration": 4, "renewDeadline": 3, "retryPeriod": 0.5}}
    for vals in ({}, values, fast, {"leaderElection": {"enabled": False}, "replicaCount": 1}):
        objects, _ = render(vals)
        opts = check_up_args(container(objects))
        assert opts["in_cluster"] is True and opts["listen"] == "0.0.0.0:8080"
    assert "webhook_secret_file" in check_up_args(container(render(values)[0]))
    assert check_up_args(container(render(fast)[0]))["leader_elect_retry_period"] == "0.5"


@pytest.mark.parametrize(("values", "message"), [
    ({"controller": {"extraArgs": ["--no-such-flag"]}}, "No such option"),
    ({"controller": {"extraArgs": ["--poll-interval=0.5"]}}, "not in the range"),
])
def test_the_arg_check_catches_options_and_values_trueup_up_refuses(values: dict[str, Any], message: str) -> None:
    with pytest.raises(click.UsageError, match=message):
        check_up_args(container(render(values)[0]))


def test_non_default_values() -> None:
    values = {
        "fullnameOverride": "gitops", "replicaCount": 3,
        "apiToken": {"existingSecret": "my-token", "existingSecretKey": "api"},
        "webhooks": {"secrets": {"github": "gh-secret", "gitlab": "gl-secret"}},
        "ingress": {"enabled": True, "className": "nginx",
                    "hosts": [{"host": "gitops.example.org", "paths": [{"path": "/", "pathType": "Prefix"}]}],
                    "tls": [{"secretName": "gitops-tls", "hosts": ["gitops.example.org"]}]},
        "rbac": {"clusterWide": False, "managedNamespaces": ["shop", "db"],
                 "managedRules": [{"apiGroups": ["", "apps"], "resources": ["*"], "verbs": ["*"]}]},
        "rootApp": {"enabled": True, "repoURL": "https://git.example.org/app.git", "path": "apps"},
        "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/trueup"}},
        "server": {"listen": "0.0.0.0:9090"},
    }
    objects, notes = render(values, release="prod", namespace="gitops")
    assert "Secret/gitops-api-token" not in kinds(objects)
    c = container(objects)
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["api-token"]["secret"]["secretName"] == "my-token"
    assert volumes["api-token"]["secret"]["items"] == [{"key": "api", "path": "token"}]
    assert "--webhook-secret-file=/etc/trueup/webhooks/webhook-secrets.yaml" in c["args"]
    hooks = one(objects, "Secret", "gitops-webhooks")
    secrets = yaml.safe_load(base64.b64decode(hooks["data"]["webhook-secrets.yaml"]))
    assert secrets == {"github": "gh-secret", "gitlab": "gl-secret"} and set(secrets) <= set(PROVIDERS)
    assert "--listen=0.0.0.0:9090" in c["args"] and c["ports"][0]["containerPort"] == 9090
    assert one(objects, "Deployment")["spec"]["replicas"] == 3
    ingress = one(objects, "Ingress")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "gitops.example.org"
    assert rule["http"]["paths"][0]["backend"]["service"] == {"name": "gitops", "port": {"number": 80}}
    # namespaced RBAC: read everywhere, write only in the listed namespaces
    assert one(objects, "ClusterRole", "gitops-managed")["rules"] == [
        {"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]
    for ns in ("shop", "db"):
        role = one(objects, "Role", "gitops-managed", ns)
        assert role["rules"] == values["rbac"]["managedRules"]  # type: ignore[index]
        binding = one(objects, "RoleBinding", "gitops-managed", ns)
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "gitops", "namespace": "gitops"}]
    root = one(objects, "Application", "root")
    assert root["apiVersion"] == "trueup.dev/v1alpha1" and root["metadata"]["namespace"] == "gitops"
    assert root["spec"]["source"] == {"repoURL": "https://git.example.org/app.git", "targetRevision": "main",
                                      "path": "apps"}
    assert root["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert one(objects, "ServiceAccount")["metadata"]["annotations"] == values["serviceAccount"]["annotations"]  # type: ignore[index]
    assert "gh-secret" not in notes and "gl-secret" not in notes


def test_controller_role_covers_what_it_uses_in_its_namespace_only() -> None:
    objects, _ = render(namespace="ops")
    role = one(objects, "Role", "trueup")
    assert role["metadata"]["namespace"] == "ops"
    granted = {(g, r, v) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]
               for v in rule["verbs"]}
    for needed in [("trueup.dev", "applications", "watch"), ("trueup.dev", "applications/status", "patch"),
                   ("coordination.k8s.io", "leases", "create"), ("coordination.k8s.io", "leases", "update"),
                   ("", "events", "create"), ("", "secrets", "list")]:
        assert needed in granted, needed
    bootstrap = one(objects, "ClusterRole", "trueup-bootstrap")
    assert all(rule.get("resourceNames") for rule in bootstrap["rules"])
    assert {n for rule in bootstrap["rules"] for n in rule["resourceNames"]} == {"applications.trueup.dev", "ops"}


def test_explicit_token_is_used_and_never_printed() -> None:
    objects, notes = render({"apiToken": {"token": "t0ken-from-values"}})
    assert base64.b64decode(one(objects, "Secret", "trueup-api-token")["data"]["token"]) == b"t0ken-from-values"
    assert "t0ken-from-values" not in notes and "kubectl -n trueup get secret trueup-api-token" in notes
    deployment = yaml.safe_dump(one(objects, "Deployment"))
    assert "t0ken-from-values" not in deployment
    assert hashlib.sha256(b"t0ken-from-values").hexdigest() not in deployment


@pytest.mark.parametrize(("values", "message"), [
    ({"rbac": {"clusterWide": False}}, "rbac.managedNamespaces"),
    ({"leaderElection": {"enabled": False}}, "needs leaderElection.enabled"),
    ({"rootApp": {"enabled": True}}, "rootApp.repoURL is required"),
    ({"serviceAccount": {"create": False}}, "serviceAccount.name is required"),
    ({"controller": {"pollInterval": 0.5}}, "pollInterval"),
    ({"webhooks": {"secrets": {"githib": "x"}}}, "githib"),
    ({"server": {"listen": "0.0.0.0"}}, "listen"),
    ({"leaderElection": {"renewDeadline": 20}}, "retryPeriod < renewDeadline < leaseDuration"),
])
def test_inconsistent_values_fail_with_a_message_naming_the_value(values: dict[str, object], message: str) -> None:
    with pytest.raises(helm_python.HelmError) as err:
        render(values)
    assert message in str(getattr(err.value, "detail", "") or err.value)


def test_the_schema_knows_exactly_trueups_webhook_providers() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    names = schema["properties"]["webhooks"]["properties"]["secrets"]["propertyNames"]["enum"]
    assert sorted(names) == sorted(PROVIDERS)
