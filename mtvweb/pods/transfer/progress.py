"""Progress: a log line every ~10 %, and the Pod's own annotation `mtvweb.io/progress`

    {"bytesDone": n, "total": size, "bytesWritten": w, "updated": <unix seconds>}

patched through the Kubernetes API (in-cluster config, POD_NAME / POD_NAMESPACE) by a
background thread at most once per second, and once more at the end. A failing patch is
logged once and otherwise ignored: the copy goes on.
"""

from __future__ import annotations

import json
import threading
import time

from mtvweb.pods.transfer.common import log, mib

ANNOTATION = "mtvweb.io/progress"


class PodAnnotator:
    def __init__(self, patch, interval: float = 1.0, clock=time.time):
        self.patch = patch  # patch(body: dict) -> None
        self.interval = interval
        self.clock = clock
        self.lock = threading.Lock()
        self.state: tuple[int, int, int] | None = None  # (done, total, written) not yet sent
        self.failed = False
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="progress", daemon=True)

    @classmethod
    def from_environment(cls, env) -> PodAnnotator | None:
        name, namespace = env.get("POD_NAME"), env.get("POD_NAMESPACE")
        if not (name and namespace):
            return None
        try:
            from kubernetes import client, config

            config.load_incluster_config()
            api = client.CoreV1Api()
        except Exception as exc:  # not in a cluster, no token: no annotation, the copy goes on
            log(f"progress will not be shown on the Pod: {type(exc).__name__}: {str(exc)[:200]}")
            return None

        def patch(body: dict) -> None:
            api.patch_namespaced_pod(name, namespace, body, _request_timeout=5,
                                     _content_type="application/merge-patch+json")

        return cls(patch)

    def start(self) -> PodAnnotator:
        self.thread.start()
        return self

    def update(self, done: int, total: int, written: int) -> None:
        with self.lock:
            self.state = (done, total, written)

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            self._send()

    def _send(self) -> None:
        with self.lock:
            state, self.state = self.state, None
        if state is None:
            return
        done, total, written = state
        value = {"bytesDone": done, "total": total, "bytesWritten": written, "updated": round(self.clock(), 3)}
        try:
            self.patch({"metadata": {"annotations": {ANNOTATION: json.dumps(value)}}})
        except Exception as exc:
            if not self.failed:
                self.failed = True
                status = getattr(exc, "status", None)
                log(f"cannot update the Pod's progress annotation ({status or type(exc).__name__}); "
                    "the copy goes on")

    def close(self) -> None:
        """Stop the thread and send the last state."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)
        self._send()


class Progress:
    """What the copy loop reports to: log lines at every ~10 % and the annotator."""

    def __init__(self, total: int, start: int, annotator: PodAnnotator | None, clock=time.monotonic):
        self.total, self.start = total, start
        self.annotator = annotator
        self.clock = clock
        self.began = clock()
        self.next_tenth = (start * 10 // total + 1) if total else 10

    def update(self, done: int, written: int) -> None:
        if self.annotator:
            self.annotator.update(done, self.total, written)
        if self.total and done * 10 >= self.next_tenth * self.total and done < self.total:
            self.next_tenth = done * 10 // self.total + 1
            log(f"{done * 100 // self.total}%: {mib(done)} of {mib(self.total)}, {self.rate(done):.1f} MiB/s, "
                f"{mib(written)} written")

    def rate(self, done: int) -> float:
        seconds = max(self.clock() - self.began, 1e-6)
        return (done - self.start) / seconds / (1 << 20)

    def finish(self, done: int, written: int) -> None:
        if self.annotator:
            self.annotator.update(done, self.total, written)
            self.annotator.close()
