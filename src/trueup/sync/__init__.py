"""Sync: plan (pure ordering of phases, waves, kinds, hooks and proven prunes) and execution."""

from .execute import ExecOptions, ResourceResult, Syncer, SyncError, SyncResult, gather_live
from .plan import (
    KIND_ORDER,
    PHASES,
    TRACKING_ANNOTATION,
    Plan,
    PlanError,
    PlanOptions,
    Task,
    hook_of,
    kind_rank,
    plan,
    sync_options,
    sync_view,
    tracking_id,
    wave_of,
)

__all__ = [
    "KIND_ORDER",
    "PHASES",
    "TRACKING_ANNOTATION",
    "ExecOptions",
    "Plan",
    "PlanError",
    "PlanOptions",
    "ResourceResult",
    "SyncError",
    "SyncResult",
    "Syncer",
    "Task",
    "gather_live",
    "hook_of",
    "kind_rank",
    "plan",
    "sync_options",
    "sync_view",
    "tracking_id",
    "wave_of",
]
