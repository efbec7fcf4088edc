"""The controllers' client is trueup's shared Kubernetes client (`trueup.kube`)."""

from trueup.kube.rest import ApiError, Client

__all__ = ["ApiError", "Client"]
