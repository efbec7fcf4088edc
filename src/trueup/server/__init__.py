"""The HTTP server: API, webhooks, metrics, health probes (placeholder)."""
