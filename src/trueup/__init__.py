"""trueup: a GitOps engine that keeps clusters true to Git."""
__version__ = "0.1.0"
