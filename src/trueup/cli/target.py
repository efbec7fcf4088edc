"""Which cluster `trueup up` reconciles: a kubeconfig, the pod's service account, or the embedded cluster.

    target = choose_target(kubeconfig, in_cluster, env=os.environ, sa_dir=SERVICE_ACCOUNT_DIR)

1. `--kubeconfig PATH` (else $KUBECONFIG): that cluster. Together with `--in-cluster`: a usage
   error (two answers to one question).
2. `--in-cluster`: the pod's service account, or an error naming what is missing.
3. Neither flag (auto): in a pod — $KUBERNETES_SERVICE_HOST and _PORT set and a token in the
   service-account directory — the service account. Never the embedded cluster inside a pod:
   $KUBERNETES_SERVICE_HOST set without a token is an error that says how to proceed.
   Outside a pod: the embedded cluster.
4. `--no-in-cluster`: never the service account; without a kubeconfig, the embedded cluster.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from trueup.kube import ClusterConfig
from trueup.kube.config import SERVICE_ACCOUNT_DIR, in_cluster_config

HOST_ENV, PORT_ENV = "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"


class TargetError(Exception):
    """The flags and the environment do not name one cluster; the message says what to change."""


@dataclass(frozen=True)
class Target:
    mode: Literal["kubeconfig", "in-cluster", "embedded"]
    kubeconfig: Path | None = None
    config: ClusterConfig | None = field(default=None, repr=False)


def choose_target(kubeconfig: Path | None, in_cluster: bool | None, env: Mapping[str, str],
                  sa_dir: Path = SERVICE_ACCOUNT_DIR) -> Target:
    if kubeconfig is None and env.get("KUBECONFIG"):
        kubeconfig = Path(env["KUBECONFIG"].split(os.pathsep)[0])
    if kubeconfig is not None:
        if in_cluster:
            raise TargetError(f"--in-cluster and a kubeconfig ({kubeconfig}) name two clusters; "
                              "drop one (unset KUBECONFIG to use the service account)")
        return Target("kubeconfig", kubeconfig=kubeconfig)
    if in_cluster is False:
        return Target("embedded")
    in_pod = bool(env.get(HOST_ENV))
    if not in_cluster and not in_pod:
        return Target("embedded")
    missing = [name for name in (HOST_ENV, PORT_ENV) if not env.get(name)]
    if not (sa_dir / "token").is_file():
        missing.append(f"the service-account token {sa_dir / 'token'}")
    if missing:
        why = "--in-cluster" if in_cluster else f"${HOST_ENV} is set (this looks like a pod)"
        raise TargetError(f"{why} but the in-cluster config is incomplete: missing {', '.join(missing)}; "
                          "mount the service account token (automountServiceAccountToken), pass --kubeconfig, "
                          "or --no-in-cluster to start the embedded cluster")
    config = in_cluster_config(sa_dir, env)
    if config is None:  # the token vanished between the check and the read
        raise TargetError(f"cannot read the service-account token in {sa_dir}")
    return Target("in-cluster", config=config)
