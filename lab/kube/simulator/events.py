"""Recording core/v1 Events the way kubelets and controllers do (with de-duplication)."""

from __future__ import annotations

import datetime
import hashlib
import logging

from kubernetes import client
from kubernetes.client.exceptions import ApiException

log = logging.getLogger(__name__)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_micro() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class EventRecorder:
    def __init__(self, api: client.ApiClient, component: str, host: str = ""):
        self.core = client.CoreV1Api(api)
        self.component = component
        self.host = host

    def record(
        self, obj: dict, kind: str, event_type: str, reason: str, message: str, api_version: str = "v1"
    ) -> None:
        """Create the Event, or bump its count when the same one was already recorded.

        kind/api_version are passed because listed items do not carry them."""
        meta = obj["metadata"]
        namespace = meta.get("namespace") or "default"
        digest = hashlib.sha1(f"{meta.get('uid')}{reason}{message}".encode()).hexdigest()[:10]
        name = f"{meta['name']}.{digest}"[:253]
        stamp = now()
        try:
            existing = self.core.read_namespaced_event(name, namespace)
        except ApiException as exc:
            if exc.status != 404:
                raise
            existing = None
        try:
            if existing is not None:
                self.core.patch_namespaced_event(
                    name, namespace, {"count": (existing.count or 1) + 1, "lastTimestamp": stamp}
                )
                return
            self.core.create_namespaced_event(
                namespace,
                {
                    "metadata": {"name": name, "namespace": namespace},
                    "involvedObject": {
                        "apiVersion": api_version,
                        "kind": kind,
                        "name": meta["name"],
                        "namespace": meta.get("namespace"),
                        "uid": meta.get("uid"),
                        "resourceVersion": meta.get("resourceVersion"),
                    },
                    "type": event_type,
                    "reason": reason,
                    "message": message,
                    "source": {"component": self.component, "host": self.host or None},
                    "reportingComponent": self.component,
                    "reportingInstance": self.host or self.component,
                    "firstTimestamp": stamp,
                    "lastTimestamp": stamp,
                    "count": 1,
                },
            )
        except ApiException as exc:
            # An Event for an object in a namespace being deleted is refused; that is fine.
            log.debug("event %s for %s/%s not recorded: %s", reason, namespace, meta["name"], exc.reason)
