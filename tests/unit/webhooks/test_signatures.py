"""verify: every provider's signature scheme, valid, missing, malformed, forged; the size cap first."""

from __future__ import annotations

import pytest
from tests.unit.webhooks.helpers import EVENT_HEADERS, SECRET, event_headers, load, signature_headers, signed

from trueup.webhooks import MAX_BODY_BYTES, WebhookRejected, verify

PROVIDERS = sorted(EVENT_HEADERS)
BODY = load("github-push.json")


def rejected(provider: str, headers: dict[str, str], body: bytes = BODY, secret: str | None = SECRET,
             **kwargs: object) -> WebhookRejected:
    with pytest.raises(WebhookRejected) as info:
        verify(provider, headers, body, secret, **kwargs)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_valid_signature_is_accepted(provider: str) -> None:
    verify(provider, signed(provider, BODY), BODY, SECRET)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_header_names_are_case_insensitive(provider: str) -> None:
    headers = {name.lower(): value for name, value in signed(provider, BODY).items()}
    verify(provider, headers, BODY, SECRET)
    headers = {name.upper(): value for name, value in signed(provider, BODY).items()}
    verify(provider, headers, BODY, SECRET)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_missing_signature_is_401(provider: str) -> None:
    error = rejected(provider, event_headers(provider))
    assert error.status == 401
    assert provider in error.reason


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_signature_made_with_another_secret_is_401(provider: str) -> None:
    error = rejected(provider, signed(provider, BODY, secret="not-the-secret"))
    assert error.status == 401


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if p != "gitlab"])
def test_a_forged_body_carrying_the_valid_signature_of_another_body_is_401(provider: str) -> None:
    forged = BODY.replace(b"refs/heads/main", b"refs/heads/evil")
    assert forged != BODY
    error = rejected(provider, signed(provider, BODY), body=forged)
    assert error.status == 401
    assert "does not match" in error.reason


def test_gitlab_token_is_a_bearer_secret_not_a_signature_of_the_body() -> None:
    # GitLab documents no body signature: whoever holds the token can send any body.
    verify("gitlab", signed("gitlab", BODY), b"{}", SECRET)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_empty_body_is_still_checked(provider: str) -> None:
    verify(provider, signed(provider, b""), b"", SECRET)
    if provider != "gitlab":
        assert rejected(provider, signed(provider, b""), body=b"x").status == 401


@pytest.mark.parametrize("provider", PROVIDERS)
def test_reasons_never_show_the_secret_or_a_signature(provider: str) -> None:
    good = signature_headers(provider, BODY)
    error = rejected(provider, signed(provider, BODY, secret="wrong"))
    for value in [SECRET, "wrong", *good.values()]:
        assert value not in error.reason
        assert value not in str(error)


MALFORMED = {
    "github": [{"X-Hub-Signature-256": "sha1=" + "a" * 40}, {"X-Hub-Signature-256": "a" * 64},
               {"X-Hub-Signature-256": "sha256=" + "z" * 64}, {"X-Hub-Signature-256": "sha256=" + "a" * 63},
               {"X-Hub-Signature-256": "sha256="}, {"X-Hub-Signature-256": "sha256=é" + "a" * 63},
               {"X-Hub-Signature": "sha1=" + "a" * 40}],
    "gitea": [{"X-Gitea-Signature": "sha256=" + "a" * 64}, {"X-Gitea-Signature": "xyz"},
              {"X-Hub-Signature-256": "sha256=" + "a" * 64}],
    "gogs": [{"X-Gogs-Signature": "a" * 65}],
    "gitlab": [{"X-Gitlab-Token": ""}, {"X-Gitlab-Token": SECRET + " "}, {"X-Gitlab-Token": SECRET[:-1]},
               {"X-Gitlab-Token": "é"}],
    "bitbucket": [{"X-Hub-Signature": "sha256=nothex"}, {"X-Hub-Signature": "sha1=" + "a" * 40}],
    "bitbucket-server": [{"X-Hub-Signature": "sha256=" + "0" * 64}, {"X-Hub-Signature": "md5=abc"}],
    "generic": [{"X-Trueup-Signature": "sha256=" + "f" * 64}, {"X-Signature": "sha256=" + "f" * 64}],
}


@pytest.mark.parametrize(("provider", "header"), [(p, h) for p, hs in MALFORMED.items() for h in hs],
                         ids=lambda v: v if isinstance(v, str) else next(iter(v)))
def test_malformed_or_misplaced_signatures_are_401(provider: str, header: dict[str, str]) -> None:
    assert rejected(provider, event_headers(provider) | header).status == 401


def test_uppercase_hex_is_accepted() -> None:
    headers = signed("github", BODY)
    headers["X-Hub-Signature-256"] = "sha256=" + headers["X-Hub-Signature-256"][7:].upper()
    verify("github", headers, BODY, SECRET)


def test_github_sha1_signature_alone_is_not_enough() -> None:
    import hashlib
    import hmac
    sha1 = hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()
    assert rejected("github", event_headers("github") | {"X-Hub-Signature": f"sha1={sha1}"}).status == 401


@pytest.mark.parametrize("provider", PROVIDERS)
def test_no_secret_configured_is_401_unless_unsigned_hooks_are_explicitly_allowed(provider: str) -> None:
    for secret in (None, ""):
        error = rejected(provider, event_headers(provider), secret=secret)
        assert error.status == 401
        assert "no webhook secret is configured" in error.reason
        verify(provider, event_headers(provider), BODY, secret, allow_unsigned=True)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_allowing_unsigned_hooks_never_relaxes_a_configured_secret(provider: str) -> None:
    assert rejected(provider, event_headers(provider), allow_unsigned=True).status == 401
    assert rejected(provider, signed(provider, BODY, secret="x"), allow_unsigned=True).status == 401


def test_bitbucket_cloud_accepts_the_shared_token_from_the_hook_url_without_a_signature() -> None:
    headers = event_headers("bitbucket")
    verify("bitbucket", headers, BODY, SECRET, url_token=SECRET)
    assert rejected("bitbucket", headers, url_token="guess").status == 401
    assert rejected("bitbucket", headers, url_token="").status == 401


def test_bitbucket_cloud_with_a_signature_must_verify_it_whatever_the_url_token() -> None:
    headers = signed("bitbucket", BODY, secret="wrong")
    assert rejected("bitbucket", headers, url_token=SECRET).status == 401


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if p != "bitbucket"])
def test_only_bitbucket_cloud_takes_a_url_token(provider: str) -> None:
    assert rejected(provider, event_headers(provider), url_token=SECRET).status == 401


@pytest.mark.parametrize("provider", PROVIDERS)
def test_oversize_body_is_413_before_the_signature_is_looked_at(provider: str) -> None:
    body = b"{" + b" " * MAX_BODY_BYTES + b"}"
    error = rejected(provider, signed(provider, body), body=body)
    assert error.status == 413
    error = rejected(provider, {}, body=body, secret=None)
    assert error.status == 413


def test_body_cap_is_configurable_and_inclusive() -> None:
    verify("github", signed("github", BODY), BODY, SECRET, max_body_bytes=len(BODY))
    assert rejected("github", signed("github", BODY), max_body_bytes=len(BODY) - 1).status == 413


def test_unknown_provider_is_400() -> None:
    error = rejected("svn", {})
    assert error.status == 400
    assert "github" in error.reason
