"""Built-in checks: one fixture file per kind and state, asserted with one line each."""

from __future__ import annotations

import pytest
from tests.unit.health.helpers import TESTDATA, load

from trueup.health import HealthStatus, assess, check_file

H, P, D, S, U = "Healthy", "Progressing", "Degraded", "Suspended", "Unknown"
WAIT = "Waiting for rollout to finish: "

CASES: list[tuple[str, str, str]] = [
    ("deployment-healthy.yaml", H, ""),
    ("deployment-progressing-rollout.yaml", P, WAIT + "1 out of 3 new replicas have been updated..."),
    ("deployment-progressing-generation.yaml", P, WAIT + "observed deployment generation less than desired generation"),
    ("deployment-progressing-oldreplicas.yaml", P, WAIT + "2 old replicas are pending termination..."),
    ("deployment-progressing-available.yaml", P, WAIT + "1 of 3 updated replicas are available..."),
    ("deployment-degraded-deadline.yaml", D, 'Deployment "web" exceeded its progress deadline'),
    ("deployment-suspended-paused.yaml", S, "Deployment is paused"),
    ("deployment-progressing-deleting.yaml", P, "Pending deletion"),
    ("deployment-unknown-badfield.yaml", U,
     "health check of apps/Deployment shop/web failed: field status.updatedReplicas: expected an integer, got str"),
    ("statefulset-healthy.yaml", H, "statefulset rolling update complete 3 pods at revision db-5c8..."),
    ("statefulset-progressing-notready.yaml", P, "Waiting for 2 pods to be ready..."),
    ("statefulset-progressing-generation.yaml", P, "Waiting for statefulset spec update to be observed..."),
    ("statefulset-progressing-partition.yaml", P,
     "Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated..."),
    ("statefulset-healthy-partition.yaml", H, "partitioned roll out complete: 3 new pods have been updated..."),
    ("statefulset-healthy-ondelete.yaml", H, "statefulset has 2 ready pods"),
    ("statefulset-progressing-revision.yaml", P,
     "waiting for statefulset rolling update to complete 2 pods at revision db-6d9..."),
    ("daemonset-healthy.yaml", H, ""),
    ("daemonset-progressing-updated.yaml", P,
     'Waiting for daemon set "agent" rollout to finish: 2 out of 4 new pods have been updated...'),
    ("daemonset-progressing-available.yaml", P,
     'Waiting for daemon set "agent" rollout to finish: 3 of 4 updated pods are available...'),
    ("daemonset-progressing-generation.yaml", P,
     WAIT + "observed daemon set generation less than desired generation"),
    ("daemonset-healthy-ondelete.yaml", H, "daemon set 1 out of 4 new pods have been updated"),
    ("replicaset-healthy.yaml", H, ""),
    ("replicaset-progressing-available.yaml", P, WAIT + "0 out of 2 new replicas are available..."),
    ("replicaset-degraded-failure.yaml", D,
     'pods "web-7d9f-" is forbidden: exceeded quota: compute, requested: cpu=2, used: cpu=8, limited: cpu=8'),
    ("pod-healthy-running.yaml", H, ""),
    ("pod-healthy-succeeded.yaml", H, ""),
    ("pod-progressing-pending.yaml", P, ""),
    ("pod-progressing-notready.yaml", P, ""),
    ("pod-degraded-restarted.yaml", D, "readiness probe failing after restart"),
    ("pod-degraded-crashloop.yaml", D, "back-off 5m0s restarting failed container=app pod=web-7d9f-uvwxy_shop"),
    ("pod-degraded-imagepullbackoff.yaml", D, 'Back-off pulling image "shop/web:1.5-typo"'),
    ("pod-progressing-hook-imagepull.yaml", P, ""),
    ("pod-degraded-failed.yaml", D, 'container "migrate" failed with exit code 3'),
    ("pod-degraded-oomkilled.yaml", D, "OOMKilled"),
    ("pod-degraded-evicted.yaml", D, "The node was low on resource: memory."),
    ("job-healthy-complete.yaml", H, "Reached expected number of succeeded pods"),
    ("job-degraded-failed.yaml", D, "Job has reached the specified backoff limit"),
    ("job-progressing-running.yaml", P, ""),
    ("job-suspended.yaml", S, "Job suspended"),
    ("cronjob-healthy.yaml", H, "CronJob has completed its last execution successfully"),
    ("cronjob-degraded-lastfailed.yaml", D, "CronJob has not completed its last execution successfully"),
    ("cronjob-healthy-running.yaml", H, "The job is running. Its last execution may not have been successful"),
    ("cronjob-suspended.yaml", S, "CronJob is Suspended"),
    ("cronjob-healthy-notscheduled.yaml", H, "CronJob has not been scheduled yet"),
    ("cronjob-progressing-nostatus.yaml", P, "Waiting for CronJob"),
    ("service-healthy-clusterip.yaml", H, ""),
    ("service-progressing-loadbalancer.yaml", P,
     "Waiting for the load balancer to get an address (status.loadBalancer.ingress)"),
    ("service-healthy-loadbalancer.yaml", H, ""),
    ("ingress-progressing-noaddress.yaml", P,
     "Waiting for the ingress controller to assign an address (status.loadBalancer.ingress)"),
    ("ingress-healthy.yaml", H, ""),
    ("pvc-healthy-bound.yaml", H, ""),
    ("pvc-progressing-pending.yaml", P, ""),
    ("pvc-degraded-lost.yaml", D, ""),
    ("hpa-healthy.yaml", H, "the desired count is within the acceptable range"),
    ("hpa-degraded-metrics.yaml", D, "the HPA was unable to compute the replica count: failed to get cpu utilization"),
    ("hpa-progressing-noconditions.yaml", P, "Waiting to Autoscale"),
    ("hpa-healthy-v1annotation.yaml", H, "the HPA controller was able to update the target scale to 4"),
    ("apiservice-healthy.yaml", H, "Passed: all checks passed"),
    ("apiservice-progressing-unavailable.yaml", P,
     'MissingEndpoints: endpoints for service/metrics-server in "kube-system" have no addresses'),
    ("apiservice-progressing-noconditions.yaml", P, "Waiting to be processed"),
    ("crd-healthy.yaml", H, "CRD is healthy"),
    ("crd-degraded-namesnotaccepted.yaml", D, 'CRD names have not been accepted: "wd" is already in use'),
    ("crd-degraded-nonstructural.yaml", D,
     "Schema violations found: spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty "
     "at the root"),
    ("crd-progressing-noconditions.yaml", P, "Status conditions not found"),
    ("application-healthy.yaml", H, ""),
    ("application-degraded.yaml", D, 'Deployment "web" exceeded its progress deadline'),
    ("application-progressing-nostatus.yaml", P, ""),
    ("application-trueup-suspended.yaml", S, "CronJob is Suspended"),
    ("workflow-degraded-failed.yaml", D, "child 'build-42-123' failed"),
    # custom resources without a check: the generic fallback
    ("certificate-healthy-ready.yaml", H, "Certificate is up to date and has not expired"),
    ("certificate-degraded-notready.yaml", D, "Issuing certificate as Secret does not exist"),
    ("kustomization-progressing-reconciling.yaml", P, "Running health checks for revision main@sha1:4b1c0de"),
    ("kustomization-degraded-stalled.yaml", D, "failed to parse the expression Current"),
    ("kustomization-suspended.yaml", S, "Kustomization is suspended"),
    ("widget-progressing-generation.yaml", P,
     "Waiting for the controller to observe generation 7 (status.observedGeneration is 6)"),
    ("widget-healthy-phase.yaml", H, ""),
    ("widget-degraded-phase.yaml", D, "quota exceeded for widgets"),
]

NO_HEALTH = ["configmap-none.yaml", "namespace-none.yaml", "widget-none-nostatus.yaml"]


@pytest.mark.parametrize(("name", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_builtin_health(name: str, status: str, message: str) -> None:
    result = assess(load(name))
    assert result is not None and (result.status.value, result.message) == (status, message)


@pytest.mark.parametrize("name", NO_HEALTH)
def test_kinds_without_a_check_have_no_health(name: str) -> None:
    assert assess(load(name)) is None


def test_every_fixture_file_is_asserted() -> None:
    asserted = {c[0] for c in CASES} | set(NO_HEALTH)
    on_disk = {p.name for p in TESTDATA.glob("*.yaml")}
    assert on_disk - asserted == set()


def test_check_file_reads_a_dumped_object() -> None:
    result = check_file(TESTDATA / "pod-degraded-crashloop.yaml")
    assert result is not None and result.status is HealthStatus.DEGRADED
    assert "CrashLoopBackOff" not in result.message and "back-off 5m0s" in result.message


def test_check_file_returns_none_for_a_kind_without_health() -> None:
    assert check_file(TESTDATA / "configmap-none.yaml") is None
