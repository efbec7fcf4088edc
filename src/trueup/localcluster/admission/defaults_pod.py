"""PodSpec defaulting shared by every pod template (SetDefaults_PodSpec and friends).

Applies to Pod, PodTemplate, ReplicationController, Deployment, ReplicaSet, StatefulSet,
DaemonSet, Job and CronJob (jobTemplate). Pod-only extras (requests from limits, hostPort,
admission plugins, status) live in `defaults_pod_only`.
Quantities are canonicalised separately, by `quantities` (schema-driven). Pure.
"""

from __future__ import annotations

import re
from typing import Any

from ._util import Obj, child, default, default_empty, dicts

TERMINATION_MESSAGE_PATH = "/dev/termination-log"

# Reference grammar (distribution/reference), enough to find tag and digest.
_NAME_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*" \
          r"|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_IMAGE_RE = re.compile(
    rf"^(?:{_DOMAIN}/)?{_NAME_COMPONENT}(?:/{_NAME_COMPONENT})*"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*"
    r":[0-9A-Fa-f]{32,}))?$"
)


def image_tag(image: str) -> str:
    """The tag kubelet's ParseImageName sees: 'latest' when neither tag nor digest, '' if unparsable."""
    m = _IMAGE_RE.match(image or "")
    if not m:
        return ""
    tag, digest = m.group("tag"), m.group("digest")
    if tag:
        return tag
    return "" if digest else "latest"


def pull_policy(image: str) -> str:
    return "Always" if image_tag(image) == "latest" else "IfNotPresent"


def _default_http_get(handler: Any) -> None:
    http_get = handler.get("httpGet") if isinstance(handler, dict) else None
    if isinstance(http_get, dict):
        default_empty(http_get, "path", "/")
        default_empty(http_get, "scheme", "HTTP")


def _default_probe(probe: Any) -> None:
    if not isinstance(probe, dict):
        return
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                       ("failureThreshold", 3)):
        if not probe.get(key):
            probe[key] = value
    _default_http_get(probe)
    grpc = probe.get("grpc")
    if isinstance(grpc, dict):
        default(grpc, "service", "")


def _default_field_refs(value_from: Any) -> None:
    if not isinstance(value_from, dict):
        return
    field_ref = value_from.get("fieldRef")
    if isinstance(field_ref, dict):
        default_empty(field_ref, "apiVersion", "v1")
    res_ref = value_from.get("resourceFieldRef")
    if isinstance(res_ref, dict):
        default(res_ref, "divisor", "0")


def default_container(c: Obj) -> None:
    """Defaults of one container (regular, init or ephemeral)."""
    default_empty(c, "terminationMessagePath", TERMINATION_MESSAGE_PATH)
    default_empty(c, "terminationMessagePolicy", "File")
    if not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = pull_policy(str(c.get("image") or ""))
    for port in dicts(c.get("ports")):
        default_empty(port, "protocol", "TCP")
    for env in dicts(c.get("env")):
        _default_field_refs(env.get("valueFrom"))
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(c.get(key))
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            _default_http_get(lifecycle.get(hook))
    if not isinstance(c.get("resources"), dict):
        c["resources"] = {}


# volume source -> its defaults (besides defaultMode handled below)
_SOURCE_DEFAULTS: dict[str, dict[str, Any]] = {
    "hostPath": {"type": ""},
    "iscsi": {"iscsiInterface": "default"},
    "rbd": {"pool": "rbd", "user": "admin", "keyring": "/etc/ceph/keyring"},
    "azureDisk": {"cachingMode": "ReadWrite", "fsType": "ext4", "readOnly": False, "kind": "Shared"},
    "scaleIO": {"storageMode": "ThinProvisioned", "fsType": "xfs"},
}
_MODE_SOURCES = ("secret", "configMap", "downwardAPI", "projected")


def default_volume(vol: Obj) -> None:
    if not any(k != "name" and v is not None for k, v in vol.items()):
        vol["emptyDir"] = {}
    for source, defaults in _SOURCE_DEFAULTS.items():
        src = vol.get(source)
        if isinstance(src, dict):
            for key, value in defaults.items():
                if source == "hostPath":
                    default(src, key, value)
                else:
                    default_empty(src, key, value)
    for source in _MODE_SOURCES:
        src = vol.get(source)
        if isinstance(src, dict):
            default(src, "defaultMode", 420)
    downward = vol.get("downwardAPI")
    if isinstance(downward, dict):
        for item in dicts(downward.get("items")):
            _default_field_refs(item)
    projected = vol.get("projected")
    if isinstance(projected, dict):
        for src in dicts(projected.get("sources")):
            token = src.get("serviceAccountToken")
            if isinstance(token, dict):
                default(token, "expirationSeconds", 3600)
            dapi = src.get("downwardAPI")
            if isinstance(dapi, dict):
                for item in dicts(dapi.get("items")):
                    _default_field_refs(item)
    ephemeral = vol.get("ephemeral")
    if isinstance(ephemeral, dict):
        template = ephemeral.get("volumeClaimTemplate")
        if isinstance(template, dict):
            default(child(template, "spec"), "volumeMode", "Filesystem")
    image = vol.get("image")
    if isinstance(image, dict) and not image.get("pullPolicy"):
            image["pullPolicy"] = pull_policy(str(image.get("reference") or ""))


def default_pod_spec(spec: Obj) -> None:
    """SetDefaults_PodSpec + containers + volumes; also mirrors serviceAccount/serviceAccountName."""
    default_empty(spec, "dnsPolicy", "ClusterFirst")
    default_empty(spec, "restartPolicy", "Always")
    default(spec, "terminationGracePeriodSeconds", 30)
    default(spec, "securityContext", {})
    default_empty(spec, "schedulerName", "default-scheduler")
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in dicts(spec.get(key)):
            default_container(c)
    for vol in dicts(spec.get("volumes")):
        default_volume(vol)
    sa_name, sa = spec.get("serviceAccountName"), spec.get("serviceAccount")
    if not sa_name and sa:
        spec["serviceAccountName"] = sa
    elif sa_name:
        spec["serviceAccount"] = sa_name


def default_pod_template(template: Any) -> None:
    """A PodTemplateSpec: `metadata: {}` is always printed, then the PodSpec defaults."""
    if not isinstance(template, dict):
        return
    child(template, "metadata")
    default_pod_spec(child(template, "spec"))
