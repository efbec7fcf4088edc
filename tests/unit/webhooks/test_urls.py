"""normalize_repo_url: every spelling of one repository gives one key; different repositories differ."""

from __future__ import annotations

import pytest

from trueup.webhooks import normalize_repo_url

SAME = [
    ("https://github.com/Org/Repo.git", "github.com/org/repo"),
    ("https://github.com/org/repo", "github.com/org/repo"),
    ("https://github.com/org/repo/", "github.com/org/repo"),
    ("https://github.com/org/repo.git/", "github.com/org/repo"),
    ("http://github.com/org/repo", "github.com/org/repo"),
    ("HTTPS://GitHub.COM/org/repo", "github.com/org/repo"),
    ("https://github.com:443/org/repo", "github.com/org/repo"),
    ("https://user:tok3n@github.com/org/repo.git", "github.com/org/repo"),
    ("https://x-access-token@github.com/org/repo", "github.com/org/repo"),
    ("git@github.com:org/repo.git", "github.com/org/repo"),
    ("git@github.com:Org/Repo", "github.com/org/repo"),
    ("github.com:org/repo.git", "github.com/org/repo"),
    ("ssh://git@github.com/org/repo", "github.com/org/repo"),
    ("ssh://git@github.com:22/org/repo.git", "github.com/org/repo"),
    ("ssh://git@ssh.github.com:443/org/repo.git", "github.com/org/repo"),
    ("git://github.com/org/repo.git", "github.com/org/repo"),
    ("git+ssh://git@github.com/org/repo.git", "github.com/org/repo"),
    ("github.com/org/repo", "github.com/org/repo"),
    ("  https://github.com/org/repo  ", "github.com/org/repo"),
    ("https://github.com//org//repo", "github.com/org/repo"),
    ("https://github.com/org/repo?ref=main#readme", "github.com/org/repo"),
    ("git@altssh.bitbucket.org:ws/repo.git", "bitbucket.org/ws/repo"),
    ("https://gitlab.acme.test/group/sub/project.git", "gitlab.acme.test/group/sub/project"),
    ("git@gitlab.acme.test:group/sub/project.git", "gitlab.acme.test/group/sub/project"),
    ("https://dev.azure.com/acme/My%20Project/_git/repo", "dev.azure.com/acme/my project/_git/repo"),
]


@pytest.mark.parametrize(("url", "key"), SAME, ids=[u for u, _ in SAME])
def test_normalized_key(url: str, key: str) -> None:
    assert normalize_repo_url(url) == key


def test_the_four_spellings_of_the_brief_are_equal() -> None:
    spellings = ["https://github.com/Org/Repo.git", "https://github.com/org/repo", "git@github.com:org/repo.git",
                 "ssh://git@github.com/org/repo"]
    assert len({normalize_repo_url(u) for u in spellings}) == 1


DIFFERENT = [
    ("https://github.com/org/repo", "https://github.com/org/repo2"),
    ("https://github.com/org/repo", "https://github.com/org2/repo"),
    ("https://github.com/org/repo", "https://gitlab.com/org/repo"),
    ("https://github.com/org/repo", "https://github.com/org/repo/sub"),
    ("ssh://git@bitbucket.corp.test:7999/plat/repo.git", "ssh://git@bitbucket.corp.test/plat/repo.git"),
    ("https://git.corp.test:8443/org/repo", "https://git.corp.test/org/repo"),
    ("https://github.com/org/repo.git.git", "https://github.com/org/repo"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT, ids=[f"{a} vs {b}" for a, b in DIFFERENT])
def test_different_repositories_stay_different(a: str, b: str) -> None:
    assert normalize_repo_url(a) != normalize_repo_url(b)


def test_non_default_ports_are_kept() -> None:
    key = normalize_repo_url("ssh://git@bitbucket.corp.test:7999/plat/repo.git")
    assert key == "bitbucket.corp.test:7999/plat/repo"
    assert normalize_repo_url("https://git.home.test:3000/ops/homelab") == "git.home.test:3000/ops/homelab"


def test_local_paths_normalize_too() -> None:
    assert normalize_repo_url("/srv/git/Repo.git") == normalize_repo_url("file:///srv/git/repo")


@pytest.mark.parametrize("url", ["", "   ", "https://github.com:99999/org/repo", "https://github.com:x/org/repo"])
def test_unusable_urls_are_value_errors(url: str) -> None:
    with pytest.raises(ValueError):
        normalize_repo_url(url)
