"""trueup's async Kubernetes REST client (keep-alive HTTP/1.1, `http.py`), shared by the engine and the embedded
cluster's controllers (which reach their API server over HTTPS like kube-controller-manager).

    client = Client.from_config(load_config())                       # any cluster, via kubeconfig
    client = Client(url, token, ca_file, user_agent="trueup-controllers")
    obj = await client.get(PODS, "default", "web-0")          # None when absent
    items, rv = await client.list(PODS, "default", label_selector="app=web")
    await client.create(PODS, "default", body, field_manager="replicaset-controller")
    await client.patch(DEPLOYMENTS, "default", "web", {"status": {...}}, subresource="status", ...)
    async for etype, obj in client.watch(PODS, resource_version=rv): ...

Failures raise `ApiError` with the Status body's code and reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson

from .config import ClusterConfig
from .http import HttpPool, TransportError, request_target
from .resources import Res

Obj = dict[str, Any]

PATCH_TYPES = {
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "apply": "application/apply-patch+yaml",
}


def _transient(code: int) -> bool:
    return code == 429 or (code >= 500 and code != 501)


def _retry_after(header: str | None, default: float) -> float:
    try:
        return min(float(header), 10.0) if header else default
    except ValueError:
        return default


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, body: Obj | None = None) -> None:
        super().__init__(f"{code} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.body = body or {}

    @property
    def not_found(self) -> bool:
        return self.code == 404

    @property
    def conflict(self) -> bool:
        return self.code == 409

    @property
    def gone(self) -> bool:
        return self.code == 410


class Client:
    def __init__(self, base_url: str, token: str | None = None, ca_file: str | None = None, *,
                 user_agent: str = "trueup", config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig(server=base_url.rstrip("/"), token=token, ca_file=ca_file,
                                              source="direct")
        self.base_url = self.config.server
        self._user_agent = user_agent
        self._http: HttpPool | None = None
        self.retries = 4

    @classmethod
    def from_config(cls, config: ClusterConfig, *, user_agent: str = "trueup") -> Client:
        return cls(config.server, user_agent=user_agent, config=config)

    def _pool(self) -> HttpPool:
        if self._http is None or self._http.closed:
            self._http = HttpPool(self.base_url, self.config.ssl_context(), limit=64,
                                  default_headers={"User-Agent": self._user_agent, "Accept": "application/json"})
        return self._http

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra) if extra else {}
        auth = self.config.auth_header()
        if auth:
            headers["Authorization"] = auth
        return headers

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def warm(self, connections: int) -> None:
        """Open up to `connections` keep-alive connections ahead of a burst of requests (connection
        failures are left to the requests to report)."""
        await self._pool().warm(connections)

    async def request(self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None,
                      content_type: str = "application/json", headers: dict[str, str] | None = None) -> Any:
        return (await self.request_full(method, path, body=body, params=params, content_type=content_type,
                                        headers=headers))[1]

    async def request_full(self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None,
                           content_type: str = "application/json", headers: dict[str, str] | None = None,
                           ignore_body_of: int = 0) -> tuple[int, Any]:
        """(status code, decoded body; None when the status is `ignore_body_of`). Transient failures
        (429, 5xx but 501, connection errors) are retried with exponential backoff, up to
        `self.retries` times; then they raise."""
        data = None if body is None else orjson.dumps(body)
        extra = dict(headers) if headers else {}
        if data is not None:
            extra["Content-Type"] = content_type
        target = request_target(path, params)
        delay = 0.05
        for attempt in range(self.retries + 1):
            try:
                code, response_headers, raw = await self._pool().request(method, target, self._headers(extra), data)
                if code >= 400:
                    try:
                        status = orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        status = {"message": raw.decode(errors="replace")}
                    if not isinstance(status, dict):
                        status = {"message": str(status)}
                    error = ApiError(code, str(status.get("reason", "")), str(status.get("message", "")), status)
                    if _transient(code) and attempt < self.retries:
                        await asyncio.sleep(_retry_after(response_headers.get("retry-after"), delay))
                        delay = min(delay * 2, 5.0)
                        continue
                    raise error
                return code, (orjson.loads(raw) if raw and code != ignore_body_of else None)
            except (TimeoutError, TransportError):
                if attempt >= self.retries:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")

    async def apply(self, res: Res, namespace: str | None, name: str, obj: Obj, *, field_manager: str,
                    force: bool = True, dry_run: bool = False, field_validation: str = "Strict",
                    created_body: bool = True) -> tuple[Obj, bool]:
        """Server-side apply; returns (object as stored or as it would be, created?). With
        `created_body=False` the object of a create is not decoded: {} is returned for it."""
        params = {"fieldManager": field_manager, "fieldValidation": field_validation}
        if force:
            params["force"] = "true"
        if dry_run:
            params["dryRun"] = "All"
        code, out = await self.request_full("PATCH", res.path(namespace, name), body=obj, params=params,
                                            content_type=PATCH_TYPES["apply"],
                                            ignore_body_of=0 if created_body else 201)
        return (out if out is not None else {}), code == 201

    # ----- verbs
    async def get(self, res: Res, namespace: str | None, name: str, subresource: str = "") -> Obj | None:
        try:
            out: Obj = await self.request("GET", res.path(namespace, name, subresource))
            return out
        except ApiError as exc:
            if exc.not_found:
                return None
            raise

    async def list(self, res: Res, namespace: str | None = None, *, label_selector: str = "",
                   field_selector: str = "") -> tuple[list[Obj], str]:
        params = {}
        if label_selector:
            params["labelSelector"] = label_selector
        if field_selector:
            params["fieldSelector"] = field_selector
        body = await self.request("GET", res.path(namespace), params=params)
        return list(body.get("items") or []), str((body.get("metadata") or {}).get("resourceVersion", ""))

    async def create(self, res: Res, namespace: str | None, obj: Obj, *, field_manager: str,
                     dry_run: bool = False, field_validation: str = "") -> Obj:
        params = {"fieldManager": field_manager}
        if dry_run:
            params["dryRun"] = "All"
        if field_validation:
            params["fieldValidation"] = field_validation
        out: Obj = await self.request("POST", res.path(namespace), body=obj, params=params)
        return out

    async def update(self, res: Res, namespace: str | None, name: str, obj: Obj, *, field_manager: str,
                     subresource: str = "") -> Obj:
        out: Obj = await self.request("PUT", res.path(namespace, name, subresource), body=obj,
                                      params={"fieldManager": field_manager})
        return out

    async def patch(self, res: Res, namespace: str | None, name: str, patch: Any, *, field_manager: str,
                    patch_type: str = "merge", subresource: str = "", force: bool = False) -> Obj:
        params = {"fieldManager": field_manager}
        if force:
            params["force"] = "true"
        out: Obj = await self.request("PATCH", res.path(namespace, name, subresource), body=patch,
                                      params=params, content_type=PATCH_TYPES[patch_type])
        return out

    async def delete(self, res: Res, namespace: str | None, name: str, *, propagation: str | None = None,
                     preconditions: Obj | None = None, grace_period: int | None = None) -> Obj | None:
        body: Obj = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if propagation:
            body["propagationPolicy"] = propagation
        if preconditions:
            body["preconditions"] = preconditions
        if grace_period is not None:
            body["gracePeriodSeconds"] = grace_period
        try:
            out: Obj = await self.request("DELETE", res.path(namespace, name), body=body)
            return out
        except ApiError as exc:
            if exc.not_found:
                return None
            raise

    async def watch(self, res: Res, namespace: str | None = None, *, resource_version: str = "",
                    timeout_seconds: int = 0, allow_bookmarks: bool = True, label_selector: str = "",
                    field_selector: str = "") -> AsyncIterator[tuple[str, Obj]]:
        """Stream (type, object) pairs; an ERROR event raises ApiError (410 when expired)."""
        params = {"watch": "true"}
        if label_selector:
            params["labelSelector"] = label_selector
        if field_selector:
            params["fieldSelector"] = field_selector
        if resource_version:
            params["resourceVersion"] = resource_version
        if timeout_seconds:
            params["timeoutSeconds"] = str(timeout_seconds)
        if allow_bookmarks:
            params["allowWatchBookmarks"] = "true"
        async with self._pool().stream("GET", request_target(res.path(namespace), params), self._headers()) as (
                code, _, lines):
            if code >= 400:
                raw = b"".join([line async for line in lines])
                status = orjson.loads(raw) if raw.startswith(b"{") else {}
                raise ApiError(code, str(status.get("reason", "")), str(status.get("message", "")), status)
            async for line in lines:
                if not line.strip():
                    continue
                event = orjson.loads(line)
                etype = event.get("type", "")
                obj = event.get("object") or {}
                if etype == "ERROR":
                    raise ApiError(int(obj.get("code", 500)), str(obj.get("reason", "")),
                                   str(obj.get("message", "")), obj)
                yield etype, obj
