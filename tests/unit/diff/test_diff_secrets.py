"""Secret values never appear in any diff output; masks still tell changed from unchanged."""

from __future__ import annotations

import base64

from tests.unit.diff.helpers import load

from trueup.diff import (
    MASK,
    MASK_CHANGED,
    ChangeAction,
    DiffOptions,
    SyncStatus,
    compare,
    render_json,
    render_markdown,
    render_text,
)

PLAINTEXT = ("s3cr3t-hunter2", "changed-by-hand", "old-pa55word", "tok-123", "YWRtaW4=", "admin")


def _outputs(*diffs: object) -> str:
    items = list(diffs)
    return "".join([render_json(items, include_objects=True), render_markdown(items),  # type: ignore[arg-type]
                    *(render_text(d, color=True) for d in items)])  # type: ignore[arg-type]


def _no_secret(text: str) -> None:
    for value in PLAINTEXT:
        assert value not in text
        assert base64.b64encode(value.encode()).decode() not in text


def test_string_data_in_git_equal_to_live_data_is_synced_and_masked() -> None:
    diff = compare(load("secret-desired.yaml"), None, load("secret-live.yaml"))
    assert diff.status is SyncStatus.SYNCED
    assert diff.live is not None and diff.target is not None
    assert diff.live["data"] == diff.target["data"] == {"password": MASK, "username": MASK}
    _no_secret(_outputs(diff))


def test_changed_value_shows_as_changed_masks_and_names_the_editor() -> None:
    diff = compare(load("secret-desired.yaml"), None, load("secret-edited-live.yaml"))
    assert diff.status is SyncStatus.OUT_OF_SYNC
    (change,) = diff.changes
    assert change.path == ".data.password"
    assert (change.before, change.after) == (MASK_CHANGED, MASK)
    assert change.changed_by is not None and change.changed_by.manager == "kubectl-edit"
    text = render_text(diff)
    assert f"-  password: '{MASK_CHANGED}'" in text
    assert f"+  password: {MASK}" in text
    assert "username" not in [line[1:].split(":")[0].strip() for line in text.splitlines() if line[:1] in "+-"]
    _no_secret(_outputs(diff))


def test_masks_do_not_reveal_lengths() -> None:
    live = load("secret-live.yaml")
    live["data"] = {"a": base64.b64encode(b"x").decode(), "b": base64.b64encode(b"x" * 500).decode()}
    desired = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"},
               "data": {"a": base64.b64encode(b"y" * 80).decode(), "b": live["data"]["b"]}}
    diff = compare(desired, None, live)
    assert diff.live is not None and diff.target is not None
    assert {len(v) for v in (*diff.live["data"].values(), *diff.target["data"].values())} == {len(MASK)}
    assert diff.changed_paths == [".data.a"]


def test_last_applied_annotation_with_plaintext_and_extra_or_missing_secrets() -> None:
    live = load("secret-client-side-live.yaml")
    desired = load("secret-desired.yaml")
    out_of_sync = compare(desired, None, live)
    # the tracking annotation is missing from live too: this object is not (yet) trueup's
    assert out_of_sync.changed_paths == [".data.password", ".data.username", ".metadata.annotations"]
    assert [c.action for c in out_of_sync.changes] == [ChangeAction.CHANGED, ChangeAction.ADDED, ChangeAction.ADDED]
    extra = compare(None, None, live)
    missing = compare(desired, None, None)
    assert extra.live is not None and extra.live["data"] == {"password": MASK, "token": MASK}
    assert missing.target is not None and missing.target["data"] == {"password": MASK, "username": MASK}
    _no_secret(_outputs(out_of_sync, extra, missing))


def test_caller_marked_sensitive_field_is_masked_on_any_kind() -> None:
    desired = {"apiVersion": "example.dev/v1", "kind": "Database", "metadata": {"name": "db", "namespace": "shop"},
               "spec": {"size": 1, "auth": {"password": "hunter2-new"}}}
    live = {**desired, "spec": {"size": 1, "auth": {"password": "hunter2-old"}}}
    options = DiffOptions(sensitive_pointers=("/spec/auth/password",))
    diff = compare(desired, None, live, options)
    assert diff.changed_paths == [".spec.auth.password"]
    assert (diff.changes[0].before, diff.changes[0].after) == (MASK_CHANGED, MASK)
    text = _outputs(diff)
    assert "hunter2" not in text
    assert compare(desired, None, desired, options).status is SyncStatus.SYNCED
