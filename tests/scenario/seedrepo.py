"""The seed's Git repository, small: a root app-of-apps (`apps/`: frontend, backend, database
Applications, automated prune + selfHeal) and the three tiers' manifests, all deployed to `shop`.

    frontend/  Deployment + Service
    backend/   Deployment (env LOG_LEVEL) + Service + ConfigMap
    database/  StatefulSet + headless Service + Secret
"""

from __future__ import annotations

import base64
from pathlib import Path

from tests.e2e.gitrepo import GitRepo

APPS_NS = "trueup"
SHOP = "shop"
TIERS = ("frontend", "backend", "database")


def application(name: str, repo_url: str, path: str) -> str:
    return f"""apiVersion: trueup.dev/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: {APPS_NS}
spec:
  project: default
  source:
    repoURL: {repo_url}
    targetRevision: main
    path: {path}
  destination:
    server: https://kubernetes.default.svc
    namespace: {SHOP}
  syncPolicy:
    automated: {{prune: true, selfHeal: true}}
    syncOptions: [CreateNamespace=true]
"""


def deployment(name: str, image: str, replicas: int, env: dict[str, str] | None = None) -> str:
    env_yaml = "".join(f"            - {{name: {k}, value: {v!r}}}\n" for k, v in (env or {}).items())
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}, tier: {name}}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: {name}
          image: {image}
""" + (f"          env:\n{env_yaml}" if env_yaml else "")


def service(name: str, port: int, headless: bool = False) -> str:
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: {name}}}
""" + ("  clusterIP: None\n" if headless else "") + f"""  ports:
    - {{name: main, port: {port}}}
"""


BACKEND_CONFIG = """apiVersion: v1
kind: ConfigMap
metadata:
  name: backend-config
data:
  DATABASE_HOST: database.shop.svc
"""

DATABASE_SECRET = f"""apiVersion: v1
kind: Secret
metadata:
  name: database-credentials
type: Opaque
data:
  password: {base64.b64encode(b"s3cret-db-pass").decode()}
"""

DATABASE = """apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: database
  labels: {app: database, tier: database}
spec:
  serviceName: database
  replicas: 1
  selector:
    matchLabels: {app: database}
  template:
    metadata:
      labels: {app: database}
    spec:
      containers:
        - name: database
          image: postgres:16
          env:
            - name: POSTGRES_PASSWORD
              valueFrom: {secretKeyRef: {name: database-credentials, key: password}}
"""


class SeedRepo(GitRepo):
    """The seed repository; `backend_image`/`backend_replicas` are what Git says now."""

    frontend_image = "nginx:1.27"
    frontend_replicas = 2
    backend_image = "example/backend:1.0"
    backend_replicas = 1
    log_level = "info"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        url = str(path)
        self.first = self.write({
            **{f"apps/{t}.yaml": application(t, url, t) for t in TIERS},
            "frontend/deployment.yaml": deployment("frontend", self.frontend_image, self.frontend_replicas),
            "frontend/service.yaml": service("frontend", 80),
            "backend/deployment.yaml": self._backend(),
            "backend/service.yaml": service("backend", 8080),
            "backend/configmap.yaml": BACKEND_CONFIG,
            "database/statefulset.yaml": DATABASE,
            "database/service.yaml": service("database", 5432, headless=True),
            "database/secret.yaml": DATABASE_SECRET,
        }, "the shop: frontend, backend, database")

    def _backend(self) -> str:
        return deployment("backend", self.backend_image, self.backend_replicas, {"LOG_LEVEL": self.log_level})

    def root(self) -> str:
        """The root Application (applied with kubectl, as a user bootstraps app-of-apps)."""
        return application("root", str(self.path), "apps")

    def release_backend(self, image: str) -> str:
        self.backend_image = image
        return self.write({"backend/deployment.yaml": self._backend()}, f"backend {image}")
