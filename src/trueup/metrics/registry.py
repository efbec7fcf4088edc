"""`Metrics`: every trueup metric, in one `CollectorRegistry` the object owns.

| metric                            | type      | labels                                                  |
|-----------------------------------|-----------|---------------------------------------------------------|
| trueup_app_info                   | gauge (1) | name, namespace, project, sync_status, health_status,   |
|                                   |           | repo, dest_namespace                                    |
| trueup_app_sync_total             | counter   | name, phase (Succeeded, Failed, Error, Terminated)      |
| trueup_app_reconcile_seconds      | histogram |                                                         |
| trueup_drift_events_total         | counter   | name, kind                                              |
| trueup_heal_latency_seconds       | histogram |                                                         |
| trueup_git_fetch_seconds          | histogram | repo (credentials scrubbed)                             |
| trueup_kube_requests_total        | counter   | verb, code                                              |
| trueup_webhook_requests_total     | counter   | provider, result (see `labels.WebhookResult`)           |

`trueup_app_info` holds one series per app: setting an app's info again replaces its previous
series (a sync status change must not leave the old one behind), `remove_app` drops it.
Calls are cheap and synchronous; prometheus_client makes them thread-safe.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, replace

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, choose_encoder, generate_latest

from .labels import WebhookResult, scrub_repo_url

RECONCILE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
HEAL_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
GIT_FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
"""The content type of `render()`: the Prometheus text format every scraper reads."""


@dataclass(frozen=True)
class AppInfo:
    """The labels of `trueup_app_info` for one Application (`repo` is scrubbed when recorded)."""

    name: str
    namespace: str
    project: str = "default"
    sync_status: str = "Unknown"
    health_status: str = "Unknown"
    repo: str = ""
    dest_namespace: str = ""


class Metrics:
    """trueup's metrics and the registry that exports them."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        self.app_info = Gauge("trueup_app_info", "Information about an Application (always 1).",
                              ["name", "namespace", "project", "sync_status", "health_status", "repo",
                               "dest_namespace"], registry=r)
        self.app_sync = Counter("trueup_app_sync_total", "Sync operations by Application and final phase.",
                                ["name", "phase"], registry=r)
        self.reconcile = Histogram("trueup_app_reconcile_seconds", "Duration of one Application reconciliation.",
                                   buckets=RECONCILE_BUCKETS, registry=r)
        self.drift = Counter("trueup_drift_events_total", "Drifted live objects seen, by Application and kind.",
                             ["name", "kind"], registry=r)
        self.heal_latency = Histogram("trueup_heal_latency_seconds",
                                      "From an out-of-band change seen on a watch to the restoring write.",
                                      buckets=HEAL_BUCKETS, registry=r)
        self.git_fetch = Histogram("trueup_git_fetch_seconds", "Duration of one Git fetch, by repository.",
                                   ["repo"], buckets=GIT_FETCH_BUCKETS, registry=r)
        self.kube_requests = Counter("trueup_kube_requests_total", "Kubernetes API requests by verb and HTTP code.",
                                     ["verb", "code"], registry=r)
        self.webhook_requests = Counter("trueup_webhook_requests_total",
                                        "Webhook deliveries by provider and what the server did with them.",
                                        ["provider", "result"], registry=r)
        self._app_labels: dict[tuple[str, str], tuple[str, ...]] = {}

    def set_app_info(self, info: AppInfo) -> None:
        """Record an Application's current labels, replacing its previous series."""
        labels = astuple(replace(info, repo=scrub_repo_url(info.repo) if info.repo else ""))
        key = (info.namespace, info.name)
        previous = self._app_labels.get(key)
        if previous is not None and previous != labels:
            self.app_info.remove(*previous)
        self.app_info.labels(*labels).set(1)
        self._app_labels[key] = labels

    def remove_app(self, name: str, namespace: str) -> None:
        """Forget a deleted Application's info series (its counters stay, as Prometheus expects)."""
        previous = self._app_labels.pop((namespace, name), None)
        if previous is not None:
            self.app_info.remove(*previous)

    def record_sync(self, name: str, phase: str) -> None:
        """One sync operation of `name` ended in `phase` (Succeeded, Failed, Error, Terminated)."""
        self.app_sync.labels(name=name, phase=phase).inc()

    def observe_reconcile(self, seconds: float) -> None:
        self.reconcile.observe(seconds)

    def record_drift(self, name: str, kind: str) -> None:
        """A live object of `kind` managed by `name` drifted from Git."""
        self.drift.labels(name=name, kind=kind).inc()

    def observe_heal_latency(self, seconds: float) -> None:
        self.heal_latency.observe(seconds)

    def observe_git_fetch(self, repo_url: str, seconds: float) -> None:
        """One fetch of `repo_url` (credentials removed before it becomes a label)."""
        self.git_fetch.labels(repo=scrub_repo_url(repo_url)).observe(seconds)

    def record_kube_request(self, verb: str, code: int | str) -> None:
        """One Kubernetes API request (`verb` lower-cased: get, list, watch, patch, ...)."""
        self.kube_requests.labels(verb=verb.lower(), code=str(code)).inc()

    def record_webhook(self, provider: str, result: WebhookResult) -> None:
        """One webhook delivery (`provider` "unknown" when no provider was recognised)."""
        self.webhook_requests.labels(provider=provider, result=result).inc()

    def render(self) -> bytes:
        """Every metric in the Prometheus text format (`CONTENT_TYPE`)."""
        return generate_latest(self.registry)

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The body and content type a scraper asked for with its Accept header (OpenMetrics or text)."""
        if not accept or "application/openmetrics-text" not in accept:
            return self.render(), CONTENT_TYPE
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type
