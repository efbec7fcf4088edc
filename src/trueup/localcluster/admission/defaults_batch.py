"""Defaults of batch/v1 Job and CronJob, including the Job selector and labels generated from
metadata.uid (the API server sets uid before calling `apply_defaults`). Pure.
"""

from __future__ import annotations

from ._util import Obj, child, default, default_empty, dicts
from .defaults_pod import default_pod_template

CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
LEGACY_CONTROLLER_UID = "controller-uid"
JOB_NAME = "batch.kubernetes.io/job-name"
LEGACY_JOB_NAME = "job-name"
MAX_INT32 = 2147483647


def _generate_selector(obj: Obj, spec: Obj) -> None:
    meta = obj.get("metadata") or {}
    uid, name = meta.get("uid"), meta.get("name")
    if not uid or spec.get("manualSelector") is True:
        return
    template = child(spec, "template")
    labels = child(child(template, "metadata"), "labels")
    for key in (LEGACY_JOB_NAME, JOB_NAME):
        labels.setdefault(key, name or "")
    for key in (LEGACY_CONTROLLER_UID, CONTROLLER_UID):
        labels.setdefault(key, uid)
    selector = child(spec, "selector")
    child(selector, "matchLabels").setdefault(CONTROLLER_UID, uid)


def job(obj: Obj) -> None:
    spec = child(obj, "spec")
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    default(spec, "parallelism", 1)
    default(spec, "backoffLimit", MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6)
    default(spec, "completionMode", "NonIndexed")
    default(spec, "suspend", False)
    failure_policy = spec.get("podFailurePolicy")
    if isinstance(failure_policy, dict):
        for rule in dicts(failure_policy.get("rules")):
            for pattern in dicts(rule.get("onPodConditions")):
                default_empty(pattern, "status", "True")
    default(spec, "podReplacementPolicy", "Failed" if failure_policy else "TerminatingOrFailed")
    default(spec, "manualSelector", False)
    meta = child(obj, "metadata")
    labels_were_empty = not meta.get("labels")
    _generate_selector(obj, spec)
    default_pod_template(spec.get("template"))
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if labels_were_empty and template_labels:
        meta["labels"] = dict(template_labels)
    child(obj, "status")


def cron_job(obj: Obj) -> None:
    spec = child(obj, "spec")
    default_empty(spec, "concurrencyPolicy", "Allow")
    default(spec, "suspend", False)
    default(spec, "successfulJobsHistoryLimit", 3)
    default(spec, "failedJobsHistoryLimit", 1)
    job_template = child(spec, "jobTemplate")
    child(job_template, "metadata")
    default_pod_template(child(job_template, "spec").get("template"))
    child(obj, "status")
