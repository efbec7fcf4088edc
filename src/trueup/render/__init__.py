"""Renderers: a directory of a repository at a commit → Kubernetes manifests (plain YAML/JSON, Kustomize, Helm, Jsonnet)."""
