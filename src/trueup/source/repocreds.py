"""Which credentials a repository URL gets: Argo CD repository Secrets and a local config file.

Two kinds of entries, as in Argo CD:
- a *repository* entry names one repository (`url`, compared normalized: scheme and host
  lower-cased, no trailing `/` or `.git`, http ≡ https);
- a *repo-creds* entry is a template: its `url` is a prefix, and the longest prefix (ending at a
  `/` boundary) of a repository URL wins. A repository entry always beats a template.

Sources:
- `from_secrets(secrets)`: Kubernetes Secrets labelled `argocd.argoproj.io/secret-type` (or
  `trueup.dev/secret-type`) `repository` or `repo-creds`, with Argo CD's fields `url`,
  `username`, `password`, `sshPrivateKey`, `insecure`, `insecureIgnoreHostKey`, `type` (git, helm)
  in `data` (base64) or `stringData`, and trueup's `sshKnownHosts` (known_hosts lines for the host).
- `load_local(path)`: a YAML list of `{url | urlPrefix, username, password | passwordFile,
  sshPrivateKeyFile, sshKnownHostsFile, insecure}` for the one-shot CLI (`--repo-creds FILE`, `$TRUEUP_REPO_CREDS`).
  A file holding a secret (the config itself with an inline password, a password file, a key file)
  must not be readable by group or others, like ssh's own key files.

Nothing here logs or formats a secret value: errors name the Secret or file and the field.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .credentials import Credentials
from .errors import SourceError
from .urls import parse_repo_url

SECRET_TYPE_LABELS = ("argocd.argoproj.io/secret-type", "trueup.dev/secret-type")
REPOSITORY, REPO_CREDS = "repository", "repo-creds"
_TRUE = ("true", "yes", "1")


class CredentialsConfigError(SourceError):
    """A repository Secret or local credentials file that cannot be used (names it and the field)."""


@dataclass(frozen=True)
class CredsEntry:
    url: str  # normalized
    credentials: Credentials
    prefix: bool  # repo-creds template
    origin: str  # "Secret argocd/repo-x" or "creds.yaml entry 2": never a secret value
    type: str = "git"  # git | helm


def _normalize(url: str) -> str:
    try:
        return parse_repo_url(url).normalized
    except SourceError:
        return url.strip().rstrip("/")


@dataclass
class CredentialStore:
    """Entries from Secrets and/or a local file; `lookup(url)` picks the one for a repository."""

    entries: list[CredsEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def lookup(self, url: str) -> Credentials | None:
        return (self.match(url) or _NONE).credentials

    def match(self, url: str) -> CredsEntry | None:
        target = _normalize(url)
        exact = [e for e in self.entries if not e.prefix and e.url == target]
        if exact:
            return exact[0]
        templates = [e for e in self.entries if e.prefix and _under(target, e.url)]
        return max(templates, key=lambda e: len(e.url)) if templates else None

    def __len__(self) -> int:
        return len(self.entries)


_NONE = CredsEntry("", Credentials(), False, "")


def _under(url: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return url == prefix or url.startswith(prefix + "/")


# ----- Kubernetes Secrets (Argo CD's declarative repositories)

def secret_kind(secret: dict[str, Any]) -> str | None:
    labels = (secret.get("metadata") or {}).get("labels") or {}
    for label in SECRET_TYPE_LABELS:
        if labels.get(label) in (REPOSITORY, REPO_CREDS):
            return str(labels[label])
    return None


def _secret_fields(secret: dict[str, Any], origin: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (secret.get("data") or {}).items():
        try:
            out[str(key)] = base64.b64decode(str(value), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise CredentialsConfigError(f"{origin}: data.{key} is not valid base64-encoded UTF-8") from None
    for key, value in (secret.get("stringData") or {}).items():
        out[str(key)] = str(value)
    return out


def from_secrets(secrets: Iterable[dict[str, Any]]) -> CredentialStore:
    """Entries from repository / repo-creds Secrets; a Secret that cannot be used is a warning
    (naming it and the field), so one bad Secret does not take every repository down."""
    store = CredentialStore()
    for secret in secrets:
        kind = secret_kind(secret)
        if kind is None:
            continue
        meta = secret.get("metadata") or {}
        origin = f"Secret {meta.get('namespace', '')}/{meta.get('name', '')}"
        try:
            values = _secret_fields(secret, origin)
        except CredentialsConfigError as exc:
            store.warnings.append(str(exc))
            continue
        url = values.get("url", "").strip()
        if not url:
            store.warnings.append(f"{origin}: has no url field; it is ignored")
            continue
        insecure = values.get("insecure", "").lower() in _TRUE or \
            values.get("insecureIgnoreHostKey", "").lower() in _TRUE
        creds = Credentials(username=values.get("username") or None, password=values.get("password") or None,
                            ssh_private_key=values.get("sshPrivateKey") or None,
                            ssh_known_hosts=values.get("sshKnownHosts") or None,
                            insecure_ignore_host_key=insecure)
        store.entries.append(CredsEntry(_normalize(url), creds, kind == REPO_CREDS, origin,
                                        values.get("type", "git") or "git"))
    return store


# ----- local config file (one-shot CLI)

def _private(path: Path, shown: str) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsConfigError(
            f"{shown} is readable by group or others (mode {stat.S_IMODE(mode):o}); it holds a secret: "
            f"chmod 600 {shown}")


def _read_secret_file(base: Path, value: Any, where: str) -> str:
    path = Path(os.path.expanduser(str(value)))
    if not path.is_absolute():
        path = base / path
    try:
        _private(path, str(path))
        text = path.read_text()
    except OSError as exc:
        raise CredentialsConfigError(f"{where}: cannot read {path}: {exc.strerror}") from None
    return text if "PRIVATE KEY" in text else text.rstrip("\r\n")


def _read_file(base: Path, value: Any, where: str) -> str:
    """A file that holds no secret (known_hosts): any permissions."""
    path = Path(os.path.expanduser(str(value)))
    try:
        return (path if path.is_absolute() else base / path).read_text()
    except OSError as exc:
        raise CredentialsConfigError(f"{where}: cannot read {path}: {exc.strerror}") from None


def load_local(path: str | Path) -> CredentialStore:
    """Parse a local credentials file; raises `CredentialsConfigError` naming the file and entry."""
    p = Path(path).expanduser()
    try:
        text = p.read_text()
    except OSError as exc:
        raise CredentialsConfigError(f"{p}: cannot read the repository credentials file: {exc.strerror}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CredentialsConfigError(f"{p}: not valid YAML: {' '.join(str(exc).split())}") from None
    if doc is None:
        return CredentialStore()
    if not isinstance(doc, list):
        raise CredentialsConfigError(f"{p}: expected a YAML list of {{url, username, passwordFile, ...}} entries")
    store = CredentialStore()
    for i, item in enumerate(doc):
        where = f"{p}: entry {i + 1}"
        if not isinstance(item, dict):
            raise CredentialsConfigError(f"{where}: expected a mapping with url (or urlPrefix) and credentials")
        known = {"url", "urlPrefix", "username", "password", "passwordFile", "sshPrivateKeyFile",
                 "sshKnownHostsFile", "insecure", "type"}
        unknown = sorted(str(k) for k in item if k not in known)
        if unknown:
            raise CredentialsConfigError(f"{where}: unknown field(s) {', '.join(unknown)}; "
                                         f"use {', '.join(sorted(known))}")
        url, prefix = item.get("url"), item.get("urlPrefix")
        if bool(url) == bool(prefix):
            raise CredentialsConfigError(f"{where}: give exactly one of url (one repository) or urlPrefix "
                                         "(every repository under it)")
        if item.get("password") is not None:
            _private(p, str(p))
        if item.get("password") is not None and item.get("passwordFile"):
            raise CredentialsConfigError(f"{where}: give password or passwordFile, not both")
        password = str(item["password"]) if item.get("password") is not None else (
            _read_secret_file(p.parent, item["passwordFile"], f"{where} passwordFile")
            if item.get("passwordFile") else None)
        key = _read_secret_file(p.parent, item["sshPrivateKeyFile"], f"{where} sshPrivateKeyFile") \
            if item.get("sshPrivateKeyFile") else None
        known_hosts = _read_file(p.parent, item["sshKnownHostsFile"], f"{where} sshKnownHostsFile") \
            if item.get("sshKnownHostsFile") else None
        creds = Credentials(username=str(item["username"]) if item.get("username") else None,
                            password=password or None, ssh_private_key=key, ssh_known_hosts=known_hosts,
                            insecure_ignore_host_key=item.get("insecure") is True)
        store.entries.append(CredsEntry(_normalize(str(url or prefix)), creds, bool(prefix), where,
                                        str(item.get("type") or "git")))
    return store
