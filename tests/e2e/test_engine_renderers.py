"""Every renderer through `trueup sync` against the embedded cluster; `trueup diff` is clean after each."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

from tests.conftest import RunningCluster
from tests.e2e.engine_kit import Sandbox, current_rv, docs, writes_since


def cm(name: str, **data: str) -> str:
    return yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})


DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""


def test_plain_directory_recurse_include_exclude(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({
        "app/top.yaml": cm("top", a="1"),
        "app/both.json": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "json"}, "data": {}}',
        "app/README.md": "# not a manifest\n",
        "app/nested/deep/inner.yml": docs(cm("inner-1", x="1"), cm("inner-2", x="2")),
        "app/nested/skipped.yaml": cm("skipped"),
        "app/nested/notes.txt": "kind: ConfigMap\n",
    })
    app = box.app(source={"directory": {"recurse": True, "include": "{*.yaml,*.yml,*.json}",
                                        "exclude": "nested/skipped.yaml"}})
    box.sync(app)
    assert set(box.names("cm")) - {"kube-root-ca.crt"} == {"inner-1", "inner-2", "json", "top"}
    box.assert_no_drift(app)

    # Without recurse only the top level is read.
    flat = box.app("flat", ns=box.ns + "-flat")
    box.sync(flat)
    flat_names = set(box.names("cm", box.ns + "-flat")) - {"kube-root-ca.crt"}
    assert flat_names == {"top", "json"}


def test_kustomize_base_overlay_images_name_prefix(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({
        "base/kustomization.yaml": "resources: [deployment.yaml, config.yaml]\n",
        "base/deployment.yaml": DEPLOY,
        "base/config.yaml": cm("settings", level="base"),
        "overlays/prod/kustomization.yaml": docs("""
resources: [../../base]
patches:
  - target: {kind: ConfigMap, name: settings}
    patch: |
      - {op: replace, path: /data/level, value: prod}
"""),
    })
    app = box.app(path="overlays/prod", source={"kustomize": {"namePrefix": "prod-",
                                                              "images": ["nginx=nginx:1.28"]}})
    box.sync(app, "--wait")
    deploy = box.get("deploy", "prod-web")
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert deploy["status"]["availableReplicas"] == 1
    assert box.get("cm", "prod-settings")["data"] == {"level": "prod"}
    assert not any(k.startswith("config.kubernetes.io") for k in deploy["metadata"].get("annotations", {})), \
        "kustomize build metadata must not reach the cluster"
    box.assert_no_drift(app)


CHART = {
    "chart/Chart.yaml": """
apiVersion: v2
name: shop
version: 0.1.0
dependencies:
  - name: sub
    version: 0.1.0
    repository: file://../subchart
""",
    "chart/values.yaml": "replicas: 1\ntag: '1.27'\ncolor: red\nport: 80\n",
    "chart/values-prod.yaml": "color: blue\n",
    "chart/templates/deployment.yaml": """
apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}-web, labels: {app: {{ .Release.Name }}}}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec:
      containers: [{name: web, image: "nginx:{{ .Values.tag }}"}]
""",
    "chart/templates/config.yaml": """
apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-config}
data:
  color: {{ .Values.color | quote }}
  port: {{ .Values.port | quote }}
  portKind: {{ kindOf .Values.port | quote }}
  namespace: {{ .Release.Namespace | quote }}
""",
    "chart/templates/migrate.yaml": """
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox}]
""",
    "chart/templates/NOTES.txt": "installed {{ .Release.Name }}\n",
    "subchart/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    "subchart/values.yaml": "greeting: hi\n",
    "subchart/templates/cm.yaml": """
apiVersion: v1
kind: ConfigMap
metadata: {name: sub-{{ .Release.Name }}}
data: {greeting: {{ .Values.greeting | quote }}}
""",
}


def test_helm_values_files_parameters_release_subchart_and_hook(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write(CHART)
    app = box.app(path="chart", source={"helm": {
        "releaseName": "rel",
        "valueFiles": ["values-prod.yaml"],
        "values": "replicas: 2\n",
        "parameters": [{"name": "tag", "value": "1.28"},
                       {"name": "port", "value": "8080", "forceString": True},
                       {"name": "sub.greeting", "value": "hello"}],
    }})
    rv = current_rv(cluster)
    box.sync(app, "--wait")
    deploy = box.get("deploy", "rel-web")
    assert deploy["spec"]["replicas"] == 2  # values
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"  # parameter
    assert deploy["status"]["availableReplicas"] == 2
    config = box.get("cm", "rel-config")["data"]
    assert config == {"color": "blue", "port": "8080", "portKind": "string", "namespace": box.ns}
    assert box.get("cm", "sub-rel")["data"] == {"greeting": "hello"}  # file:// subchart, parameter into it

    # The pre-install hook ran (as PreSync) and completed before any Sync-phase object was written.
    events = writes_since(cluster, rv, [f"/apis/batch/v1/namespaces/{box.ns}/jobs",
                                        f"/apis/apps/v1/namespaces/{box.ns}/deployments",
                                        f"/api/v1/namespaces/{box.ns}/configmaps"])
    first_sync_write = min(r for r, t, o in events if o["kind"] != "Job" and t == "ADDED"
                           and o["metadata"]["name"] != "kube-root-ca.crt")
    job_done = [r for r, _, o in events if o["kind"] == "Job" and (o.get("status") or {}).get("succeeded")]
    assert job_done and job_done[0] < first_sync_write, events
    box.assert_no_drift(app)

    # Parameters forceString false: the same value is a number in the template.
    numeric = box.app("numeric", path="chart", ns=box.ns + "-n", source={"helm": {
        "releaseName": "num", "parameters": [{"name": "port", "value": "8080"}]}})
    box.sync(numeric)
    assert box.get("cm", "num-config", box.ns + "-n")["data"]["portKind"] in ("float64", "int64")


JSONNET = """
function(replicas=1, suffix="x") [
  {
    apiVersion: "v1", kind: "ConfigMap",
    metadata: { name: "jsonnet-" + suffix },
    data: { env: std.extVar("env"), replicas: std.toString(replicas), app: std.extVar("app") },
  },
  (import "lib/secret.libsonnet") { metadata+: { name: "jsonnet-secret" } },
]
"""


def test_jsonnet_ext_vars_and_tlas(cluster: RunningCluster, tmp_path: Path) -> None:
    box = Sandbox(cluster, tmp_path)
    box.repo.write({
        "app/main.jsonnet": JSONNET,
        "app/lib/secret.libsonnet": '{ apiVersion: "v1", kind: "Secret", metadata: {}, stringData: {k: "v"} }',
    })
    app = box.app(source={"directory": {"jsonnet": {
        "extVars": [{"name": "env", "value": "prod"}, {"name": "app", "value": "$ARGOCD_APP_NAME"}],
        "tlas": [{"name": "replicas", "value": "3", "code": True}, {"name": "suffix", "value": "main"}],
    }}})
    box.sync(app)
    assert box.get("cm", "jsonnet-main")["data"] == {"env": "prod", "replicas": "3", "app": box.ns}
    assert base64.b64decode(box.get("secret", "jsonnet-secret")["data"]["k"]) == b"v"
    box.assert_no_drift(app)
