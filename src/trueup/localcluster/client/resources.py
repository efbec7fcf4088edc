"""Resource addresses: shared with the engine (`trueup.kube.resources`)."""

from trueup.kube.resources import *  # noqa: F403
from trueup.kube.resources import __all__ as _all

__all__ = list(_all)
