"""The embedded, kubectl-compatible Kubernetes API server (and, later, its controllers).

It never imports the GitOps engine: the engine reaches it, like any cluster, over HTTPS
through a kubeconfig. Entry point: `trueup.localcluster.cluster.LocalCluster`.
"""
