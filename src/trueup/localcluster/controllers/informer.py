"""Informers for the controllers: trueup's shared implementation (`trueup.kube.informer`).

One shared, watch-fed cache per resource type (list, watch with resume, relist on 410 diffed
against the cache, owner index), the same code the GitOps engine's cache runs on.
"""

from trueup.kube.informer import Cache, Handler, Informer, InformerStats, Key, Obj, key_of

__all__ = ["Cache", "Handler", "Informer", "InformerStats", "Key", "Obj", "key_of"]
