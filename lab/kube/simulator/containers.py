"""One run of one container: the bwrap process, its log file and its exit record."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from lab.kube.simulator.events import now

BACKOFF_START, BACKOFF_MAX = 1.0, 30.0


@dataclass
class ContainerRun:
    """A container of a Pod across its restarts (restart_count numbers the runs)."""

    spec: dict
    init: bool
    logs_dir: Path
    restart_count: int = 0
    proc: subprocess.Popen | None = None
    app_pid: int | None = None
    started_at: str | None = None
    state: dict = field(default_factory=lambda: {"waiting": {"reason": "ContainerCreating"}})
    last_state: dict = field(default_factory=dict)
    done: bool = False  # finished and will not run again
    restart_at: float | None = None
    backoff: float = BACKOFF_START
    termination_log: Path | None = None

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_path(self) -> Path:
        return self.logs_dir / self.name / f"{self.restart_count}.log"

    def start(self, argv_for, env: dict[str, str], termination_log: Path) -> None:
        """Start the process; argv_for(info_fd) builds the bwrap command line."""
        log_path = self.log_path()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        termination_log.parent.mkdir(parents=True, exist_ok=True)
        termination_log.write_bytes(b"")
        self.termination_log = termination_log
        read_fd, write_fd = os.pipe()
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                argv_for(write_fd),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        os.close(write_fd)
        self.app_pid = _read_child_pid(read_fd)
        self.started_at = now()
        self.state = {"running": {"startedAt": self.started_at}}
        self.restart_at = None

    def collect_exit(self) -> dict | None:
        """If the process ended, record how (state.terminated) and return that record."""
        if self.proc is None or self.proc.poll() is None:
            return None
        code = self.proc.returncode
        try:  # the container is over: nothing it started may outlive it (a runtime kills the cgroup)
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if code < 0:  # killed by a signal: report it the way container runtimes do
            code = 128 - code
        terminated = {
            "exitCode": code,
            "reason": "Completed" if code == 0 else "Error",
            "startedAt": self.started_at,
            "finishedAt": now(),
            "containerID": self.container_id,
        }
        message = self._termination_message(code)
        if message:
            terminated["message"] = message
        self.proc = None
        self.app_pid = None
        self.state = {"terminated": terminated}
        self.log_path().with_suffix(".exit").write_text(json.dumps(terminated))
        return terminated

    def _termination_message(self, code: int) -> str:
        message = ""
        if self.termination_log and self.termination_log.exists():
            message = self.termination_log.read_bytes()[:4096].decode(errors="replace")
        if not message and code != 0 and self.spec.get("terminationMessagePolicy") == "FallbackToLogsOnError":
            lines = self.log_path().read_bytes().splitlines()[-80:]
            message = b"\n".join(lines)[-2048:].decode(errors="replace")
        return message

    @property
    def container_id(self) -> str:
        return f"lab://{self.logs_dir.parent.name[-12:]}-{self.name}-{self.restart_count}"

    def terminate(self) -> None:
        """SIGTERM to the container's main process (like a runtime's StopContainer)."""
        if self.running and self.app_pid:
            try:
                os.kill(self.app_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        if self.running:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def prepare_restart(self, delay: float, when: float) -> None:
        self.last_state = self.state
        self.restart_count += 1
        self.restart_at = when + delay
        self.state = {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off {int(delay)}s restarting failed container={self.name}",
            }
        }


def _read_child_pid(read_fd: int) -> int | None:
    """bwrap reports the sandboxed process's host pid as JSON on --info-fd."""
    chunks = []
    with os.fdopen(read_fd, "rb") as f:
        while True:
            chunk = f.read(4096)
            if not chunk:
                break
            chunks.append(chunk)
            try:
                return json.loads(b"".join(chunks)).get("child-pid")
            except ValueError:
                continue
    return None
