"""Helm charts from an HTTP(S) chart repository: `index.yaml`, version selection, a verified download.

    charts = ChartCache(root)
    pulled = await charts.pull("https://charts.example.com", "redis", "^17.0.0", credentials=creds)
    pulled.path            # the extracted chart directory (read-only for the renderer)
    pulled.version         # the version chosen ("17.3.2")

`targetRevision` is an exact version or a semver range (highest match; pre-releases only when
the range names one); empty or `*` is the highest release. The index is fetched at most every
`min_fetch_interval` seconds (and once more when the version is not in it). The archive must
match the index's sha256 `digest`; it is extracted with caps on size and file count, regular
files and directories only, every path confined to the chart's directory. Extracted charts are
cached by (repository, chart, version, digest) and never modified. Basic-auth credentials go to
the repository's own host only (unless `helm.passCredentials`). OCI registries (`oci://…`, or a
repoURL without a scheme) are reported as unsupported.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import shutil
import tarfile
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import yaml

from .credentials import Credentials
from .errors import RepositoryError, RevisionNotFound, SourceError
from .semver import max_satisfying, parse_constraint, parse_version

if TYPE_CHECKING:  # aiohttp is imported on the first chart pull, not by every `trueup` command
    import aiohttp

MAX_INDEX_BYTES = 32 * 1024 * 1024
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_EXTRACTED_BYTES = 100 * 1024 * 1024
MAX_FILES = 5000


class ChartError(SourceError):
    """A chart repository, chart or version that cannot be used; names all three."""


@dataclass(frozen=True)
class PulledChart:
    repo: str
    chart: str
    version: str
    digest: str
    path: Path  # the chart's directory (holds Chart.yaml)


@dataclass
class _Index:
    entries: dict[str, list[dict[str, Any]]]
    fetched_at: float


@dataclass
class _RepoState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    index: _Index | None = None
    fetches: int = 0


def is_chart_repo_url(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://"))


def check_repo_url(url: str, chart: str) -> str:
    raw = url.strip()
    if raw.lower().startswith("oci://") or "://" not in raw:
        raise ChartError(f"chart {chart!r} from {raw}: OCI registries are not supported yet; use an HTTP(S) Helm "
                         "chart repository (with an index.yaml) or put the chart in Git")
    if not is_chart_repo_url(raw):
        raise ChartError(f"chart {chart!r}: repoURL {raw} is not an http(s) Helm chart repository")
    parts = urlsplit(raw)
    if parts.username or parts.password:
        raise ChartError(f"chart {chart!r}: put the chart repository's credentials in a repository Secret, not in "
                         f"its repoURL ({parts.scheme}://***@{parts.hostname})")
    return raw.rstrip("/")


class ChartCache:
    def __init__(self, root: Path, *, min_fetch_interval: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, timeout: float = 60.0) -> None:
        self.root = root
        self.min_fetch_interval = min_fetch_interval
        self._clock = clock
        self._timeout = timeout
        self._states: dict[str, _RepoState] = {}

    def index_fetches(self, repo: str) -> int:
        return self._states.get(repo.strip().rstrip("/"), _RepoState()).fetches

    async def pull(self, repo_url: str, chart: str, target: str, *, credentials: Credentials | None = None,
                   force: bool = False, pass_credentials: bool = False) -> PulledChart:
        """`pass_credentials` (Argo CD's `helm.passCredentials`): also send them to another host
        that the index points an archive to."""
        repo = check_repo_url(repo_url, chart)
        if not chart or "/" in chart or chart in (".", ".."):
            raise ChartError(f"chart name {chart!r} in {repo} is not valid: set spec.source.chart to a chart name")
        state = self._states.setdefault(repo, _RepoState())
        secrets = credentials.secrets() if credentials else ()
        import aiohttp

        async with state.lock, aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout)) as http:
            stale = state.index is None or force or self._clock() - state.index.fetched_at >= self.min_fetch_interval
            if stale:
                await self._fetch_index(http, repo, chart, state, credentials)
            assert state.index is not None
            try:
                entry = _choose(state.index, repo, chart, target)
            except (ChartError, RevisionNotFound):
                if stale:
                    raise
                await self._fetch_index(http, repo, chart, state, credentials)
                entry = _choose(state.index, repo, chart, target)
            version = str(entry.get("version"))
            digest = str(entry.get("digest") or "").lower()
            dest = self.root / hashlib.sha256(repo.encode()).hexdigest()[:24] / \
                f"{chart}-{version}-{(digest or 'nodigest')[:16]}"
            if not (dest / chart / "Chart.yaml").is_file():
                data = await self._download(http, repo, chart, version, entry, credentials, pass_credentials)
                if digest and hashlib.sha256(data).hexdigest() != digest:
                    raise ChartError(f"chart {chart} {version} from {repo}: the archive's sha256 does not match the "
                                     "digest in index.yaml; refusing it (a tampered or stale archive)",
                                     secrets=secrets)
                await asyncio.to_thread(_extract, data, dest, chart, version, repo)
            return PulledChart(repo, chart, version, digest, dest / chart)

    def _auth(self, credentials: Credentials | None) -> aiohttp.BasicAuth | None:
        if credentials is None or not (credentials.password or credentials.token):
            return None
        import aiohttp

        return aiohttp.BasicAuth(credentials.username or "", credentials.password or credentials.token or "")

    def _ssl(self, credentials: Credentials | None) -> bool:
        return not (credentials is not None and credentials.insecure_ignore_host_key)

    async def _get(self, http: aiohttp.ClientSession, url: str, limit: int, what: str,
                   credentials: Credentials | None, send_auth: bool) -> bytes:
        secrets = credentials.secrets() if credentials else ()
        import aiohttp

        try:
            async with http.get(url, auth=self._auth(credentials) if send_auth else None,
                                ssl=self._ssl(credentials)) as resp:
                if resp.status in (401, 403):
                    hint = ("add a repository Secret (label argocd.argoproj.io/secret-type: repository, type: helm) "
                            "for it, or a --repo-creds entry" if credentials is None or not send_auth
                            else "the repository refused the credentials; check the repository Secret")
                    raise RepositoryError(f"{what}: HTTP {resp.status} (authentication required): {hint}",
                                          secrets=secrets)
                if resp.status == 404:
                    raise RepositoryError(f"{what}: not found (HTTP 404); check spec.source.repoURL", secrets=secrets)
                if resp.status >= 400:
                    raise RepositoryError(f"{what}: HTTP {resp.status}", secrets=secrets)
                if resp.content_length is not None and resp.content_length > limit:
                    raise RepositoryError(f"{what}: larger than {limit // (1024 * 1024)} MiB; refused",
                                          secrets=secrets)
                body = bytearray()
                async for chunk in resp.content.iter_chunked(65536):
                    body.extend(chunk)
                    if len(body) > limit:
                        raise RepositoryError(f"{what}: larger than {limit // (1024 * 1024)} MiB; refused",
                                              secrets=secrets)
                return bytes(body)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            detail = str(exc) or type(exc).__name__
            raise RepositoryError(f"{what}: cannot reach it ({detail}); check spec.source.repoURL and the network",
                                  secrets=secrets) from None

    async def _fetch_index(self, http: aiohttp.ClientSession, repo: str, chart: str, state: _RepoState,
                           credentials: Credentials | None) -> None:
        what = f"Helm chart repository {repo} (index.yaml, for chart {chart})"
        data = await self._get(http, f"{repo}/index.yaml", MAX_INDEX_BYTES, what, credentials, True)
        try:
            doc = yaml.safe_load(data)
        except yaml.YAMLError:
            raise RepositoryError(f"{what}: index.yaml is not valid YAML") from None
        entries = doc.get("entries") if isinstance(doc, dict) else None
        if not isinstance(entries, dict):
            raise RepositoryError(f"{what}: index.yaml has no entries; is this a Helm chart repository?")
        state.index = _Index({str(k): [e for e in (v or []) if isinstance(e, dict)] for k, v in entries.items()},
                             self._clock())
        state.fetches += 1

    async def _download(self, http: aiohttp.ClientSession, repo: str, chart: str, version: str, entry: dict[str, Any],
                        credentials: Credentials | None, pass_credentials: bool) -> bytes:
        urls = [str(u) for u in entry.get("urls") or [] if u]
        if not urls:
            raise ChartError(f"chart {chart} {version} in {repo}: the index lists no download URL")
        url = urljoin(repo + "/", urls[0])
        if urlsplit(url).scheme not in ("http", "https"):
            raise ChartError(f"chart {chart} {version} in {repo}: download URL scheme is not http(s)")
        same_host = urlsplit(url).netloc == urlsplit(repo).netloc
        return await self._get(http, url, MAX_ARCHIVE_BYTES, f"chart {chart} {version} from {repo}",
                               credentials, same_host or pass_credentials)


def _choose(index: _Index, repo: str, chart: str, target: str) -> dict[str, Any]:
    versions = index.entries.get(chart)
    if not versions:
        close = sorted(index.entries)[:8]
        raise ChartError(f"chart {chart!r} not found in {repo}; charts there: {', '.join(close) or 'none'}. "
                         "Fix spec.source.chart")
    by_name = {str(e.get("version")): e for e in versions if e.get("version") is not None}
    wanted = target.strip()
    if wanted in by_name:
        return by_name[wanted]
    if wanted.startswith("v") and wanted[1:] in by_name:
        return by_name[wanted[1:]]
    known = sorted((v for v in by_name if parse_version(v) is not None),
                   key=lambda v: parse_version(v), reverse=True)  # type: ignore[arg-type, return-value]
    if wanted in ("", "*", "latest") or parse_version(wanted) is None:
        try:
            constraint = parse_constraint(wanted if wanted not in ("", "latest") else "*")
        except ValueError:
            raise RevisionNotFound(f"chart {chart} in {repo}: targetRevision {wanted!r} is neither a version nor a "
                                   f"semver range; versions: {', '.join(known[:8])}", revision=wanted,
                                   candidates=known[:8]) from None
        best = max_satisfying(constraint, by_name)
        if best is not None:
            return by_name[best[0]]
    raise RevisionNotFound(f"chart {chart} version {wanted or '*'} not found in {repo}; versions: "
                           f"{', '.join(known[:8]) or 'none'}. Fix spec.source.targetRevision", revision=wanted,
                           candidates=known[:8])


def _extract(data: bytes, dest: Path, chart: str, version: str, repo: str) -> None:
    what = f"chart {chart} {version} from {repo}"
    tmp = dest.parent / f".extract-{dest.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        try:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
                _unpack(archive, tmp, chart, what)
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise ChartError(f"{what}: the archive is not a valid gzipped tar file ({exc})") from None
        if not (tmp / chart / "Chart.yaml").is_file():
            raise ChartError(f"{what}: the archive has no {chart}/Chart.yaml")
        try:
            os.replace(tmp, dest)
        except OSError:
            if not (dest / chart / "Chart.yaml").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _unpack(archive: tarfile.TarFile, tmp: Path, chart: str, what: str) -> None:
    total, count = 0, 0
    for member in archive:
        count += 1
        name = PurePosixPath(member.name)
        if name.is_absolute() or ".." in name.parts or not name.parts or name.parts[0] != chart:
            raise ChartError(f"{what}: archive entry {member.name!r} is outside the chart directory {chart}/; refused")
        if count > MAX_FILES:
            raise ChartError(f"{what}: more than {MAX_FILES} files; refused")
        target = tmp.joinpath(*name.parts)
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        if not member.isfile():
            raise ChartError(f"{what}: archive entry {member.name!r} is a link or device; refused")
        total += member.size
        if total > MAX_EXTRACTED_BYTES:
            raise ChartError(f"{what}: larger than {MAX_EXTRACTED_BYTES // (1024 * 1024)} MiB unpacked; refused")
        src = archive.extractfile(member)
        if src is None:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with src, open(target, "wb") as out:
            shutil.copyfileobj(src, out)
        os.chmod(target, 0o444)
