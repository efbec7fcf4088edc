"""Which credentials a repository gets: Argo CD repository / repo-creds Secrets and the local file."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from trueup.source import CredentialsConfigError, from_secrets, load_local


def secret(name: str, kind: str, label: str = "argocd.argoproj.io/secret-type", *, encoded: bool = True,
           **fields: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret",
                           "metadata": {"name": name, "namespace": "trueup", "labels": {label: kind}}}
    if encoded:
        doc["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in fields.items()}
    else:
        doc["stringData"] = fields
    return doc


def test_exact_repository_beats_the_longest_repo_creds_prefix() -> None:
    store = from_secrets([
        secret("org", "repo-creds", url="https://git.example.com/org", username="org-bot", password="org-pw"),
        secret("team", "repo-creds", "trueup.dev/secret-type", url="https://git.example.com/org/team/",
               username="team-bot", password="team-pw"),
        secret("one", "repository", encoded=False, url="https://git.example.com/org/team/app.git",
               username="app-bot", password="app-pw"),
        secret("other", "cluster", url="https://git.example.com/org/team/app.git", password="cluster-pw"),
    ])
    assert len(store) == 3  # the cluster Secret is not a repository Secret

    def user(url: str) -> str | None:
        creds = store.lookup(url)
        return creds.username if creds else None

    assert user("https://git.example.com/org/team/app") == "app-bot"  # .git and case-insensitive host
    assert user("HTTPS://Git.Example.com/org/team/app.git/") == "app-bot"
    assert user("https://git.example.com/org/team/other.git") == "team-bot"
    assert user("https://git.example.com/org/x.git") == "org-bot"
    assert user("https://git.example.com/organisation/x.git") is None  # a prefix ends at a '/'
    assert user("https://elsewhere.example.com/org/x.git") is None
    assert store.match("https://git.example.com/org/x.git").origin == "Secret trueup/org"  # type: ignore[union-attr]


def test_secret_fields_map_to_credentials_and_bad_secrets_are_warnings_without_values() -> None:
    store = from_secrets([
        secret("ssh", "repository", url="git@github.com:org/app.git", sshPrivateKey="-----BEGIN KEY-----\nx\n",
               insecure="true", sshKnownHosts="github.com ssh-ed25519 AAAAC3Nza\n"),
        secret("nourl", "repository", username="u", password="nourl-pw"),
        {"metadata": {"name": "broken", "namespace": "trueup",
                      "labels": {"argocd.argoproj.io/secret-type": "repository"}},
         "data": {"password": "%%%not-base64"}},
    ])
    creds = store.lookup("ssh://github.com/org/app")
    assert creds is not None and creds.ssh_private_key and creds.insecure_ignore_host_key
    assert creds.ssh_known_hosts == "github.com ssh-ed25519 AAAAC3Nza\n"
    assert "BEGIN" not in repr(creds)
    assert any("Secret trueup/nourl" in w and "no url" in w for w in store.warnings)
    assert any("Secret trueup/broken" in w and "data.password" in w for w in store.warnings)
    assert not any("nourl-pw" in w or "not-base64" in w for w in store.warnings)


def _write(path: Path, doc: Any, mode: int = 0o600) -> Path:
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    path.chmod(mode)
    return path


def test_local_file_reads_password_and_key_files(tmp_path: Path) -> None:
    _write(tmp_path / "token", "tok-123\n")
    _write(tmp_path / "known", "git.example.com ssh-ed25519 AAAAkey\n", mode=0o644)  # not a secret
    _write(tmp_path / "id", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n")
    creds_file = _write(tmp_path / "creds.yaml", [
        {"url": "https://git.example.com/org/app.git", "username": "me", "passwordFile": "token"},
        {"urlPrefix": "ssh://git.example.com/org", "sshPrivateKeyFile": str(tmp_path / "id"),
         "sshKnownHostsFile": "known"},
    ], mode=0o644)  # no inline secret: the list itself may be readable
    store = load_local(creds_file)
    https = store.lookup("https://git.example.com/org/app")
    assert https is not None and (https.username, https.password) == ("me", "tok-123")
    ssh = store.lookup("git@git.example.com:org/other.git")
    assert ssh is not None and ssh.ssh_private_key and ssh.ssh_private_key.endswith("KEY-----\n")
    assert ssh.ssh_known_hosts == "git.example.com ssh-ed25519 AAAAkey\n"


@pytest.mark.parametrize(("doc", "mode", "words"), [
    ([{"url": "https://h/r", "password": "inline-pw"}], 0o640, ["readable by group or others", "chmod 600"]),
    ([{"url": "https://h/r", "passwordFile": "pw"}], 0o600, ["entry 1 passwordFile", "pw"]),
    ([{"url": "https://h/r", "urlPrefix": "https://h"}], 0o600, ["entry 1", "exactly one of url"]),
    ([{"url": "https://h/r", "token": "x"}], 0o600, ["entry 1", "unknown field", "token"]),
    ({"url": "https://h/r"}, 0o600, ["YAML list"]),
    ("- [unclosed", 0o600, ["not valid YAML"]),
])
def test_local_file_errors_name_the_file_and_entry_never_the_secret(tmp_path: Path, doc: Any, mode: int,
                                                                   words: list[str]) -> None:
    path = _write(tmp_path / "creds.yaml", doc, mode)
    with pytest.raises(CredentialsConfigError) as info:
        load_local(path)
    message = str(info.value)
    assert str(path) in message or "pw" in message
    for word in words:
        assert word in message
    assert "inline-pw" not in message


def test_a_password_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "pw", "open-pw", mode=0o644)
    path = _write(tmp_path / "creds.yaml", [{"url": "https://h/r", "passwordFile": "pw"}])
    with pytest.raises(CredentialsConfigError, match="chmod 600") as info:
        load_local(path)
    assert "open-pw" not in str(info.value)
