"""Reading an OVA share: a scanner Pod on the host cluster mounts the NFS export and reports.

mtvweb itself may not be able to mount NFS (and production should not need to), so, like
Forklift's OVA provider server, the share is read from inside the cluster: a short-lived
Pod mounts `server:path` as an `nfs` volume at /ova read-only and runs
`python -m mtvweb.pods.ova_scan /ova`, which prints one JSON document to its log. This
module creates that Pod, waits for it (failing fast on a mount or image problem), reads
the log through the API server and deletes the Pod.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException
from urllib3.exceptions import HTTPError

from providers.adapters.base import ProviderError
from providers.kube import HostClusterNotConfigured, host_api_client

log = logging.getLogger(__name__)
MOUNT = "/ova"
COMPRESSED = "gzip+base64:"  # what mtvweb.pods.ova_scan --compress prints before its document
DEFAULT_NAMESPACE = "openshift-mtv"
START_TIMEOUT = 90.0  # Pending longer than this (unschedulable, slow pull) is reported
RUN_TIMEOUT = 900.0  # a scan reads headers only; even a share of thousands of OVAs is done well before
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
_SHARE = re.compile(rf"^(?P<server>{_HOST}|\[[0-9A-Fa-f:.]+\]):(?P<path>/\S*)$")
_IMAGE_PROBLEMS = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError",
                   "CreateContainerError", "ErrImageNeverPull"}
_UNREACHABLE = ("timed out", "no route", "connection refused", "not known", "resolve", "unreachable")
EXAMPLE = "nfs.example.com:/exports/ova"


@dataclass(frozen=True)
class Share:
    server: str  # a host name or address (an IPv6 address without brackets)
    path: str

    @property
    def url(self) -> str:
        return f"[{self.server}]:{self.path}" if ":" in self.server else f"{self.server}:{self.path}"


def parse_share_url(url: str) -> Share:
    """`server:/path` as guide §4.4.1.4 writes it; ValueError says how to write it instead."""
    text = (url or "").strip()
    if text.lower().startswith("nfs://"):
        raise ValueError(f"Write the share as server:/path, without nfs:// — for example {EXAMPLE}.")
    if "://" in text:
        raise ValueError(f"An OVA provider reads an NFS share, not a web address: write it as server:/path, "
                         f"for example {EXAMPLE}.")
    server, colon, path = text.rpartition(":")
    if not colon or not path:
        raise ValueError(f"Add the exported path after the server and a colon: server:/path, for example {EXAMPLE}.")
    match = _SHARE.match(text)
    if match is None:
        if any(c.isspace() for c in text):
            raise ValueError("The share may not contain spaces: write it as server:/path.")
        if not path.startswith("/"):
            raise ValueError(f"The exported path must be absolute: {server}:/{path}")
        raise ValueError(f'"{server}" is not a host name or IP address (write an IPv6 address in brackets); '
                         f"the share is server:/path, for example {EXAMPLE}.")
    path = match["path"].rstrip("/") or "/"
    return Share(match["server"].strip("[]"), path)


def _mount_problem(share: Share, message: str) -> str:
    detail = m[1] if (m := re.search(r"(mount(?:\.nfs)?: [^\n]*)", message)) else message.strip()[:400]
    if any(word in detail.lower() for word in _UNREACHABLE):
        return (f"The NFS server {share.server} cannot be reached from the cluster's nodes ({detail}). Check the "
                f"server name or address, and that NFS (port 2049) is open from the nodes to the server.")
    if "denied" in detail.lower() or "no such file" in detail.lower():
        return (f"The NFS server {share.server} refused to mount {share.path} ({detail}). Check that the path "
                f"exists and is exported to the cluster's nodes (/etc/exports on the server).")
    return f"The cluster could not mount the NFS share {share.url}: {detail}"


@dataclass
class ShareScanner:
    """Runs one scan of `share` in a Pod and returns the scanner's JSON document."""

    share: Share
    labels: dict = field(default_factory=dict)
    start_timeout: float = START_TIMEOUT
    run_timeout: float = RUN_TIMEOUT

    @property
    def namespace(self) -> str:
        return getattr(settings, "MTVWEB_NAMESPACE", "") or DEFAULT_NAMESPACE

    def pod_body(self) -> dict:
        return {
            "metadata": {
                "name": f"ova-scan-{uuid.uuid4().hex[:10]}",
                "labels": {"app.kubernetes.io/name": "mtvweb", "app.kubernetes.io/component": "ova-scan",
                           **self.labels},
            },
            "spec": {
                "restartPolicy": "Never",
                "activeDeadlineSeconds": int(self.run_timeout),
                "automountServiceAccountToken": False,
                "containers": [{
                    "name": "scan",
                    "image": settings.MTVWEB_IMAGE,
                    "command": ["python", "-m", "mtvweb.pods.ova_scan", "--compress", MOUNT],
                    "volumeMounts": [{"name": "share", "mountPath": MOUNT, "readOnly": True}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "1Gi"}},
                    "terminationMessagePolicy": "FallbackToLogsOnError",
                }],
                "volumes": [{"name": "share", "nfs": {"server": self.share.server, "path": self.share.path,
                                                      "readOnly": True}}],
            },
        }

    def scan(self) -> dict:
        try:
            with host_api_client() as api:
                return self._run(client.CoreV1Api(api))
        except HostClusterNotConfigured as exc:
            raise ProviderError(f"{exc} OVA shares are read by a Pod on the host cluster.") from None
        except ConfigException as exc:
            raise ProviderError(f"The host cluster's kubeconfig (MTVWEB_KUBECONFIG) cannot be used: {exc}") from None
        except ApiException as exc:
            raise ProviderError(self._api_problem(exc)) from None
        except (HTTPError, OSError) as exc:
            raise ProviderError(f"Cannot reach the host cluster's API server ({type(exc).__name__}: {exc}). "
                                "Check MTVWEB_KUBECONFIG and the network to the cluster.") from None

    def _api_problem(self, exc: ApiException) -> str:
        if exc.status == 401:
            return "The host cluster refused mtvweb's credentials (401 Unauthorized): check MTVWEB_KUBECONFIG."
        if exc.status == 403:
            return (f"mtvweb may not run its OVA scanner Pod in namespace {self.namespace} of the host cluster "
                    f"(403 Forbidden). Allow it to create, read and delete Pods and read Pod logs and Events there.")
        if exc.status == 404:
            return (f"Namespace {self.namespace} does not exist on the host cluster: create it, or set "
                    "MTVWEB_NAMESPACE to the namespace mtvweb runs its Pods in.")
        return f"The host cluster's API server answered {exc.status} {exc.reason} while scanning the OVA share."

    def _run(self, core: client.CoreV1Api) -> dict:
        started = time.monotonic()
        name = core.create_namespaced_pod(self.namespace, self.pod_body()).metadata.name
        try:
            pod = self._wait(core, name, started)
            # Raw bytes: the client would otherwise json.loads() a log that is a JSON document and hand
            # back its Python repr.
            response = core.read_namespaced_pod_log(name, self.namespace, container="scan", _preload_content=False)
            output = response.data.decode("utf-8", "replace")
            return self._result(pod, output)
        finally:
            try:
                core.delete_namespaced_pod(name, self.namespace, grace_period_seconds=0)
            except (ApiException, HTTPError, OSError) as exc:  # the Pod's deadline still ends it
                log.warning("could not delete scanner Pod %s/%s: %s", self.namespace, name, exc)
            log.info("OVA share %s scanned in %.1f s", self.share.url, time.monotonic() - started)

    def _wait(self, core: client.CoreV1Api, name: str, started: float):
        pause = 0.2
        while True:
            pod = core.read_namespaced_pod(name, self.namespace)
            phase = pod.status.phase
            if phase in ("Succeeded", "Failed"):
                return pod
            waited = time.monotonic() - started
            if phase == "Pending":
                self._check_start(core, pod)
                if waited > self.start_timeout:
                    raise ProviderError(f"The OVA scanner Pod {self.namespace}/{name} did not start within "
                                        f"{self.start_timeout:.0f} s: {self._pending_reason(pod)}")
            if waited > self.run_timeout:
                raise ProviderError(f"Scanning the share {self.share.url} took longer than {self.run_timeout:.0f} s; "
                                    "the NFS server may be overloaded. It is tried again later.")
            time.sleep(pause)
            pause = min(pause * 1.5, 2.0)

    def _check_start(self, core: client.CoreV1Api, pod) -> None:
        for status in pod.status.container_statuses or []:
            waiting = status.state.waiting if status.state else None
            if waiting and waiting.reason in _IMAGE_PROBLEMS:
                raise ProviderError(f"The host cluster cannot start the OVA scanner image {settings.MTVWEB_IMAGE} "
                                    f"({waiting.reason}: {waiting.message}). Set MTVWEB_IMAGE to the mtvweb "
                                    "image your cluster can pull.")
        selector = f"involvedObject.name={pod.metadata.name},reason=FailedMount"
        events = core.list_namespaced_event(self.namespace, field_selector=selector).items
        if events:
            raise ProviderError(_mount_problem(self.share, events[-1].message or ""))

    def _pending_reason(self, pod) -> str:
        for condition in pod.status.conditions or []:
            if condition.type == "PodScheduled" and condition.status == "False":
                return f"no node can run it ({condition.reason}: {condition.message})."
        # Scheduled but not started: the kubelet is still mounting the share (an unreachable
        # NFS server makes mount.nfs hang for minutes before the kubelet reports it).
        return (f"its node is still mounting {self.share.url}. The NFS server {self.share.server} may be "
                "unreachable from the cluster's nodes or very slow: check the server name or address and that "
                "NFS (port 2049) is open from the nodes to the server.")

    def _result(self, pod, output: str) -> dict:
        lines = [line for line in output.splitlines() if line.strip()]
        try:
            last = lines[-1] if lines else "null"
            if last.startswith(COMPRESSED):
                last = gzip.decompress(base64.b64decode(last[len(COMPRESSED):]))
            document = json.loads(last)
        except (ValueError, OSError, EOFError):
            document = None
        if isinstance(document, dict) and document.get("fatal"):
            raise ProviderError(f"The share {self.share.url} was mounted but cannot be read: {document['fatal']}. "
                                "Make it readable (r-x on folders, r on files) to the scanner's user on the server.")
        if pod.status.phase != "Succeeded" or not isinstance(document, dict) or "entries" not in document:
            tail = " | ".join(lines[-3:])[-600:] or "no output"
            raise ProviderError(f"The OVA scanner Pod failed ({pod.status.phase}): {tail}")
        return document
