"""A small HTTP/1.1 client for one API server: keep-alive connections (TLS or not), a pool of at
most `limit` of them, fixed default headers, whole-body and line-streamed (watch) responses.

    http = HttpPool("https://127.0.0.1:6443", ssl_context, default_headers={"User-Agent": "trueup"})
    status, headers, body = await http.request("PATCH", "/api/v1/...?x=y", {"Content-Type": ...}, b"{...}")
    async with http.stream("GET", "/api/v1/pods?watch=true", {}) as (status, headers, lines): ...

It speaks only what a Kubernetes API server answers (Content-Length, chunked, or close-delimited
bodies; no compression is asked for, no redirects, no proxies), which is why it costs a fraction
of a general client's CPU per request: a one-shot sync makes thousands of them. Any failure to
connect, send or read raises `TransportError` (an OSError); the caller decides about retries.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote, urlencode, urlsplit

TOTAL_TIMEOUT = 300.0  # seconds for one whole request/response (not for streams)
CONNECT_TIMEOUT = 30.0
_READ_LIMIT = 1 << 26  # the longest header block or watch line accepted (64 MiB)
_NO_BODY = frozenset({204, 304})
# Path characters sent as they are; anything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


class TransportError(ConnectionError):
    """The connection failed, was closed before a whole response arrived, or the response was not
    HTTP this client understands."""


Headers = dict[str, str]  # response headers, names in lower case


class _Conn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def usable(self) -> bool:
        return not self.writer.is_closing() and not self.reader.at_eof()

    def close(self) -> None:
        self.writer.close()


def request_target(path: str, query: dict[str, str] | None = None) -> str:
    """A request's path (percent-encoded where needed) and query string. As in a URL, a `?` in
    `path` starts a query (kept, `query` appended) and a `#` a fragment (never sent)."""
    path = path.partition("#")[0]
    path, _, given = path.partition("?")
    if not path.isascii() or " " in path:
        path = quote(path, safe=_PATH_SAFE)
    added = _query_string(tuple(query.items())) if query else ""
    both = f"{given}&{added}" if given and added else given or added
    return f"{path}?{both}" if both else path


@functools.lru_cache(maxsize=256)  # a sync asks with a handful of distinct queries thousands of times
def _query_string(items: tuple[tuple[str, str], ...]) -> str:
    return urlencode(items, quote_via=quote)


class HttpPool:
    def __init__(self, server: str, ssl_context: ssl.SSLContext | bool, *, default_headers: Headers,
                 limit: int = 64) -> None:
        url = urlsplit(server)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not an http(s) URL: {server!r}")
        self._host = url.hostname
        self._port = url.port or (443 if url.scheme == "https" else 80)
        self._ssl: ssl.SSLContext | None = None
        if url.scheme == "https":
            self._ssl = ssl_context if isinstance(ssl_context, ssl.SSLContext) else ssl.create_default_context()
        self._prefix = url.path.rstrip("/")
        host = f"[{self._host}]" if ":" in self._host else self._host
        default_port = 443 if url.scheme == "https" else 80
        head = {"Host": host if self._port == default_port else f"{host}:{self._port}", **default_headers}
        self._default_head = "".join(f"{k}: {v}\r\n" for k, v in head.items())
        self._limit = limit
        self._slots: asyncio.Semaphore | None = None
        self._idle: list[_Conn] = []
        self._open: set[_Conn] = set()
        self.closed = False

    async def _connect(self) -> _Conn:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                reader, writer = await asyncio.open_connection(self._host, self._port, ssl=self._ssl,
                                                               limit=_READ_LIMIT)
        except OSError as exc:
            raise TransportError(f"cannot connect to {self._host}:{self._port}: {exc}") from exc
        conn = _Conn(reader, writer)
        self._open.add(conn)
        return conn

    async def warm(self, connections: int) -> None:
        """Open connections (TLS handshakes included) until `connections` are idle, so that a burst
        of concurrent requests does not start with as many handshakes. A connection that cannot
        be opened is left to the first request to report."""
        missing = connections - len(self._idle)
        if missing <= 0 or self.closed:
            return
        opened = await asyncio.gather(*(self._connect() for _ in range(missing)), return_exceptions=True)
        for conn in opened:
            if isinstance(conn, _Conn):
                self._release(conn, True)
            elif not isinstance(conn, Exception):
                raise conn

    def _release(self, conn: _Conn, reusable: bool) -> None:
        if reusable and not self.closed and conn.usable():
            self._idle.append(conn)
        else:
            self._open.discard(conn)
            conn.close()

    def _head(self, method: str, target: str, headers: Headers, body: bytes | None) -> bytes:
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        length = f"Content-Length: {len(body)}\r\n" if body is not None else ""
        return f"{method} {self._prefix}{target} HTTP/1.1\r\n{self._default_head}{extra}{length}\r\n" \
            .encode("latin-1")

    def _slots_(self) -> asyncio.Semaphore:
        if self.closed:
            raise RuntimeError("HTTP client is closed")
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._limit)
        return self._slots

    async def _send(self, method: str, target: str, headers: Headers, body: bytes | None) -> tuple[_Conn, int, Headers]:
        """Send one request on a pooled (or new) connection; return it with the response's status and
        headers. The body is the caller's to read, and the connection the caller's to `_release`."""
        conn = None
        while self._idle:
            candidate = self._idle.pop()
            if candidate.usable():
                conn = candidate
                break
            self._open.discard(candidate)
            candidate.close()
        if conn is None:
            conn = await self._connect()
        try:
            data = self._head(method, target, headers, body)
            conn.writer.write(data + body if body else data)
            status, response_headers = _parse_head(await conn.reader.readuntil(b"\r\n\r\n"))
        except BaseException as exc:
            self._release(conn, False)
            if isinstance(exc, (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError)) \
                    and not isinstance(exc, TransportError):
                raise TransportError(f"connection to {self._host}:{self._port} failed: {_what(exc)}") from exc
            raise
        return conn, status, response_headers

    async def request(self, method: str, target: str, headers: Headers,
                      body: bytes | None = None) -> tuple[int, Headers, bytes]:
        """One request, its whole response: (status, headers, body)."""
        async with asyncio.timeout(TOTAL_TIMEOUT), self._slots_():
            conn, status, hdrs = await self._send(method, target, headers, body)
            ok = False
            try:
                if method == "HEAD" or status in _NO_BODY or status < 200:
                    content, reusable = b"", True
                else:
                    content, reusable = await _read_body(conn.reader, hdrs)
                ok = True
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                raise TransportError(f"reading the response from {self._host}:{self._port} failed: "
                                     f"{_what(exc)}") from exc
            finally:
                self._release(conn, ok and reusable and hdrs.get("connection", "").lower() != "close")
            return status, hdrs, content

    @asynccontextmanager
    async def stream(self, method: str, target: str,
                     headers: Headers) -> AsyncIterator[tuple[int, Headers, AsyncIterator[bytes]]]:
        """A response read line by line (each with its b"\\n"); the connection is closed after."""
        async with self._slots_():
            conn, status, hdrs = await self._send(method, target, headers, None)
            try:
                yield status, hdrs, _lines(conn.reader, hdrs, f"{self._host}:{self._port}")
            finally:
                self._release(conn, False)

    async def close(self) -> None:
        self.closed = True
        conns, self._open, self._idle = list(self._open), set(), []
        for conn in conns:
            conn.close()  # not waiting for the TLS close handshake (neither does aiohttp)


def _what(exc: BaseException) -> str:
    if isinstance(exc, asyncio.IncompleteReadError):
        return "the server closed the connection"
    return str(exc) or type(exc).__name__


def _parse_head(raw: bytes) -> tuple[int, Headers]:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise TransportError(f"not an HTTP/1.x response: {lines[0][:80]!r}")
    headers: Headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if parts[0] == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
        headers["connection"] = "close"
    return int(parts[1]), headers


async def _read_body(reader: asyncio.StreamReader, headers: Headers) -> tuple[bytes, bool]:
    """(body, connection reusable)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                    pass
                return b"".join(parts), True
            parts.append((await reader.readexactly(size + 2))[:-2])
    length = headers.get("content-length")
    if length is not None:
        return (await reader.readexactly(int(length)) if length != "0" else b""), True
    return await reader.read(), False


async def _lines(reader: asyncio.StreamReader, headers: Headers, where: str) -> AsyncIterator[bytes]:
    try:
        if "chunked" not in headers.get("transfer-encoding", "").lower():
            if headers.get("content-length") is not None:
                body, _ = await _read_body(reader, headers)
                for line in body.splitlines(keepends=True):
                    yield line
                return
            while line := await reader.readline():
                yield line
            return
        pending = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                if pending:
                    yield pending
                return
            pending += (await reader.readexactly(size + 2))[:-2]
            if b"\n" in pending:
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    yield line + b"\n"
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        if isinstance(exc, TransportError):
            raise
        raise TransportError(f"the stream from {where} broke: {_what(exc)}") from exc
