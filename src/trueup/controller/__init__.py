"""Continuous reconciliation of Applications: `trueup up`'s controller.

    async with Controller(client, repos, namespace="trueup", poll_interval=60.0) as controller:
        await controller.stopped()

Modules, one concern each:
  controller.py  lifecycle (CRD install, watches, workers, shutdown) and what enqueues an app
  queue.py       WorkQueue: dedup, per-key serialization, one delayed timer per key
  reconcile.py   one reconcile: parse → manual operation → render → diff → auto-sync/self-heal → status
  operate.py     running a sync and recording it (operationState, history); `operation.sync`
  cascade.py     deleting an app with a resources finalizer: its tracked objects, then the finalizer
  backoff.py     retry policy for failed auto-syncs; exponential backoff against field fighters [pure]
  status.py      the status document with Argo CD's field names                                 [pure]
  watches.py     informers on the kinds apps manage; a drifted object enqueues its app
  serving.py     the HTTP server's hooks (trueup.server.ServerHooks) read from the Application cache
  events.py      core/v1 Events on the Application: drift (fields, manager), heal, sync results,
                 self-heal backoff; repeats aggregated, written in the background
  leader.py      leader election over a coordination.k8s.io Lease: only the leader reconciles
  depends.py     dependsOn: are an app's dependencies Synced and Healthy; dependency cycles
  argocd.py      whether Argo CD's argoproj.io Applications are reconciled too (--argocd-apps),
                 re-checked while running (ArgoCDApps starts and stops the followers)
  names.py       one name, one app: which of several same-name Applications may use it    [pure]

Metrics (`Controller.metrics`, a trueup.metrics.Metrics): reconcile duration (worker), git fetch
duration (the controller fetches before a refresh's resolve; always for a webhook's hard refresh),
sync results by phase and app info after each status write (reconcile), drift events per newly
drifted object and heal latency from the watch event to the successful self-heal sync.

Async design (everything on one event loop):
- One Application informer (list+watch of `applications.trueup.dev` in the namespace, resumed
  after disconnects, relisted after 410) calls a synchronous handler that only enqueues.
- One informer per managed kind (cluster-wide, filtered to objects whose tracking annotation
  names them) enqueues the owning app on a MODIFIED/DELETED that changes more than status.
- A WorkQueue of app names and a fixed pool of `workers` tasks. The queue never hands out a key
  that is being processed: an event arriving mid-reconcile marks the key dirty and it is queued
  again when its worker finishes. So one app is never reconciled twice at once, events are never
  lost, and bursts of events collapse into one reconcile.
- After each reconcile the worker schedules the next poll (interval + jitter) on the queue's
  single per-key timer; a retry or self-heal backoff may schedule it sooner.
- Shutdown: the queue closes (idle workers return), informers stop, running reconciles get a
  grace period and are then cancelled; an operation left `Running` in status (this, or a kill -9)
  is marked Failed by the next controller that reconciles the app, and resumed when it would run
  again anyway (see operate.py).
- An Application whose readiness (sync, health, operation phase) changes, appears or goes
  re-queues the apps that depend on it (dependsOn).
- Followers (`Controller.follow`): a Controller per other Application resource and namespace
  (Argo CD's), started with this one and reconciling only while it leads.

The controller reaches the cluster only through `trueup.kube` and never imports `trueup.localcluster`.
"""

from .backoff import Fighters, SyncRetries, parse_duration
from .controller import Controller
from .operate import APPLICATIONS
from .queue import WorkQueue
from .reconcile import Reconciler

__all__ = ["APPLICATIONS", "Controller", "Fighters", "Reconciler", "SyncRetries", "WorkQueue", "parse_duration"]
