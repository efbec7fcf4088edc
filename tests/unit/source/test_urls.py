"""Repository URLs (normalization, mirror names) and credentials that never show their secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

import trueup.source as source
from trueup.source import Credentials, RepositoryError, parse_repo_url, scrub


@pytest.mark.parametrize("variant", [
    "https://github.com/Org/Repo.git", "https://GitHub.com/Org/Repo", "https://user:pw@github.com/Org/Repo.git/",
    "http://github.com/Org/Repo.git",
])
def test_https_variants_share_one_mirror(variant: str) -> None:
    assert parse_repo_url(variant).normalized == "https://github.com/Org/Repo"
    assert parse_repo_url(variant).cache_key == parse_repo_url("https://github.com/Org/Repo.git").cache_key


def test_scp_like_and_ssh_urls_share_one_mirror() -> None:
    scp = parse_repo_url("git@github.com:org/repo.git")
    ssh = parse_repo_url("ssh://git@github.com/org/repo.git")
    assert scp.scheme == ssh.scheme == "ssh"
    assert scp.cache_key == ssh.cache_key
    assert scp.fetch_url == "git@github.com:org/repo.git"
    assert ssh.username == "git" and ssh.fetch_url == "ssh://git@github.com/org/repo.git"


def test_git_file_and_local_paths(tmp_path: Path) -> None:
    assert parse_repo_url("git://example.com/repo.git").scheme == "git"
    as_file = parse_repo_url(f"file://{tmp_path}/repo.git")
    as_path = parse_repo_url(f"{tmp_path}/repo.git")
    assert as_file.is_local and as_path.is_local
    assert as_file.fetch_url == as_path.fetch_url == f"{tmp_path}/repo.git"
    assert as_file.cache_key == as_path.cache_key


def test_password_moves_out_of_the_url() -> None:
    url = parse_repo_url("https://alice:s3cret-pw@git.example.com/team/app.git")
    assert url.username == "alice" and url.password == "s3cret-pw"
    assert "s3cret-pw" not in url.fetch_url
    assert "s3cret-pw" not in url.display and "alice" not in url.display
    assert "s3cret-pw" not in repr(url) and "s3cret-pw" not in str(url)


@pytest.mark.parametrize("bad", ["", "ftp://example.com/repo.git", "https:///no-host"])
def test_unsupported_urls_are_refused(bad: str) -> None:
    with pytest.raises(RepositoryError, match="repoURL"):
        parse_repo_url(bad)


def test_unsupported_scheme_error_hides_the_password() -> None:
    with pytest.raises(RepositoryError) as info:
        parse_repo_url("ftp://bob:hunter2@example.com/repo.git")
    assert "hunter2" not in str(info.value)
    assert "ftp" in str(info.value)


def test_scrub_masks_userinfo_and_named_secrets() -> None:
    text = "fetch https://bob:hunter2@h/r failed; token tok-123 rejected"
    cleaned = scrub(text, ["tok-123", None])
    assert "hunter2" not in cleaned and "tok-123" not in cleaned
    assert "https://***@h/r" in cleaned


def test_credentials_repr_masks_secrets() -> None:
    creds = Credentials(username="alice", password="pw-1", token="tok-2", ssh_private_key="-----BEGIN KEY-----x",
                        ssh_passphrase="phrase-3")
    for shown in (repr(creds), str(creds), f"{creds}", repr([creds])):
        for secret in ("pw-1", "tok-2", "BEGIN KEY", "phrase-3"):
            assert secret not in shown
        assert "alice" in shown


def test_credentials_fall_back_to_url_userinfo() -> None:
    assert Credentials().merged_with_url("u", "p") == Credentials(username="u", password="p")
    explicit = Credentials(username="svc", token="t")
    assert explicit.merged_with_url("u", "p") == explicit


def test_public_api_is_exported() -> None:
    for name in source.__all__:
        assert getattr(source, name) is not None
    assert {"RepoCache", "Credentials", "Resolved", "Snapshot", "SourceError", "PathError"} <= set(source.__all__)
