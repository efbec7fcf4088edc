"""Run the embedded cluster: credentials, store, API server over HTTPS, kubeconfig.

    async with LocalCluster(data_dir) as cluster:
        cluster.kubeconfig      # path to a kubeconfig kubectl and Python clients use unchanged
        cluster.url             # https://127.0.0.1:PORT

The same class backs `trueup cluster up` (foreground until SIGINT/SIGTERM) and tests. The
server listens on 127.0.0.1 unless `listen` says otherwise. Restarting on the same data
directory keeps every object and continues resourceVersions (the store is SQLite in WAL mode).
`audit`, if given, is called with (method, path, query string) of every request (GETs as they
start, other methods once handled, before their response is sent): a server-side record of
what clients asked (tests count dry runs with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from aiohttp import web

from ..apiserver import APIState, ServiceAllocator, bootstrap, build_server, load_crds
from ..client import Client
from ..controllers import Manager, Settings
from ..controllers.registry import all_controllers
from ..resources import Registry
from ..store import Store
from .kubeconfig import write_kubeconfig
from .lock import DataDirLock
from .pki import Credentials, ensure_credentials

log = logging.getLogger("trueup.localcluster")

DEFAULT_PORT = 6443
Audit = Callable[[str, str, str], None]  # (method, path, query string)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class LocalCluster:
    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        listen: str = "127.0.0.1",
        kubeconfig: Path | None = None,
        history_limit: int = 10_000,
        compact_interval: float = 60.0,
        controllers: bool = True,
        settings: Settings | None = None,
        audit: Audit | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.listen = listen
        self.port = port
        self.kubeconfig = Path(kubeconfig) if kubeconfig else self.data_dir / "kubeconfig"
        self._history_limit = history_limit
        self._compact_interval = compact_interval
        self.run_controllers = controllers
        self.settings = settings or Settings()
        self.audit = audit  # called with (method, path, query string) of each request
        self.manager: Manager | None = None
        self._client: Client | None = None
        self._runner: web.ServerRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.store: Store | None = None
        self.state: APIState | None = None
        self.credentials: Credentials | None = None
        self._lock = DataDirLock(self.data_dir)

    @property
    def host(self) -> str:
        return "127.0.0.1" if self.listen in ("0.0.0.0", "::", "") else self.listen

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def token(self) -> str:
        assert self.credentials is not None
        return self.credentials.token

    async def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        self._lock.acquire()  # before the store: a second server on one data directory stops here
        hosts = sorted({"127.0.0.1", "localhost", self.host})
        self.credentials = ensure_credentials(self.data_dir / "pki", hosts)
        if not self.port:
            self.port = free_port(self.host)
        self.store = Store(self.data_dir / "state.db", history_limit=self._history_limit)
        registry = Registry()
        self.state = APIState(store=self.store, registry=registry)
        load_crds(self.state)
        self.state.allocator = ServiceAllocator(self.store)
        bootstrap(self.state, self.port)

        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.credentials.server_cert, self.credentials.server_key)
        server = build_server(self.state, self.credentials.token, audit=self.audit, access_log=None)
        self._runner = web.ServerRunner(server, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port, ssl_context=ctx, reuse_address=True)
        await site.start()
        write_kubeconfig(self.kubeconfig, self.url, self.credentials)
        self._tasks.append(asyncio.create_task(self.store.run_compaction(self._compact_interval)))
        if self.run_controllers:
            # The controllers reach the server like any client: HTTPS, token, field managers.
            self._client = Client(self.url, self.credentials.token, str(self.credentials.ca_cert),
                                  user_agent="trueup-controller-manager")
            self.manager = Manager(self._client, self.settings, all_controllers())
            await self.manager.start()
        # What start-up built (the registry, schemas, modules) lives as long as the process: keep
        # it out of the collector's full passes, which otherwise walk all of it again while
        # requests churn through short-lived objects (a full pass during a 1,000-object sync cost
        # ~80 ms, ~20 ms after this). Collect first so no garbage is frozen with it.
        gc.collect()
        gc.freeze()
        log.info("embedded cluster serving on %s", self.url)

    async def stop(self) -> None:
        if self.manager is not None:
            await self.manager.stop()
            self.manager = None
        if self._client is not None:
            await self._client.close()
            self._client = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.store is not None:
            self.store.close()
            self.store = None
        self._lock.release()

    async def __aenter__(self) -> LocalCluster:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
