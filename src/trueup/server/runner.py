"""`serve`: run an application on a TCP address until `stop()`; `parse_listen` reads the address.

Secure by default: the default address is 127.0.0.1:8080, and an address without a host
(`:8080`, `8080`) also means 127.0.0.1 (unlike Go's `:8080`, which means every interface).
Listening beyond loopback must be asked for by name (`0.0.0.0:8080`, `[::]:8080`) and is logged.
aiohttp's own access log is off (it would print query strings, where Bitbucket's hook token
lives); the app's `log_requests` middleware logs requests instead.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from types import TracebackType

from aiohttp import web

from .logs import log

DEFAULT_LISTEN = "127.0.0.1:8080"
DEFAULT_HOST = "127.0.0.1"


def parse_listen(listen: str) -> tuple[str, int]:
    """`host:port`, `[v6]:port`, `:port` or `port` as (host, port); a ValueError naming the problem."""
    text = listen.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = "", text
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ValueError(f"listen address {listen!r}: write IPv6 hosts in brackets, as [::1]:8080")
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"listen address {listen!r}: the port must be a number") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"listen address {listen!r}: the port must be 0-65535")
    return host or DEFAULT_HOST, port


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Running:
    """A started server: where it listens, and how to stop it (also an async context manager)."""

    runner: web.AppRunner
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        """Stop accepting, let in-flight requests finish (up to the shutdown timeout), run cleanup."""
        await self.runner.cleanup()

    async def __aenter__(self) -> Running:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()


class ListenError(RuntimeError):
    """The server's address cannot be bound (in use, not an address of this machine, no permission)."""


async def serve(app: web.Application, listen: str = DEFAULT_LISTEN, *, shutdown_timeout: float = 10.0) -> Running:
    """Start serving `app` on `listen` (port 0 picks a free port; `Running.port` tells which)."""
    host, port = parse_listen(listen)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise ListenError(f"cannot listen on {listen}: {exc.strerror or exc}; choose another address with "
                          "--listen HOST:PORT (port 0 picks a free one) or --listen none") from None
    except BaseException:
        await runner.cleanup()
        raise
    bound_host, bound_port = runner.addresses[0][:2]
    if not is_loopback(host):
        log.warning("listening on %s:%d, beyond this machine: keep API tokens and webhook secrets set",
                    bound_host, bound_port)
    log.info("trueup server listening on %s:%d", bound_host, bound_port)
    return Running(runner, bound_host, bound_port)
