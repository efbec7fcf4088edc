"""Secure by default: tokens required, loopback only, private files 0600."""

from __future__ import annotations

import socket
import stat

import pytest

from trueup.localcluster.cluster import LocalCluster

from .conftest import Api


@pytest.mark.parametrize("token", ["", "wrong-token"])
async def test_requests_without_the_token_are_refused(local: LocalCluster, token: str) -> None:
    api = Api(local, token=token)
    try:
        for path in ("/api/v1/namespaces", "/version", "/apis", "/openapi/v3"):
            code, status = await api.request("GET", path)
            assert code == 401, path
            assert status["reason"] == "Unauthorized"
        code, _ = await api.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                                   "metadata": {"name": "sneaky"}})
        assert code == 401
    finally:
        await api.close()
    good = Api(local)
    try:
        code, _ = await good.request("GET", "/api/v1/namespaces/sneaky")
        assert code == 404
        code, _ = await good.request("GET", "/healthz")
        assert code == 200
    finally:
        await good.close()


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent for UDP connect
            addr = str(s.getsockname()[0])
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


async def test_listens_on_loopback_only(local: LocalCluster) -> None:
    with socket.create_connection(("127.0.0.1", local.port), timeout=2):
        pass
    other = _non_loopback_address()
    if other is None:
        pytest.skip("this machine has no non-loopback IPv4 address to probe")
    with pytest.raises(OSError), socket.create_connection((other, local.port), timeout=2):
        pass


async def test_private_files_are_0600(local: LocalCluster) -> None:
    pki = local.data_dir / "pki"
    for path in (local.kubeconfig, pki / "ca.key", pki / "apiserver.key", pki / "token"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == 0o600, f"{path} has mode {oct(mode)}"
    assert stat.S_IMODE(local.data_dir.stat().st_mode) == 0o700
