"""deploy/terraform parsed with python-hcl2 (no terraform binary is reachable here): the structure a
reviewer would check by hand — locked and encrypted remote state that the bootstrap creates, the
EKS add-on for EBS with its IRSA role, the release pointing at the chart, every reference declared."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from tests.deploy.chartkit import CHART, ROOT

TF = ROOT / "deploy" / "terraform"
BOOTSTRAP = TF / "bootstrap"
OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
REF = r"(?<![\w.-]){prefix}\.([A-Za-z_][\w-]*)"

Doc = dict[str, Any]


@cache
def parse(path: Path) -> Doc:
    with path.open() as f:
        doc: Doc = hcl2.load(f, serialization_options=OPTIONS)
    return doc


def config(directory: Path) -> list[Doc]:
    files = sorted(directory.glob("*.tf"))
    assert files, f"no .tf files in {directory}"
    return [parse(p) for p in files]


def blocks(docs: list[Doc], kind: str) -> Iterator[tuple[str, Doc]]:
    """(name, body) of every `kind "name" {}` (module, variable, output) or `resource "type" "name"` as type.name."""
    for doc in docs:
        for entry in doc.get(kind, []):
            for name, body in entry.items():
                if kind in ("resource", "data"):
                    for label, inner in body.items():
                        yield f"{name}.{label}", inner
                else:
                    yield name, body


def one_block(docs: list[Doc], kind: str, name: str) -> Doc:
    found = [body for n, body in blocks(docs, kind) if n == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def variable_defaults(directory: Path) -> dict[str, Any]:
    return {name: body.get("default") for name, body in blocks(config(directory), "variable")}


def backend() -> Doc:
    settings = [t["backend"][0]["s3"] for doc in config(TF) for t in doc.get("terraform", []) if "backend" in t]
    assert len(settings) == 1, "exactly one backend block"
    s3: Doc = settings[0]
    return s3


@pytest.mark.parametrize("directory", [TF, BOOTSTRAP], ids=["main", "bootstrap"])
def test_every_file_parses_and_pins_its_providers_and_modules(directory: Path) -> None:
    docs = config(directory)
    providers = [p for doc in docs for t in doc.get("terraform", []) for rp in t.get("required_providers", [])
                 for p in rp.items()]
    assert providers and all(spec["source"].startswith("hashicorp/") and spec["version"] for _, spec in providers)
    for name, module in blocks(docs, "module"):
        assert module["source"].startswith("terraform-aws-modules/"), name
        assert re.fullmatch(r"~> \d+\.\d+", module["version"]), f"module {name} version not pinned"


def test_backend_is_s3_encrypted_and_locked_by_the_bootstraps_table() -> None:
    s3 = backend()
    assert s3["encrypt"] in (True, "true")
    assert s3["key"].endswith(".tfstate")
    defaults = variable_defaults(BOOTSTRAP)
    assert s3["dynamodb_table"] == defaults["lock_table_name"]
    assert s3["bucket"] == defaults["state_bucket_name"]
    assert s3["region"] == defaults["region"]


def test_bootstrap_creates_a_versioned_encrypted_private_bucket_and_the_lock_table() -> None:
    docs = config(BOOTSTRAP)
    assert one_block(docs, "resource", "aws_s3_bucket.state")["bucket"] == "${var.state_bucket_name}"
    versioning = one_block(docs, "resource", "aws_s3_bucket_versioning.state")
    assert versioning["bucket"] == "${aws_s3_bucket.state.id}"
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    sse = one_block(docs, "resource", "aws_s3_bucket_server_side_encryption_configuration.state")
    algorithm = sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
    assert "AES256" in algorithm and "aws:kms" in algorithm
    public = one_block(docs, "resource", "aws_s3_bucket_public_access_block.state")
    for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert public[flag] in (True, "true"), flag
    table = one_block(docs, "resource", "aws_dynamodb_table.locks")
    assert table["name"] == "${var.lock_table_name}"
    assert table["hash_key"] == "LockID"
    assert table["attribute"] == [{"name": "LockID", "type": "S"}]  # terraform's lock item key, a string
    assert table["billing_mode"] == "PAY_PER_REQUEST"


def test_vpc_and_eks_with_a_managed_node_group_in_private_subnets() -> None:
    docs = config(TF)
    vpc = one_block(docs, "module", "vpc")
    assert vpc["source"] == "terraform-aws-modules/vpc/aws"
    assert "cidrsubnet" in vpc["private_subnets"] and "cidrsubnet" in vpc["public_subnets"]
    assert vpc["enable_nat_gateway"] in (True, "true")
    eks = one_block(docs, "module", "eks")
    assert eks["source"] == "terraform-aws-modules/eks/aws"
    assert eks["vpc_id"] == "${module.vpc.vpc_id}" and eks["subnet_ids"] == "${module.vpc.private_subnets}"
    groups = eks["eks_managed_node_groups"]
    assert groups, "a managed node group"
    for group in groups.values():
        assert {"instance_types", "min_size", "max_size", "desired_size"} <= set(group)
    defaults = variable_defaults(TF)
    assert defaults["node_min_size"] <= defaults["node_desired_size"] <= defaults["node_max_size"]


def test_ebs_csi_addon_runs_as_an_irsa_role_with_the_ebs_policy_and_gp3_is_the_default_class() -> None:
    docs = config(TF)
    addon = one_block(docs, "module", "eks")["cluster_addons"]["aws-ebs-csi-driver"]
    assert addon["service_account_role_arn"] == "${module.ebs_csi_irsa.iam_role_arn}"
    irsa = one_block(docs, "module", "ebs_csi_irsa")
    assert irsa["source"].endswith("//modules/iam-role-for-service-accounts-eks")
    assert irsa["attach_ebs_csi_policy"] in (True, "true")
    provider = irsa["oidc_providers"]["main"]
    assert provider["provider_arn"] == "${module.eks.oidc_provider_arn}"
    assert provider["namespace_service_accounts"] == ["kube-system:ebs-csi-controller-sa"]
    gp3 = one_block(docs, "resource", "kubernetes_storage_class_v1.gp3")
    assert gp3["storage_provisioner"] == "ebs.csi.aws.com"
    assert gp3["parameters"]["type"] == "gp3" and gp3["parameters"]["encrypted"] == "true"
    assert gp3["volume_binding_mode"] == "WaitForFirstConsumer"
    assert gp3["metadata"][0]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"


def test_helm_release_installs_this_repositorys_chart_with_secrets_and_the_root_app() -> None:
    docs = config(TF)
    release = one_block(docs, "resource", "helm_release.trueup")
    paths = re.findall(r"\$\{path\.module\}/([\w./-]+)", release["chart"])
    assert len(paths) == 1
    chart_dir = (TF / paths[0]).resolve()
    assert chart_dir == CHART.resolve()
    assert yaml.safe_load((chart_dir / "Chart.yaml").read_text())["name"] == "trueup"
    assert "var.trueup_chart_repository" in release["repository"]
    values = release["values"][0]
    # every key the release sets is a key of the chart's values.yaml (a misspelt value is ignored by Helm)
    chart_keys = set(_keys(yaml.safe_load((CHART / "values.yaml").read_text())))
    keys = set(re.findall(r"(?:\{|, )(\w+) = ", values.split("yamlencode(", 1)[1]))
    assert keys - chart_keys == set()
    assert {"apiToken", "webhooks", "rootApp", "image", "replicaCount", "existingSecret", "repoURL"} <= keys
    assert "existingSecret = kubernetes_secret_v1.trueup_api_token" in values
    assert "existingSecret = try(kubernetes_secret_v1.trueup_webhooks[0]" in values
    assert one_block(docs, "resource", "kubernetes_secret_v1.trueup_webhooks")["count"] == \
        "${var.github_webhook_secret ==  ? 0 : 1}"  # (the parser strips the quotes of "")
    assert "enabled = var.root_app_repo_url" in values and "repoURL = var.root_app_repo_url" in values
    assert one_block(docs, "resource", "random_password.trueup_api_token")["special"] in (False, "false")
    webhook = one_block(docs, "variable", "github_webhook_secret")
    assert webhook["sensitive"] in (True, "true")


def _keys(values: Any) -> Iterator[str]:
    if isinstance(values, dict):
        for key, value in values.items():
            yield key
            yield from _keys(value)


def _refs(docs: list[Doc], prefix: str) -> set[str]:
    text = json.dumps(docs)
    return set(re.findall(REF.format(prefix=re.escape(prefix)), text))


@pytest.mark.parametrize("directory", [TF, BOOTSTRAP], ids=["main", "bootstrap"])
def test_every_reference_is_declared_and_every_variable_documented_and_used(directory: Path) -> None:
    docs = config(directory)
    declared = {name: body for name, body in blocks(docs, "variable")}
    used = _refs(docs, "var")
    assert used - set(declared) == set(), "referenced but not declared"
    assert set(declared) - used == set(), "declared but never used"
    for name, body in declared.items():
        assert body.get("description") and body.get("type"), f"variable {name} needs a description and a type"
    locals_ = {k for doc in docs for block in doc.get("locals", []) for k in block}
    assert _refs(docs, "local") <= locals_
    modules = {name for name, _ in blocks(docs, "module")}
    assert _refs(docs, "module") <= modules
    resources = {name for name, _ in blocks(docs, "resource")}
    for rtype in {n.split(".")[0] for n in resources} | {"aws_s3_bucket", "kubernetes_secret_v1"}:
        for label in _refs(docs, rtype):
            assert f"{rtype}.{label}" in resources, f"{rtype}.{label} is referenced but not declared"
    data = {name for name, _ in blocks(docs, "data")}
    assert {".".join(m) for m in re.findall(r"(?<![\w.-])data\.(\w+)\.(\w+)", json.dumps(docs))} <= data
    for name, body in blocks(docs, "output"):
        assert body.get("description") and body.get("value"), f"output {name}"
