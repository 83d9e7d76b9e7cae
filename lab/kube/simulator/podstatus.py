"""The PodStatus a kubelet would report for a PodRun."""

from __future__ import annotations

import hashlib

from lab.kube.simulator.events import now


def _condition(kind: str, ok: bool, since: str, reason: str | None = None) -> dict:
    condition = {
        "type": kind,
        "status": "True" if ok else "False",
        "lastProbeTime": None,
        "lastTransitionTime": since,
    }
    if reason and not ok:
        condition["reason"] = reason
    return condition


def container_status(container) -> dict:
    image = container.spec.get("image", "")
    status = {
        "name": container.name,
        "image": image,
        "imageID": "lab://sha256:" + hashlib.sha256(image.encode()).hexdigest(),
        "ready": "running" in container.state,
        "started": "running" in container.state,
        "restartCount": container.restart_count,
        "state": container.state,
        "lastState": container.last_state,
    }
    if container.started_at:
        status["containerID"] = container.container_id
    return status


def pod_status(run) -> dict:
    """Phase, conditions and container statuses; transition times kept while unchanged."""
    init_done = all(c.done for c in run.init)
    ready = run.phase == "Running" and all("running" in c.state for c in run.main)
    previous = {c["type"]: c for c in (run.last_status or {}).get("conditions", [])}
    stamp = now()

    def since(kind: str, ok: bool) -> str:
        old = previous.get(kind)
        return old["lastTransitionTime"] if old and (old["status"] == "True") == ok else stamp

    conditions = [
        _condition(
            "PodReadyToStartContainers",
            run.volumes is not None,
            since("PodReadyToStartContainers", run.volumes is not None),
        ),
        _condition("Initialized", init_done, since("Initialized", init_done), "ContainersNotInitialized"),
        _condition(
            "Ready", ready, since("Ready", ready), "PodCompleted" if run.terminal else "ContainersNotReady"
        ),
        _condition(
            "ContainersReady",
            ready,
            since("ContainersReady", ready),
            "PodCompleted" if run.terminal else "ContainersNotReady",
        ),
    ]
    status = {
        "phase": run.phase,
        "conditions": conditions,
        "hostIP": "127.0.0.1",
        "hostIPs": [{"ip": "127.0.0.1"}],
        "podIP": "127.0.0.1",
        "podIPs": [{"ip": "127.0.0.1"}],
        "startTime": run.start_time,
        "containerStatuses": [container_status(c) for c in run.main],
        "reason": run.reason,
        "message": run.message,
    }
    if run.init:
        status["initContainerStatuses"] = [container_status(c) for c in run.init]
    return status
