"""One thread per watched kind (and namespace): Kubernetes watch events onto a queue.

A watch resumes from the last resourceVersion it saw (bookmarks keep that fresh). When the
server says the version is too old (410 Gone) the thread lists the kind again and hands the
whole list over as one RESYNC change; the collector works out what was added, changed and
deleted meanwhile. Anything else that stops the watch for good (token revoked, permission
removed, server gone for longer than a few retries) is handed over as a FAILED change.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import urllib3
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from providers.adapters.openshift.client import TIMEOUT
from providers.adapters.openshift.kinds import Kind, list_all

log = logging.getLogger(__name__)
# The server ends each watch after this long; the thread then watches again from where it was.
WATCH_SECONDS = 240
# Interruptions retried in place (after 1 s, 2 s) before the source counts as lost.
RETRIES = 2


class Gone(Exception):
    """The resourceVersion to watch from has been compacted away."""


@dataclass
class Change:
    kind: Kind
    type: str  # ADDED, MODIFIED, DELETED, RESYNC or FAILED
    obj: dict = field(default_factory=dict)
    namespace: str | None = None  # RESYNC: the namespace the list covers (None: the cluster)
    objects: list = field(default_factory=list)  # RESYNC: everything there is now
    error: BaseException | None = None  # FAILED


class Watcher(threading.Thread):
    def __init__(self, kind: Kind, list_function: Callable, version: str, namespace: str | None,
                 changes: queue.Queue, stop: threading.Event):
        super().__init__(name=f"watch-{kind.name}-{namespace or 'all'}", daemon=True)
        self.kind = kind
        self.list_function = list_function
        self.version = version
        self.namespace = namespace
        self.changes = changes
        self.stop = stop
        self.response = None

    def run(self):
        failures = 0
        while not self.stop.is_set():
            try:
                self.watch()
                failures = 0
            except Gone:
                self.resync()
            except ApiException as exc:
                if exc.status == 410:
                    self.resync()
                else:
                    return self.fail(exc)
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                if self.stop.is_set():
                    return
                failures += 1
                if failures > RETRIES:
                    return self.fail(exc)
                log.info("watch of %s interrupted (%s); resuming", self.kind.resource, exc)
                self.stop.wait(2 ** (failures - 1))

    def watch(self) -> None:
        response = self.list_function(
            watch=True, resource_version=self.version, allow_watch_bookmarks=True, timeout_seconds=WATCH_SECONDS,
            _preload_content=False, _request_timeout=(TIMEOUT[0], WATCH_SECONDS + 30),
        )
        self.response = response
        try:
            for line in iter_resp_lines(response):
                if self.stop.is_set():
                    return
                if line:
                    self.handle(json.loads(line))
        finally:
            self.response = None
            response.release_conn()

    def handle(self, event: dict) -> None:
        obj = event.get("object") or {}
        if event.get("type") == "ERROR":
            if obj.get("code") == 410:
                raise Gone()
            raise ApiException(status=obj.get("code"), reason=obj.get("reason"), body=json.dumps(obj))
        self.version = (obj.get("metadata") or {}).get("resourceVersion") or self.version
        if event.get("type") in ("ADDED", "MODIFIED", "DELETED"):
            self.changes.put(Change(self.kind, event["type"], obj))

    def resync(self) -> None:
        try:
            objects, self.version = list_all(self.list_function)
        except (ApiException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            return self.fail(exc)
        self.changes.put(Change(self.kind, "RESYNC", namespace=self.namespace, objects=objects))

    def fail(self, exc: BaseException) -> None:
        if not self.stop.is_set():
            self.changes.put(Change(self.kind, "FAILED", namespace=self.namespace, error=exc))

    def halt(self) -> None:
        """Unblock a watch waiting for the next event (the stop event is set by the owner)."""
        sock = getattr(getattr(self.response, "connection", None), "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
