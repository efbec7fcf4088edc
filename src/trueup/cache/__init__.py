"""The engine's cluster cache: watches of the kinds apps manage (and of Applications), holding only
trueup-tracked objects, indexed by ResourceKey and by app, with change notifications.

Built on `trueup.kube.Informer` (resume after disconnects, relist after 410, no lost event).
"""

from .cluster import APPLICATION_GROUPS, CacheStats, Change, ClusterCache, GroupKind, KindStats, Subscriber
from .tracking import deep_size, tracked_app

__all__ = [
    "APPLICATION_GROUPS",
    "CacheStats",
    "Change",
    "ClusterCache",
    "GroupKind",
    "KindStats",
    "Subscriber",
    "deep_size",
    "tracked_app",
]
