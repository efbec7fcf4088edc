"""Patch verbs of the embedded API server: strategic merge patch, JSON merge patch, JSON patch.

    strategic_merge_patch   application/strategic-merge-patch+json (built-in kinds, schema-guided)
    json_merge_patch        application/merge-patch+json (RFC 7386)
    json_patch              application/json-patch+json (RFC 6902)

Each takes the live object and the decoded patch, returns a new object and never mutates its
inputs. Failures raise `trueup.localcluster.errors.APIError` with kube-apiserver's codes.
Pure: no I/O.
"""

from __future__ import annotations

from .jsonpatch_ import MAX_OPERATIONS, json_patch
from .merge import json_merge_patch
from .strategic import strategic_merge_patch

__all__ = ["MAX_OPERATIONS", "json_merge_patch", "json_patch", "strategic_merge_patch"]
