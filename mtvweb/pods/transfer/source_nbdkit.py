"""`--source-kind nbdkit`: the transfer runs nbdkit itself and reads the disk through it.

    --source-kind nbdkit --nbdkit-plugin vddk --nbdkit-arg server=… --nbdkit-arg file=…

`nbdkit --exit-with-parent -r -U <socket> -f PLUGIN args…` listens on a Unix socket in a
private directory; the copy reads it with the NBD client of source_nbd.py; nbdkit is stopped at
the end (and dies with the transfer if that is killed). A password (the vddk plugin's) comes
from SOURCE_PASSWORD and reaches nbdkit only as `password=+<file>`, a 0600 file in that
directory that is removed as soon as nbdkit has read it; nbdkit gets no SOURCE_* variable.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time

from mtvweb.pods.transfer.common import TransferError, add_secret, log
from mtvweb.pods.transfer.source_nbd import NbdSource


class Nbdkit:
    """`nbdkit PLUGIN args…` on a Unix socket in a private directory, for the length of the copy."""

    def __init__(self, plugin: str, args: list[str], env, timeout: float = 60.0):
        self.plugin, self.process = plugin, None
        executable = shutil.which("nbdkit")
        if not executable:
            raise TransferError("nbdkit is not installed in this image: it is needed for --source-kind nbdkit")
        for arg in args:
            key, equals, value = arg.partition("=")
            if not equals or not key:
                raise TransferError(f"--nbdkit-arg takes key=value, not {arg!r}")
            if key == "password" and not value.startswith("+"):
                raise TransferError("a password never goes on the command line: give it in SOURCE_PASSWORD")
        self.directory = tempfile.mkdtemp(prefix="mtvweb-nbdkit-")  # 0700
        self.socket = os.path.join(self.directory, "nbdkit.sock")
        self.log_path = os.path.join(self.directory, "nbdkit.log")
        password_file = None
        password = env.get("SOURCE_PASSWORD", "")
        if password and not any(arg.startswith("password=") for arg in args):
            add_secret(password)
            password_file = os.path.join(self.directory, "password")
            with open(os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
                f.write(password)
            args = [*args, f"password=+{password_file}"]
        command = [executable, "--exit-with-parent", "-r", "-U", self.socket, "-f", plugin, *args]
        try:
            with open(self.log_path, "w") as output:
                # nbdkit gets neither the password nor the rest of the environment's secrets
                quiet = {k: v for k, v in env.items() if not k.startswith("SOURCE_")}
                self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                                env=quiet)
            log(f"nbdkit {plugin} started (pid {self.process.pid}) on {self.socket}")
            self._wait(timeout)
        except BaseException:
            self.stop()
            raise
        finally:
            if password_file and os.path.exists(password_file):
                os.unlink(password_file)  # nbdkit read it while it configured the plugin

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise TransferError(self.failure(f"nbdkit {self.plugin} stopped as it started "
                                                 f"(exit status {self.process.returncode})"))
            if os.path.exists(self.socket):
                probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    probe.connect(self.socket)
                    return
                except OSError:
                    pass
                finally:
                    probe.close()
            if time.monotonic() > deadline:
                raise TransferError(self.failure(f"nbdkit {self.plugin} did not open its socket within {timeout:g} s"))
            time.sleep(0.05)

    def errors(self) -> str:
        """nbdkit's last error line, without its prefix."""
        try:
            with open(self.log_path, errors="replace") as f:
                lines = [line.strip() for line in f if line.strip()]
        except OSError:
            return ""
        errors = [line for line in lines if "error:" in line] or lines
        return errors[-1].split("error:", 1)[-1].strip() if errors else ""

    def failure(self, what: str) -> str:
        detail = self.errors()
        if "cannot open plugin" in detail:
            return (f"{what}: this image's nbdkit has no {self.plugin} plugin ({detail}); "
                    f"use an image whose nbdkit has it")
        if self.plugin == "vddk" and ("libvixDiskLib" in detail or "realpath" in detail):
            return (f"{what}: VMware's VDDK library is not in this Pod ({detail}). Set the vSphere "
                    "provider's VDDK init image (vddkInitImage) to an image that copies the VDDK into "
                    "/opt/vmware-vix-disklib-distrib (guide §2.7.1), or clear it to copy disks over HTTPS")
        return f"{what}: {detail}" if detail else what

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


class NbdkitSource(NbdSource):
    def __init__(self, plugin: str, args: list[str], size: int, *, env, timeout: float = 60.0, **kwargs):
        self.nbdkit = Nbdkit(plugin, args, env, timeout)
        settings = dict(arg.split("=", 1) for arg in args)
        where = settings.get("file") or settings.get("url", "").split("?")[0] or (args[0] if args else "")
        host = settings.get("server") or f"nbdkit {plugin}"
        try:
            super().__init__(("unix", self.nbdkit.socket), "", size, host=host,
                             label=f"nbdkit {plugin}: {where}".strip(), timeout=timeout, **kwargs)
        except BaseException:
            self.nbdkit.stop()
            raise

    def open_failure(self, reason: str) -> str:
        detail = self.nbdkit.errors()  # why the plugin refused, e.g. a wrong password or file name
        return f"nbdkit {self.plugin_name} could not open the disk: {detail or reason}"

    def _fill(self, chunk, position: int, end: int) -> None:
        if not self.nbdkit.running:  # nothing to reconnect to
            raise TransferError(self.nbdkit.failure(f"nbdkit {self.plugin_name} stopped at byte {position} "
                                                    f"(exit status {self.nbdkit.process.returncode})"))
        super()._fill(chunk, position, end)

    @property
    def plugin_name(self) -> str:
        return self.nbdkit.plugin

    def describe_failure(self, position: int, retries: str, reason: str) -> str:
        detail = self.nbdkit.errors()
        return (f"could not read through nbdkit {self.plugin_name} ({self.host}) at byte {position} of {self.size} "
                f"after {retries}: {reason}" + (f"; nbdkit says: {detail}" if detail else ""))

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.nbdkit.stop()
            log(f"nbdkit {self.plugin_name} stopped")
