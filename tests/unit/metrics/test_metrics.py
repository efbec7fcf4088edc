"""Metrics: every metric recorded and rendered with its labels, app_info replaced not duplicated,
repository URLs scrubbed, registries isolated."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from trueup.metrics import WEBHOOK_RESULTS, AppInfo, Metrics, scrub_repo_url

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(metrics: Metrics) -> Samples:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(metrics.render().decode()) for s in family.samples}


def value(metrics: Metrics, metric: str, /, **labels: str) -> float | None:
    return samples(metrics).get((metric, frozenset(labels.items())))


def test_app_info_has_argo_cd_labels_and_replaces_the_previous_series() -> None:
    m = Metrics()
    info = AppInfo("web", "trueup", "default", "OutOfSync", "Progressing",
                   "https://bot:ghp_token@github.com/acme/platform.git", "web")
    m.set_app_info(info)
    labels = {"name": "web", "namespace": "trueup", "project": "default", "sync_status": "OutOfSync",
              "health_status": "Progressing", "repo": "https://github.com/acme/platform.git", "dest_namespace": "web"}
    assert value(m, "trueup_app_info", **labels) == 1
    m.set_app_info(AppInfo("web", "trueup", "default", "Synced", "Healthy", info.repo, "web"))
    series = [key for key in samples(m) if key[0] == "trueup_app_info"]
    assert len(series) == 1
    assert dict(series[0][1])["sync_status"] == "Synced"
    assert "ghp_token" not in m.render().decode()
    m.remove_app("web", "trueup")
    assert not [key for key in samples(m) if key[0] == "trueup_app_info"]
    m.remove_app("web", "trueup")  # twice is harmless


def test_counters() -> None:
    m = Metrics()
    m.record_sync("web", "Succeeded")
    m.record_sync("web", "Succeeded")
    m.record_sync("web", "Failed")
    m.record_drift("web", "Deployment")
    m.record_kube_request("PATCH", 200)
    m.record_kube_request("get", "404")
    m.record_webhook("github", "accepted")
    assert value(m, "trueup_app_sync_total", name="web", phase="Succeeded") == 2
    assert value(m, "trueup_app_sync_total", name="web", phase="Failed") == 1
    assert value(m, "trueup_drift_events_total", name="web", kind="Deployment") == 1
    assert value(m, "trueup_kube_requests_total", verb="patch", code="200") == 1
    assert value(m, "trueup_kube_requests_total", verb="get", code="404") == 1
    assert value(m, "trueup_webhook_requests_total", provider="github", result="accepted") == 1


def test_histograms() -> None:
    m = Metrics()
    m.observe_reconcile(0.3)
    m.observe_heal_latency(0.04)
    m.observe_heal_latency(2.0)
    m.observe_git_fetch("https://user:pw@gitlab.example/acme/x.git?private_token=abc#frag", 0.7)
    assert value(m, "trueup_app_reconcile_seconds_count") == 1
    assert value(m, "trueup_app_reconcile_seconds_bucket", le="0.5") == 1
    assert value(m, "trueup_app_reconcile_seconds_bucket", le="0.25") == 0
    assert value(m, "trueup_heal_latency_seconds_bucket", le="0.05") == 1
    assert value(m, "trueup_heal_latency_seconds_bucket", le="+Inf") == 2
    assert value(m, "trueup_git_fetch_seconds_count", repo="https://gitlab.example/acme/x.git") == 1
    text = m.render().decode()
    assert "pw@" not in text and "abc" not in text


def test_every_metric_is_declared_from_the_start() -> None:
    text = Metrics().render().decode()
    for name in ("trueup_app_info", "trueup_app_sync_total", "trueup_app_reconcile_seconds",
                 "trueup_drift_events_total", "trueup_heal_latency_seconds", "trueup_git_fetch_seconds",
                 "trueup_kube_requests_total", "trueup_webhook_requests_total"):
        assert f"# TYPE {name.removesuffix('_total')}" in text, name


def test_registries_are_isolated_and_not_global() -> None:
    from prometheus_client import REGISTRY

    a, b = Metrics(), Metrics()
    a.record_webhook("gitlab", "unauthorized")
    assert value(b, "trueup_webhook_requests_total", provider="gitlab", result="unauthorized") is None
    assert REGISTRY.get_sample_value("trueup_webhook_requests_total",
                                     {"provider": "gitlab", "result": "unauthorized"}) is None


def test_openmetrics_exposition() -> None:
    m = Metrics()
    body, content_type = m.exposition("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert body.rstrip().endswith(b"# EOF")
    body, content_type = m.exposition(None)
    assert content_type.startswith("text/plain; version=0.0.4")
    assert body == m.render()


def test_webhook_results_vocabulary() -> None:
    assert set(WEBHOOK_RESULTS) == {"accepted", "no_match", "ignored", "unauthorized", "bad_request",
                                    "too_large", "error"}


@pytest.mark.parametrize(("url", "scrubbed"), [
    ("https://github.com/acme/platform.git", "https://github.com/acme/platform.git"),
    ("https://bot:ghp_x@github.com/acme/platform.git", "https://github.com/acme/platform.git"),
    ("https://oauth2@gitlab.com:8443/a/b?private_token=t#x", "https://gitlab.com:8443/a/b"),
    ("ssh://git@github.com/acme/platform.git", "ssh://github.com/acme/platform.git"),
    ("git@github.com:acme/platform.git", "github.com:acme/platform.git"),
    ("http://[::1", "invalid-url"),
])
def test_scrub_repo_url(url: str, scrubbed: str) -> None:
    assert scrub_repo_url(url) == scrubbed
