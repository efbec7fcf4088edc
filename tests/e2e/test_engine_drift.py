"""Drift: none right after a sync on every kind the embedded cluster defaults; each kubectl change
reported as exactly that change (path and manager); ignoreDifferences; Secret values never shown."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import yaml

from tests.conftest import RunningCluster, eventually
from tests.e2e.engine_kit import Sandbox

KINDS = Path(__file__).parent / "engine_fixtures" / "kinds"


def kinds_repo(box: Sandbox) -> None:
    box.repo.write({f"app/{f.name}": f.read_text().replace("NS", box.ns) for f in sorted(KINDS.glob("*.yaml"))})


def test_every_kind_synced_without_drift_then_each_kubectl_change_is_reported(cluster: RunningCluster,
                                                                              tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    kinds_repo(box)
    app = box.app()
    # As in Argo CD, the sync ends once the last wave is applied (the embedded cluster has no
    # ingress, load-balancer or HPA controller: those objects would stay Progressing anyway).
    run = box.sync(app, "-o", "json")
    result = json.loads(run.stdout)
    assert result["phase"] == "Succeeded", result
    created = sorted(f"{r['kind']}/{r['name']}" for r in result["resources"] if r["action"] == "created")
    assert created == sorted([
        "ClusterRole/" + box.ns + "-viewer", "ConfigMap/settings", "CronJob/nightly", "CustomResourceDefinition/"
        f"widgets.{box.ns}.example.com", "DaemonSet/agent", "Deployment/web", "HorizontalPodAutoscaler/web",
        "Ingress/web", "Job/once", "NetworkPolicy/web", "PersistentVolumeClaim/cache", "PodDisruptionBudget/web",
        "Role/reader", "RoleBinding/runner-reads", "Secret/creds", "Secret/token", "Service/db", "Service/web",
        "Service/web-lb", "Service/web-nodeport", "ServiceAccount/runner", "StatefulSet/db", "Widget/blue"])
    # (The embedded server does not apply CRD schema defaults yet; a real one adds size: 1, which the
    # server-side dry run predicts, so it is not drift either.)
    assert box.get(f"widgets.{box.ns}.example.com", "blue")["spec"]["color"] == "blue"
    eventually(lambda: box.get("sts", "db")["status"].get("readyReplicas") == 2, 60, "the StatefulSet ready")
    box.assert_no_drift(app)

    # Each out-of-band change is reported as exactly that change, with the manager that made it.
    seen: list[tuple[str, str, str, str | None]] = []

    def expect(change: tuple[str, str, str, str]) -> None:
        seen.append(change)
        assert sorted(box.drift(app)) == sorted(seen)

    box.kubectl("set", "image", "deploy/web", "-n", box.ns, "web=nginx:1.28")
    expect(("Deployment", "web", '.spec.template.spec.containers[name="web"].image', "kubectl-set"))
    box.kubectl("scale", "sts/db", "-n", box.ns, "--replicas=3")
    expect(("StatefulSet", "db", ".spec.replicas", "kubectl"))
    box.kubectl("label", "cm/settings", "-n", box.ns, "tier=frontend", "--overwrite")
    expect(("ConfigMap", "settings", ".metadata.labels.tier", "kubectl-label"))

    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/averageUtilization: 80/averageUtilization: 60/' \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    box.kubectl("edit", "hpa/web", "-n", box.ns, env={"EDITOR": str(editor), "KUBE_EDITOR": str(editor),
                                                      "PATH": os.environ["PATH"]})
    expect(("HorizontalPodAutoscaler", "web", '.spec.metrics[0].resource.target.averageUtilization',
            "kubectl-edit"))

    # A change to a field Git does not set is not drift (someone else owns it).
    box.kubectl("annotate", "svc/web", "-n", box.ns, "team=shop")
    assert sorted(box.drift(app)) == sorted(seen)

    box.sync(app)
    box.assert_no_drift(app)


DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {app: api}}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - {name: api, image: "nginx:1.27"}
        - {name: sidecar, image: "envoy:1.30"}
"""
CM = """
apiVersion: v1
kind: ConfigMap
metadata: {name: tuned}
data: {limit: "10", owner: git}
"""


def test_ignore_differences_hide_exactly_the_ignored_fields(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({"app/deploy.yaml": DEPLOY, "app/cm.yaml": CM})
    app = box.app(spec={"ignoreDifferences": [
        {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]},
        {"group": "apps", "kind": "Deployment", "name": "api",
         "jqPathExpressions": ['.spec.template.spec.containers[] | select(.name == "sidecar") | .image']},
        {"kind": "ConfigMap", "managedFieldsManagers": ["autoscaler"]},
    ]})
    box.sync(app)
    box.kubectl("scale", "deploy/api", "-n", box.ns, "--replicas=4")
    box.kubectl("set", "image", "deploy/api", "-n", box.ns, "sidecar=envoy:1.31")
    box.kubectl("patch", "cm/tuned", "-n", box.ns, "--type=merge", "-p", '{"data":{"limit":"20"}}',
                "--field-manager=autoscaler")
    box.assert_no_drift(app)

    # Fields next to the ignored ones are still compared.
    box.kubectl("set", "image", "deploy/api", "-n", box.ns, "api=nginx:1.28")
    box.kubectl("patch", "cm/tuned", "-n", box.ns, "--type=merge", "-p", '{"data":{"owner":"ops"}}')
    assert sorted((k, p, m) for k, _, p, m in box.drift(app)) == [
        ("ConfigMap", ".data.owner", "kubectl-patch"),
        ("Deployment", '.spec.template.spec.containers[name="api"].image', "kubectl-set"),
    ]
    # Without the rules, every change shows.
    plain = box.app()
    assert len(box.drift(plain)) == 5


SECRETS = """
apiVersion: v1
kind: Secret
metadata: {name: db}
data: {password: czNjcjN0LWdpdA==}
---
apiVersion: v1
kind: Secret
metadata: {name: api}
stringData: {token: tok-from-git}
"""


def test_secret_values_never_appear_in_any_diff_output(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({"app/secrets.yaml": SECRETS})
    app = box.app()
    box.sync(app)
    box.assert_no_drift(app)
    live = "l1ve-s3cret-value"
    box.kubectl("patch", "secret/db", "-n", box.ns, "--type=merge", "-p",
                json.dumps({"data": {"password": base64.b64encode(live.encode()).decode(),
                                     "extra": base64.b64encode(b"another-l1ve").decode()}}))
    box.kubectl("patch", "secret/api", "-n", box.ns, "--type=merge", "-p",
                json.dumps({"stringData": {"token": "tok-changed-live"}}))
    values = ["s3cr3t-git", "czNjcjN0LWdpdA==", live, base64.b64encode(live.encode()).decode(), "tok-from-git",
              "tok-changed-live", base64.b64encode(b"tok-from-git").decode(),
              base64.b64encode(b"tok-changed-live").decode(), "another-l1ve"]
    for output in ("text", "json", "markdown"):
        run = box.trueup("diff", str(app), "-o", output, "--no-color")
        assert run.code == 1, run.out
        for value in values:
            assert value not in run.out, f"{value!r} leaked in -o {output}:\n{run.out}"
    changes = {(name, path) for _, name, path, _ in box.drift(app)}
    assert {("db", ".data.password"), ("api", ".data.token")} <= changes, changes
    # The masks still tell changed from unchanged values: before and after differ.
    report = json.loads(box.trueup("diff", str(app), "-o", "json").stdout)
    for resource in report["resources"]:
        for change in resource["changes"]:
            if change["action"] == "changed":
                assert change["before"] != change["after"], change
    yaml.safe_dump(report)  # structured output stays plain data
