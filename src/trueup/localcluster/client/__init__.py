"""The embedded cluster's own async Kubernetes client (HTTPS + token), used by its controllers.

It is trueup's shared client (`trueup.kube`): resource addresses and REST verbs re-exported here.
"""

from trueup.kube.resources import *  # noqa: F403
from trueup.kube.resources import __all__ as _resources

from .rest import ApiError, Client

__all__ = [*_resources, "ApiError", "Client"]
