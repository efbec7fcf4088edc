"""Servers the credential and chart-repository tests talk to, on 127.0.0.1 in a thread.

`AuthServer(root, user, password)` serves, behind HTTP basic auth (401 without it):
- Git smart HTTP for every repository under `root` through the real `git http-backend` (CGI),
  at `/git/<repo>`;
- static files under `root/static` at `/static/...` (a Helm chart repository: index.yaml and
  .tgz archives). `protect_static=False` serves them without auth.
It records each request's method and path (never its headers) in `requests`.
"""

from __future__ import annotations

import base64
import http.server
import os
import subprocess
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

GIT_HTTP_BACKEND = "/usr/lib/git-core/git-http-backend"


class AuthServer:
    def __init__(self, root: Path, user: str, password: str, *, protect_static: bool = True) -> None:
        self.root = root
        self.user = user
        self.password = password
        self.protect_static = protect_static
        self.requests: list[tuple[str, str, bool]] = []  # method, path, authorized
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self)

            def do_POST(self) -> None:
                server._handle(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> AuthServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _authorized(self, h: http.server.BaseHTTPRequestHandler) -> bool:
        header = h.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == self.user and password == self.password

    def _handle(self, h: http.server.BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        ok = self._authorized(h)
        self.requests.append((h.command, parts.path, ok))
        needs_auth = parts.path.startswith("/git/") or self.protect_static
        if needs_auth and not ok:
            h.send_response(401)
            h.send_header("WWW-Authenticate", 'Basic realm="test"')
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if parts.path.startswith("/static/"):
            self._static(h, parts.path[len("/static/"):])
        elif parts.path.startswith("/git/"):
            self._git(h, parts.path[len("/git"):], parts.query)
        else:
            self._send(h, 404, b"not found")

    def _send(self, h: http.server.BaseHTTPRequestHandler, code: int, body: bytes,
              content_type: str = "text/plain") -> None:
        h.send_response(code)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _static(self, h: http.server.BaseHTTPRequestHandler, rel: str) -> None:
        base = (self.root / "static").resolve()
        target = (base / rel).resolve()
        if base not in target.parents or not target.is_file():
            self._send(h, 404, b"not found")
            return
        self._send(h, 200, target.read_bytes(), "application/octet-stream")

    def _git(self, h: http.server.BaseHTTPRequestHandler, path_info: str, query: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        env = {
            "PATH": os.environ.get("PATH", ""),
            "GIT_PROJECT_ROOT": str(self.root / "git"),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": h.command,
            "PATH_INFO": path_info,
            "QUERY_STRING": query,
            "CONTENT_TYPE": h.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": self.user,
            "REMOTE_ADDR": "127.0.0.1",
        }
        if h.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = h.headers["Content-Encoding"]
        if h.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = h.headers["Git-Protocol"]
        proc = subprocess.run([GIT_HTTP_BACKEND], input=body, env=env, capture_output=True, timeout=60)
        head, _, payload = proc.stdout.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)
