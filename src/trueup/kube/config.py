"""Where a cluster is and how to authenticate: kubeconfig files and in-cluster service accounts.

    cfg = load_config(kubeconfig=None, context=None)   # KUBECONFIG, ~/.kube/config, or in-cluster
    client = Client.from_config(cfg)

Supported, as kubectl does: bearer `token` and `tokenFile`, client certificates (file or
`-data`), basic auth, `exec` credential plugins (e.g. `aws eks get-token` for EKS; the token is
cached until its expiry), `certificate-authority(-data)`, `insecure-skip-tls-verify`, a context's
default namespace. Credentials never appear in reprs, logs or error messages.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import ssl
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")


class ConfigError(Exception):
    """A kubeconfig that cannot be used; the message says which file/context and what is wrong."""


@dataclass
class ClusterConfig:
    server: str
    namespace: str = "default"
    context: str = ""
    source: str = ""  # the kubeconfig path, or "in-cluster"
    ca_file: str | None = None
    ca_data: bytes | None = field(default=None, repr=False)
    insecure: bool = False
    token: str | None = field(default=None, repr=False)
    token_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    cert_data: bytes | None = field(default=None, repr=False)
    key_data: bytes | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    exec_spec: dict[str, Any] | None = field(default=None, repr=False)
    _exec_token: str | None = field(default=None, repr=False)
    _exec_expiry: dt.datetime | None = field(default=None, repr=False)

    def ssl_context(self) -> ssl.SSLContext | bool:
        if not self.server.startswith("https"):
            return False
        if self.insecure:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif self.ca_data:
            ctx = ssl.create_default_context(cadata=self.ca_data.decode())
        elif self.ca_file:
            ctx = ssl.create_default_context(cafile=self.ca_file)
        else:
            ctx = ssl.create_default_context()
        if self.cert_data and self.key_data:
            with tempfile.TemporaryDirectory() as tmp:
                cert, key = Path(tmp) / "c.pem", Path(tmp) / "k.pem"
                cert.write_bytes(self.cert_data)
                key.write_bytes(self.key_data)
                key.chmod(0o600)
                ctx.load_cert_chain(str(cert), str(key))
        elif self.cert_file and self.key_file:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx

    def auth_header(self) -> str | None:
        if self.token:
            return f"Bearer {self.token}"
        if self.token_file:
            return f"Bearer {Path(self.token_file).read_text().strip()}"
        if self.exec_spec:
            return f"Bearer {self._exec()}"
        if self.username and self.password is not None:
            raw = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return f"Basic {raw}"
        return None

    def _exec(self) -> str:
        now = dt.datetime.now(dt.UTC)
        if self._exec_token and (self._exec_expiry is None or self._exec_expiry > now + dt.timedelta(seconds=30)):
            return self._exec_token
        spec = self.exec_spec or {}
        cmd = [str(spec.get("command", ""))] + [str(a) for a in spec.get("args") or []]
        env = {**os.environ, **{str(e["name"]): str(e["value"]) for e in spec.get("env") or []}}
        try:
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            raise ConfigError(f"{self.source}: context {self.context!r}: the exec credential plugin "
                              f"{cmd[0]!r} failed: {type(exc).__name__}; run it by hand to see why") from None
        status = (json.loads(out.stdout).get("status") or {})
        token = status.get("token")
        if not token:
            raise ConfigError(f"{self.source}: context {self.context!r}: the exec credential plugin {cmd[0]!r} "
                              "returned no status.token")
        self._exec_token = str(token)
        expiry = status.get("expirationTimestamp")
        self._exec_expiry = dt.datetime.fromisoformat(str(expiry).replace("Z", "+00:00")) if expiry else None
        return self._exec_token


def _data(value: Any) -> bytes | None:
    return base64.b64decode(value) if value else None


def _relative(base: Path, value: Any) -> str | None:
    if not value:
        return None
    p = Path(str(value)).expanduser()
    return str(p if p.is_absolute() else base.parent / p)


def kubeconfig_paths(explicit: str | Path | None = None) -> list[Path]:
    if explicit:
        return [Path(explicit).expanduser()]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def load_kubeconfig(path: Path, context: str | None = None) -> ClusterConfig:
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read kubeconfig {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"kubeconfig {path} is not valid YAML: {' '.join(str(exc).split())}") from None
    name = context or doc.get("current-context")
    if not name:
        raise ConfigError(f"kubeconfig {path} has no current-context; pass --context")
    ctx = next((c.get("context") or {} for c in doc.get("contexts") or [] if c.get("name") == name), None)
    if ctx is None:
        known = ", ".join(str(c.get("name")) for c in doc.get("contexts") or [])
        raise ConfigError(f"kubeconfig {path} has no context {name!r} (contexts: {known or 'none'})")
    cluster = next((c.get("cluster") or {} for c in doc.get("clusters") or [] if c.get("name") == ctx.get("cluster")),
                   None)
    if not cluster or not cluster.get("server"):
        raise ConfigError(f"kubeconfig {path}: context {name!r} names cluster {ctx.get('cluster')!r}, "
                          "which is missing or has no server")
    user = next((u.get("user") or {} for u in doc.get("users") or [] if u.get("name") == ctx.get("user")), {})
    return ClusterConfig(
        server=str(cluster["server"]).rstrip("/"),
        namespace=str(ctx.get("namespace") or "default"),
        context=str(name),
        source=str(path),
        ca_file=_relative(path, cluster.get("certificate-authority")),
        ca_data=_data(cluster.get("certificate-authority-data")),
        insecure=bool(cluster.get("insecure-skip-tls-verify")),
        token=user.get("token"),
        token_file=_relative(path, user.get("tokenFile")),
        cert_file=_relative(path, user.get("client-certificate")),
        key_file=_relative(path, user.get("client-key")),
        cert_data=_data(user.get("client-certificate-data")),
        key_data=_data(user.get("client-key-data")),
        username=user.get("username"),
        password=user.get("password"),
        exec_spec=user.get("exec"),
    )


def in_cluster_config(directory: Path = SERVICE_ACCOUNT_DIR,
                      env: Mapping[str, str] | None = None) -> ClusterConfig | None:
    """The pod's service account (token, ca.crt, namespace in `directory`) and $KUBERNETES_SERVICE_HOST/_PORT."""
    env = os.environ if env is None else env
    host, port = env.get("KUBERNETES_SERVICE_HOST"), env.get("KUBERNETES_SERVICE_PORT")
    token = directory / "token"
    if not host or not port or not token.exists():
        return None
    ns_file = directory / "namespace"
    return ClusterConfig(
        server=f"https://[{host}]:{port}" if ":" in host else f"https://{host}:{port}",  # IPv6: net.JoinHostPort
        namespace=ns_file.read_text().strip() if ns_file.exists() else "default",
        source="in-cluster",
        ca_file=str(directory / "ca.crt"),
        token_file=str(token),
    )


def load_config(kubeconfig: str | Path | None = None, context: str | None = None) -> ClusterConfig:
    """An explicit kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the in-cluster account."""
    for path in kubeconfig_paths(kubeconfig):
        if path.exists():
            return load_kubeconfig(path, context)
        if kubeconfig:
            raise ConfigError(f"kubeconfig {path} does not exist")
    cfg = in_cluster_config()
    if cfg is None:
        raise ConfigError("no kubeconfig found (set KUBECONFIG or pass --kubeconfig) and not running in a cluster")
    return cfg
