"""Outputs a reviewer reads: unified text (plain and ANSI), Markdown for pull requests, JSON."""

from __future__ import annotations

import json

from tests.unit.diff.helpers import load, scenario

from trueup.diff import compare, render_json, render_markdown, render_text, render_texts


def test_text_diff_of_a_scale() -> None:
    text = render_text(compare(*scenario("scale")))
    lines = text.splitlines()
    assert lines[:2] == ["--- live apps/Deployment shop/web", "+++ desired apps/Deployment shop/web"]
    assert lines[2].startswith("@@ ")
    assert [line for line in lines[3:] if line[:1] in "+-"] == ["-  replicas: 5", "+  replicas: 2"]
    assert "managedFields" not in text and "resourceVersion" not in text


def test_synced_resource_renders_nothing() -> None:
    assert render_text(compare(*scenario("synced"))) == ""
    assert render_texts([compare(*scenario("synced")), compare(*scenario("scale"))]) == render_text(
        compare(*scenario("scale")))


def test_colored_text_uses_red_green_and_bold() -> None:
    text = render_text(compare(*scenario("set-image")), color=True)
    assert "\x1b[1m--- live apps/Deployment shop/web\x1b[0m" in text
    assert "\x1b[31m-        image: registry.example/web:1.5.0-hotfix\x1b[0m" in text
    assert "\x1b[32m+        image: registry.example/web:1.4.2\x1b[0m" in text


def test_missing_resource_is_all_additions() -> None:
    text = render_text(compare(load("service-desired.yaml"), None, None))
    body = text.splitlines()[3:]
    assert body and all(line.startswith("+") for line in body)
    assert "+  - name: http" in body


def test_markdown_summary_table_and_collapsed_diffs() -> None:
    diffs = [compare(*scenario("synced")), compare(*scenario("scale")),
             compare(load("service-desired.yaml"), None, None), compare(None, None, load("secret-live.yaml"))]
    markdown = render_markdown(diffs)
    lines = markdown.splitlines()
    assert lines[0] == "### trueup diff: 3 of 4 resources differ"
    assert lines[1] == "1 synced · 1 out of sync · 1 missing · 1 extra"
    assert "| Status | Resource | Changed fields | Last changed by |" in lines
    assert "| OutOfSync | `apps/Deployment shop/web` | `.spec.replicas` | kubectl |" in lines
    assert "| Missing | `Service shop/web` | not in the cluster |  |" in lines
    assert "| Extra | `Secret shop/db` | not in Git |  |" in lines
    assert markdown.count("<details>") == 3 and markdown.count("</details>") == 3
    assert "<details><summary>OutOfSync: apps/Deployment shop/web</summary>" in lines
    assert "-  replicas: 5" in lines and "+  replicas: 2" in lines
    assert markdown.count("```diff") == 3


def test_markdown_when_nothing_differs() -> None:
    markdown = render_markdown([compare(*scenario("synced"))])
    assert markdown.splitlines()[0] == "### trueup diff: no differences (1 resources in sync)"
    assert "<details>" not in markdown


def test_json_per_resource() -> None:
    document = json.loads(render_json([compare(*scenario("synced")), compare(*scenario("edit"))]))
    assert document["summary"] == {"total": 2, "Synced": 1, "OutOfSync": 1, "Missing": 0, "Extra": 0}
    edited = document["resources"][1]
    assert {k: edited[k] for k in ("group", "kind", "namespace", "name", "status", "mode")} == {
        "group": "apps", "kind": "Deployment", "namespace": "shop", "name": "web", "status": "OutOfSync",
        "mode": "server-side"}
    assert edited["changes"] == [{
        "path": '.spec.template.spec.containers[name="web"].env[name="MODE"].value',
        "pointer": "/spec/template/spec/containers/0/env/0/value", "action": "changed",
        "before": "debug", "after": "production",
        "changedBy": {"manager": "kubectl-edit", "operation": "Update", "time": "2026-11-26T11:54:43Z"},
    }]
    assert "live" not in edited
    with_objects = json.loads(render_json([compare(*scenario("edit"))], include_objects=True))["resources"][0]
    assert with_objects["live"]["spec"]["replicas"] == 2 and with_objects["desired"]["kind"] == "Deployment"
