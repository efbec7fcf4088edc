"""Every request the embedded cluster serves, as `LocalCluster(audit=...)` reports it: tests count
what the controller did on the server's side instead of inferring it from the client."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Audit:
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, query)

    def __call__(self, method: str, path: str, query: str) -> None:
        self.requests.append((method, path, query))

    def mark(self) -> int:
        return len(self.requests)

    def writes(self, since: int, ns: str) -> list[tuple[str, str, str]]:
        """Every request that changes something in namespace `ns` (not reads, not dry runs)."""
        return [r for r in self.requests[since:] if r[0] not in ("GET", "HEAD") and f"/namespaces/{ns}/" in r[1]
                and "dryRun=All" not in r[2]]

    def dry_runs(self, since: int, ns: str) -> list[tuple[str, str, str]]:
        return [r for r in self.requests[since:] if "dryRun=All" in r[2] and f"/namespaces/{ns}/" in r[1]]

    def live_reads(self, since: int, ns: str) -> list[tuple[str, str, str]]:
        """GETs/lists of an app's objects: by name in its namespace, or of a whole kind cluster-wide."""
        out = []
        for method, path, query in self.requests[since:]:
            if method != "GET" or "watch=" in query:
                continue
            if f"/namespaces/{ns}/" in path or path in ("/api/v1/configmaps", "/api/v1/services"):
                out.append((method, path, query))
        return out
