"""The kubelet's Pod lifecycle for Pods the real scheduler bound to the simulated nodes.

Pods whose containers all use this project's image run as local processes (see
sandbox.py); any other image stays Pending with ErrImagePull, as on a cluster that cannot
pull it. Status follows the kubelet: phase Pending → Running → Succeeded/Failed,
container states with exit codes, restartPolicy with back-off, activeDeadlineSeconds,
and graceful deletion (SIGTERM, grace period, SIGKILL, then the final delete).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from lab.kube.simulator.config import Config
from lab.kube.simulator.containers import BACKOFF_MAX, ContainerRun
from lab.kube.simulator.events import EventRecorder, now
from lab.kube.simulator.podstatus import pod_status
from lab.kube.simulator.sandbox import ContainerConfigError, Sandbox
from lab.kube.simulator.volumes import VolumeBuilder, VolumeNotReady

log = logging.getLogger(__name__)

LOST_MESSAGE = "The container could not be located when the pod was terminated"


class PodRun:
    def __init__(self, pod: dict, directory: Path):
        self.pod = pod
        self.directory = directory
        logs = directory / "logs"
        self.init = [ContainerRun(c, True, logs) for c in pod["spec"].get("initContainers") or []]
        self.main = [ContainerRun(c, False, logs) for c in pod["spec"]["containers"]]
        self.volumes = None
        self.start_time = (pod.get("status") or {}).get("startTime") or now()
        self.started_monotonic = time.monotonic()
        self.phase = "Pending"
        self.reason = self.message = None
        self.retry_at = 0.0
        self.stop_deadline: float | None = None  # set once deletion started
        self.last_status: dict | None = None
        self.warned: set[str] = set()
        self.frozen = False

    @property
    def uid(self) -> str:
        return self.pod["metadata"]["uid"]

    @property
    def containers(self) -> list[ContainerRun]:
        return self.init + self.main

    @property
    def terminal(self) -> bool:
        return self.phase in ("Succeeded", "Failed")


class PodRunner:
    def __init__(self, config: Config):
        self.config = config
        self.api = config.api_client()
        self.core = client.CoreV1Api(self.api)
        self.events = EventRecorder(self.api, "kubelet")
        self.node_names = {n.name for n in config.nodes}
        self.runs: dict[str, PodRun] = {}
        self.lock = threading.RLock()
        self.allocatable = {"cpu": config.node_cpu, "memory": config.node_memory}

    # --- watch side ----------------------------------------------------------------------

    def on_pod(self, kind: str, pod: dict) -> None:
        if pod["spec"].get("nodeName") not in self.node_names:
            return
        uid = pod["metadata"]["uid"]
        with self.lock:
            run = self.runs.get(uid)
            if kind == "DELETED":
                if run:
                    self._discard(run)
                return
            if run:
                run.pod = pod
                if pod["metadata"].get("deletionTimestamp") and run.stop_deadline is None:
                    self._begin_stop(run)
                return
            self._adopt(pod)

    def resync(self, pods: list[dict]) -> None:
        alive = {p["metadata"]["uid"] for p in pods}
        with self.lock:
            for uid in list(self.runs):
                if uid not in alive:
                    self._discard(self.runs[uid])
            # Directories of Pods deleted while the simulator was not running.
            for directory in self.config.pods_dir.iterdir():
                if directory.name.rsplit("_", 1)[-1] not in alive:
                    shutil.rmtree(directory, ignore_errors=True)

    def _adopt(self, pod: dict) -> None:
        meta, status = pod["metadata"], pod.get("status") or {}
        directory = self.config.pods_dir / f"{meta['namespace']}_{meta['name']}_{meta['uid']}"
        run = PodRun(pod, directory)
        self.runs[run.uid] = run
        if status.get("phase") in ("Succeeded", "Failed"):
            run.phase = status["phase"]
            run.frozen = True  # finished before this simulator started: leave its status alone
        elif status.get("startTime"):
            # Started before a restart of the simulator, but its processes are gone.
            self._mark_lost(run, status)
        if meta.get("deletionTimestamp"):
            self._begin_stop(run)

    def _mark_lost(self, run: PodRun, status: dict) -> None:
        previous = {
            s["name"]: s
            for s in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
        }
        for container in run.containers:
            old = previous.get(container.name, {})
            container.restart_count = old.get("restartCount", 0)
            if "terminated" in (old.get("state") or {}):
                container.state = old["state"]
                container.done = True
                continue
            container.state = {
                "terminated": {"exitCode": 137, "reason": "ContainerStatusUnknown", "message": LOST_MESSAGE}
            }
            if run.pod["spec"].get("restartPolicy", "Always") == "Never":
                container.done = True
            else:
                container.prepare_restart(0, time.monotonic())
        if all(c.done for c in run.containers):
            run.phase = "Failed"
        run.directory.mkdir(parents=True, exist_ok=True)

    # --- the loop --------------------------------------------------------------------------

    def tick(self) -> None:
        with self.lock:
            for run in list(self.runs.values()):
                try:
                    self._step(run)
                    self._publish(run)
                except ApiException as exc:
                    if exc.status == 404:
                        self._discard(run)
                    else:
                        log.warning("pod %s: API error %s", run.pod["metadata"]["name"], exc.reason)
                except Exception:  # noqa: BLE001 - one Pod's trouble must not stop the others
                    log.exception(
                        "pod %s/%s failed to step",
                        run.pod["metadata"]["namespace"],
                        run.pod["metadata"]["name"],
                    )

    def _step(self, run: PodRun) -> None:
        if run.stop_deadline is None and run.frozen:
            return
        if run.stop_deadline is not None:
            self._step_stopping(run)
            return
        for container in run.containers:
            if container.collect_exit() is not None:
                self._after_exit(run, container)
        if run.terminal:
            return
        if self._deadline_exceeded(run):
            return
        if not self._images_ok(run) or not self._volumes_ready(run):
            return
        self._start_due(run)
        self._update_phase(run)

    def _images_ok(self, run: PodRun) -> bool:
        ok = True
        for container in run.containers:
            image = container.spec.get("image", "")
            if not self.config.image_runs_here(image):
                message = (
                    f'Failed to pull image "{image}": the mtvweb lab runs only the mtvweb image '
                    f"(images matching {self.config.image_pattern})"
                )
                container.state = {"waiting": {"reason": "ErrImagePull", "message": message}}
                self._warn_once(run, "Failed", message)
                ok = False
        return ok

    def _volumes_ready(self, run: PodRun) -> bool:
        if run.volumes is not None:
            return True
        if time.monotonic() < run.retry_at:
            return False
        try:
            run.directory.mkdir(parents=True, exist_ok=True)
            run.volumes = VolumeBuilder(self.api, run.pod, run.directory, self.allocatable).build_all()
            return True
        except VolumeNotReady as exc:
            run.retry_at = time.monotonic() + 2
            self._warn_once(run, "FailedMount", f"MountVolume.SetUp failed: {exc}")
            return False

    def _start_due(self, run: PodRun) -> None:
        now_ = time.monotonic()
        for container in run.init:
            if container.done:
                continue
            if not container.running and (container.restart_at is None or container.restart_at <= now_):
                self._start(run, container)
            return  # init containers run one after another; the main ones wait for all
        for container in run.main:
            if not container.done and not container.running:
                if container.restart_at is None or container.restart_at <= now_:
                    self._start(run, container)

    def _start(self, run: PodRun, container: ContainerRun) -> None:
        sandbox = Sandbox(self.config, self.api, run.pod, run.directory, self.allocatable)
        try:
            env = sandbox.environment(container.spec)
            command = sandbox.argv(container.spec, env)
            termination_log = run.directory / "termination" / f"{container.name}-{container.restart_count}"
            container.start(
                lambda fd: sandbox.bwrap(container.spec, run.volumes, termination_log, fd, command),
                env,
                termination_log,
            )
        except (ContainerConfigError, VolumeNotReady) as exc:
            container.state = {"waiting": {"reason": "CreateContainerConfigError", "message": str(exc)}}
            container.restart_at = time.monotonic() + 2
            self._warn_once(run, "Failed", f"Error: {exc}")
            return
        self.events.record(run.pod, "Pod", "Normal", "Started", f"Started container {container.name}")

    def _after_exit(self, run: PodRun, container: ContainerRun) -> None:
        code = container.state["terminated"]["exitCode"]
        policy = run.pod["spec"].get("restartPolicy", "Always")
        restart = policy == "Always" or (policy == "OnFailure" and code != 0)
        if container.init:
            restart = code != 0 and policy != "Never"
            if code != 0 and policy == "Never":
                run.phase, run.reason = "Failed", None
        if restart:
            delay = container.backoff
            container.backoff = min(container.backoff * 2, BACKOFF_MAX)
            container.prepare_restart(delay, time.monotonic())
        else:
            container.done = True
        if run.phase == "Failed":
            for other in run.containers:
                other.done = True

    def _deadline_exceeded(self, run: PodRun) -> bool:
        deadline = run.pod["spec"].get("activeDeadlineSeconds")
        if deadline is None or time.monotonic() - run.started_monotonic < deadline:
            return False
        for container in run.containers:
            container.kill()
            container.collect_exit()
            container.done = True
        run.phase, run.reason = "Failed", "DeadlineExceeded"
        run.message = "Pod was active on the node longer than the specified deadline"
        self.events.record(run.pod, "Pod", "Normal", "DeadlineExceeded", run.message)
        return True

    def _update_phase(self, run: PodRun) -> None:
        if run.phase == "Failed":
            return
        if any(not c.done for c in run.init) or any(c.started_at is None for c in run.main):
            run.phase = "Pending"
        elif all(c.done for c in run.main):
            codes = [c.state["terminated"]["exitCode"] for c in run.main]
            run.phase = "Succeeded" if all(code == 0 for code in codes) else "Failed"
        else:
            run.phase = "Running"

    # --- deletion --------------------------------------------------------------------------

    def _begin_stop(self, run: PodRun) -> None:
        grace = run.pod["metadata"].get("deletionGracePeriodSeconds")
        if grace is None:
            grace = run.pod["spec"].get("terminationGracePeriodSeconds", 30)
        run.stop_deadline = time.monotonic() + grace
        for container in run.containers:
            container.terminate()

    def _step_stopping(self, run: PodRun) -> None:
        for container in run.containers:
            container.collect_exit()
        if any(c.running for c in run.containers):
            if time.monotonic() >= run.stop_deadline:
                for container in run.containers:
                    container.kill()
            return
        meta = run.pod["metadata"]
        try:
            self.core.delete_namespaced_pod(
                meta["name"],
                meta["namespace"],
                grace_period_seconds=0,
                body=client.V1DeleteOptions(
                    grace_period_seconds=0, preconditions=client.V1Preconditions(uid=meta["uid"])
                ),
            )
        except ApiException as exc:
            if exc.status not in (404, 409):
                raise
        # The DELETED event (or the next resync) discards the run.

    def _discard(self, run: PodRun) -> None:
        for container in run.containers:
            container.kill()
        shutil.rmtree(run.directory, ignore_errors=True)
        self.runs.pop(run.uid, None)

    # --- status ----------------------------------------------------------------------------

    def _publish(self, run: PodRun) -> None:
        if run.frozen or (run.stop_deadline is not None and not any(c.running for c in run.containers)):
            return
        status = pod_status(run)
        if status == run.last_status:
            return
        meta = run.pod["metadata"]
        self.core.patch_namespaced_pod_status(meta["name"], meta["namespace"], {"status": status})
        run.last_status = status

    def _warn_once(self, run: PodRun, reason: str, message: str) -> None:
        if message not in run.warned:
            run.warned.add(message)
            self.events.record(run.pod, "Pod", "Warning", reason, message)
