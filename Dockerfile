# trueup's container image: the controller as `trueup up`, non-root, for deploy/helm/trueup.
#
#   docker build -t ghcr.io/trueup-dev/trueup:0.1.0 .
#
# NOTE: this file has not been built: no Docker engine runs on trueup's development machines
# (see docs/INSTALL.md). The Helm chart's tests run the chart on the embedded cluster, whose
# simulated kubelet does not pull or run images.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: a virtualenv with trueup and its pinned dependencies (all have manylinux wheels)
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/trueup
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN /opt/trueup/bin/pip install --prefer-binary --constraint constraints.txt . \
 && /opt/trueup/bin/trueup --version

# ---- runtime: the virtualenv, a non-root user, nothing else
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="trueup" \
      org.opencontainers.image.description="GitOps controller: keeps Kubernetes clusters true to Git" \
      org.opencontainers.image.source="https://github.com/trueup-dev/trueup" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 trueup \
 && useradd --system --uid 10001 --gid trueup --home-dir /var/lib/trueup --shell /usr/sbin/nologin trueup \
 && mkdir -p /var/lib/trueup \
 && chown trueup:trueup /var/lib/trueup
COPY --from=build /opt/trueup /opt/trueup
ENV PATH=/opt/trueup/bin:$PATH \
    HOME=/var/lib/trueup \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
WORKDIR /var/lib/trueup
EXPOSE 8080
# In a pod `trueup up` uses the service account (auto-detected; the chart also passes
# --in-cluster). Pass --listen 0.0.0.0:8080 to reach the server from outside the container.
ENTRYPOINT ["trueup", "up"]
