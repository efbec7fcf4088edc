"""The kubeconfig of the embedded cluster: what kubectl and Python clients use unchanged."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

from .pki import Credentials, write_private

CONTEXT = "trueup-local"


def render_kubeconfig(server_url: str, creds: Credentials, context: str = CONTEXT) -> str:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": context,
                "cluster": {
                    "server": server_url,
                    "certificate-authority-data": base64.b64encode(creds.ca_pem).decode(),
                },
            }
        ],
        "users": [{"name": context, "user": {"token": creds.token}}],
        "contexts": [
            {"name": context, "context": {"cluster": context, "user": context, "namespace": "default"}}
        ],
        "current-context": context,
        "preferences": {},
    }
    return yaml.safe_dump(doc, sort_keys=False)


def write_kubeconfig(path: Path, server_url: str, creds: Credentials) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, render_kubeconfig(server_url, creds).encode())
    return path
