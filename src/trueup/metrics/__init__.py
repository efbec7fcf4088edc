"""Prometheus metrics of trueup, in a registry of its own (never the process-global one).

```python
metrics = Metrics()                                   # one per controller/server; tests make their own
metrics.set_app_info(AppInfo(name="web", namespace="trueup", project="default",
                             sync_status="Synced", health_status="Healthy",
                             repo="https://github.com/acme/platform", dest_namespace="web"))
metrics.record_sync("web", "Succeeded")               # trueup_app_sync_total{name,phase}
metrics.observe_reconcile(0.12)                       # trueup_app_reconcile_seconds
metrics.record_drift("web", "Deployment")             # trueup_drift_events_total{name,kind}
metrics.observe_heal_latency(0.08)                    # trueup_heal_latency_seconds
metrics.observe_git_fetch(repo_url, 0.4)              # trueup_git_fetch_seconds{repo} (credentials scrubbed)
metrics.record_kube_request("patch", 200)             # trueup_kube_requests_total{verb,code}
metrics.record_webhook("github", "accepted")          # trueup_webhook_requests_total{provider,result}
body = metrics.render()                               # Prometheus text format, bytes
```

Names follow Argo CD's (`argocd_app_info`, `argocd_app_sync_total`, `argocd_app_reconcile`, ...)
with the `trueup_` prefix. Every label value that could carry a credential (repository URLs)
goes through `scrub_repo_url`: user-info, query and fragment are dropped.

Modules: `registry` (Metrics, AppInfo), `labels` (scrub_repo_url, label vocabularies).
"""

from .labels import WEBHOOK_RESULTS, WebhookResult, scrub_repo_url
from .registry import AppInfo, Metrics

__all__ = [
    "WEBHOOK_RESULTS",
    "AppInfo",
    "Metrics",
    "WebhookResult",
    "scrub_repo_url",
]
