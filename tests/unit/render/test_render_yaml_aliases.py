"""YAML anchors, aliases and merge keys read as PyYAML's safe loader reads them (the fast path and
the general constructor agree)."""

from __future__ import annotations

import yaml

from trueup.render.yamldocs import yaml_documents

DOC = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: &labels
    app: web
    tier: "1"
spec:
  replicas: 2
  selector: {matchLabels: *labels}
  template:
    metadata: {labels: *labels}
    spec:
      containers: &containers
      - {name: app, image: "web:1", ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: merged
  labels:
    <<: {a: x, b: y}
    c: z
data:
  flag: &flag yes-please
  again: *flag
  when: 2024-01-01
"""


def test_aliases_and_merge_keys_read_as_the_safe_loader_reads_them() -> None:
    docs = [doc for doc, _ in yaml_documents(DOC, "app.yaml")]
    expected = list(yaml.safe_load_all(DOC))
    expected[1]["data"]["when"] = "2024-01-01"  # timestamps stay strings
    assert docs == expected
    deployment, config = docs
    # an alias is the same value in both places, as the general constructor makes it
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "web", "tier": "1"}
    assert deployment["spec"]["selector"]["matchLabels"] is deployment["metadata"]["labels"]
    assert config["metadata"]["labels"] == {"a": "x", "b": "y", "c": "z"}
    assert [line for _, line in yaml_documents(DOC, "app.yaml")] == [1, 17]


def test_a_recursive_alias_is_still_read() -> None:
    (doc, _), = yaml_documents("kind: List\nitems: &items\n- a\n- *items\n", "list.yaml")
    assert doc["items"][0] == "a" and doc["items"][1] is doc["items"]
