"""The generic HMAC hook, for CI systems and scripts: trueup's own small JSON document.

```
POST /api/webhook            X-Trueup-Signature: sha256=<hex HMAC-SHA256 of the body>
                             X-Trueup-Event: push        (optional; `ping` is ignored)
{"repository": "https://git.example.com/org/repo.git",   required
 "ref": "refs/heads/main",                               required, a full ref
 "commit": "<40 or 64 hex>",                             optional
 "changed_files": ["apps/web/values.yaml"],              optional; absent = unknown
 "default_branch": "main",                               optional
 "deleted": false}                                       optional
```

Sign it with `printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"`.
"""

from __future__ import annotations

from .events import PushEvent, check_ref, check_sha
from .payload import Fields


def parse_push(event: str, payload: Fields) -> list[PushEvent]:
    """One PushEvent from the generic document."""
    url = payload.text("repository")
    ref = check_ref(payload.text("ref"), payload, "ref")
    commit = payload.opt_text("commit")
    deleted = payload.opt_bool("deleted")
    files = frozenset(f.lstrip("/") for f in payload.texts("changed_files") if f) \
        if "changed_files" in payload.data else None
    return [PushEvent(
        provider=payload.provider,
        repo_urls=(url,),
        ref=ref,
        commit_sha=None if deleted or commit is None else check_sha(commit, payload, "commit"),
        changed_files=None if deleted else files,
        default_branch=payload.opt_text("default_branch"),
        deleted=deleted,
    )]
