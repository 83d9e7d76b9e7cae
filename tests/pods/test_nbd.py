"""`--source-kind nbdkit` and `--source-kind nbd`: the transfer Pod reading through Debian's
real nbdkit (the file and curl plugins stand in for vddk, which the lab cannot have), and as
a plain NBD client of an nbdkit the test starts: on a Unix socket and over TCP, with
structured or simple replies, with or without fixed newstyle, block sizes and injected EIO."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.pods.diskserver import DiskServer
from tests.pods.test_transfer import EXTENTS, PASSWORD, SIZE, allocated, file_blake3, transfer

MIB = 1 << 20
DATA = sum(length for _, length in EXTENTS)

def started(run) -> tuple[int, Path]:
    """The pid and the private directory of the nbdkit the transfer started, from its log."""
    match = re.search(r"nbdkit \S+ started \(pid (\d+)\) on (\S+)/nbdkit\.sock", run.stderr)
    assert match, run.stderr
    return int(match[1]), Path(match[2])


def gone(pid: int, wait: float = 5.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True  # dead, waiting for whoever adopted it to reap it
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def nbdkit_args(disk, target, *extra):
    return ["--source-kind", "nbdkit", "--nbdkit-plugin", "file", "--nbdkit-arg", f"file={disk}",
            "--target", target, "--size", SIZE, "--retry-wait", "0.2", *extra]


def test_nbdkit_file_plugin_copies_sparse_verified_and_stops(disk, tmp_path):
    target = tmp_path / "pvc" / "disk.img"
    target.parent.mkdir()
    run = transfer(*nbdkit_args(disk, target, "--disk-id", "disk-2000"))
    assert run.rc == 0, run.stderr
    assert run.result["blake3"] == file_blake3(disk) == file_blake3(target)
    assert run.result["bytesRead"] == SIZE and DATA <= run.result["bytesWritten"] <= 1.05 * allocated(disk)
    assert allocated(target) <= 1.05 * allocated(disk) < SIZE / 2  # the holes stayed holes
    assert "structured replies, block status" in run.stderr
    # block status: the holes were never read, only (about) the data went over the socket
    read = float(re.search(r"([\d.]+) MiB read over NBD", run.stderr)[1]) * MIB
    assert DATA <= read <= DATA + 2 * MIB
    pid, directory = started(run)
    assert gone(pid) and not directory.exists()
    assert "nbdkit file stopped" in run.stderr


def test_a_wrong_file_fails_clearly_and_leaves_nothing(tmp_path):
    missing = tmp_path / "no-such-disk.raw"
    run = transfer(*nbdkit_args(missing, tmp_path / "disk.img", "--termination-log", tmp_path / "term"))
    assert run.rc == 1
    assert run.error.startswith("error: nbdkit file stopped as it started (exit status 1): ")
    assert str(missing) in run.error and "No such file or directory" in run.error
    assert "Traceback" not in run.stderr
    assert (tmp_path / "term").read_text() == run.error
    pid, directory = started(run)
    assert gone(pid) and not directory.exists()


@pytest.mark.skipif(os.path.exists("/usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-vddk-plugin.so"),
                    reason="this nbdkit has a vddk plugin")
def test_vddk_without_the_plugin_says_so(tmp_path):
    """Debian's nbdkit ships no vddk plugin: the transfer says what is missing, not a traceback."""
    run = transfer("--source-kind", "nbdkit", "--nbdkit-plugin", "vddk",
                   "--nbdkit-arg", "libdir=/opt/vmware-vix-disklib-distrib", "--nbdkit-arg", "server=vc.example",
                   "--nbdkit-arg", "vm=moref=vm-42", "--nbdkit-arg", "file=[ds1] vm/vm.vmdk",
                   "--target", tmp_path / "disk.img", "--size", SIZE, env={"SOURCE_PASSWORD": PASSWORD})
    assert run.rc == 1
    assert "this image's nbdkit has no vddk plugin" in run.error
    pid, directory = started(run)
    assert gone(pid) and not directory.exists()


def test_a_password_on_the_command_line_is_refused(disk, tmp_path):
    run = transfer(*nbdkit_args(disk, tmp_path / "disk.img", "--nbdkit-arg", "password=hunter2-x"))
    assert run.rc == 1 and "give it in SOURCE_PASSWORD" in run.error
    assert "hunter2-x" not in run.error


def head(self):
    """HEAD for the disk server (nbdkit's curl plugin asks for the size that way)."""
    if not self._authorized():
        return self._empty(401, {"WWW-Authenticate": 'Basic realm="datastore"'})
    self.send_response(200)
    self.send_header("Content-Length", str(self.owner.size))
    self.send_header("Accept-Ranges", "bytes")
    self.end_headers()


def test_password_reaches_nbdkit_only_through_a_private_file(disk, tmp_path):
    """The curl plugin reads its password with nbdkit_read_password, as vddk does: SOURCE_PASSWORD
    becomes password=+<0600 file>, never an argument; a wrong one fails with nbdkit's reason."""
    real = shutil.which("nbdkit")
    spy = tmp_path / "bin" / "nbdkit"
    spy.parent.mkdir()
    record = tmp_path / "argv"
    spy.write_text(f"""#!/bin/sh
printf '%s\\n' "$@" > {record}
for arg; do case "$arg" in password=+*) stat -c %a "${{arg#password=+}}" >> {record};; esac; done
exec {real} "$@"
""")
    spy.chmod(0o755)
    env = {"PATH": f"{spy.parent}:{os.environ['PATH']}"}
    with DiskServer(disk, user="nbd-reader", password=PASSWORD) as server:
        server.httpd.RequestHandlerClass = type("Head", (server.httpd.RequestHandlerClass,), {"do_HEAD": head})
        args = ["--source-kind", "nbdkit", "--nbdkit-plugin", "curl", "--nbdkit-arg", f"url={server.url}",
                "--nbdkit-arg", "user=nbd-reader", "--target", tmp_path / "a.img", "--size", SIZE]
        run = transfer(*args, env={**env, "SOURCE_PASSWORD": PASSWORD})
        assert run.rc == 0, run.stderr
        assert run.result["blake3"] == file_blake3(disk)
        argv = record.read_text().splitlines()
        assert PASSWORD not in "\n".join(argv)
        password_args = [a for a in argv if a.startswith("password=")]
        assert len(password_args) == 1 and password_args[0].startswith("password=+/")
        assert argv[-1] == "600"  # the file's mode, as nbdkit saw it
        assert argv[:5] == ["--exit-with-parent", "-r", "-U", argv[3], "-f"] and argv[5] == "curl"
        _, directory = started(run)
        assert not directory.exists()

        args[-3] = tmp_path / "b.img"
        wrong = transfer(*args, env={**env, "SOURCE_PASSWORD": "not-the-password"})
        assert wrong.rc == 1
        assert wrong.error.startswith("error: nbdkit curl could not open the disk: ")
        assert "401" in wrong.error and "not-the-password" not in wrong.stderr


def test_killed_transfer_takes_nbdkit_with_it_and_resumes(disk, tmp_path):
    """A Pod killed mid-copy: nbdkit goes too (--exit-with-parent); the next run resumes."""
    target = tmp_path / "disk.img"
    args = nbdkit_args(disk, target, "--chunk-size", MIB, "--checkpoint-every", 4, "--resume")
    killed = transfer(*args, "--stop-after-chunks", 10)
    assert killed.rc == 3
    pid, directory = started(killed)
    assert gone(pid)
    shutil.rmtree(directory, ignore_errors=True)  # what an exiting container's /tmp does
    run = transfer(*args)
    assert run.rc == 0, run.stderr
    assert run.result["resumedFrom"] == 8 * MIB
    assert run.result["blake3"] == file_blake3(disk) == file_blake3(target)


class Server:
    """An nbdkit the test starts, serving the disk on a Unix socket or a TCP port."""

    def __init__(self, disk, tmp_path, *options, tcp=False, plugin_args=()):
        self.socket = tmp_path / "nbd.sock"
        if tcp:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
            listen = ["-i", "127.0.0.1", "-p", str(self.port)]
            self.uri = f"nbd://127.0.0.1:{self.port}"
        else:
            listen = ["-U", self.socket]
            self.uri = f"nbd+unix:///?socket={self.socket}"
        self.log = tmp_path / "nbdkit.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(["nbdkit", "-r", "-f", *listen, *options, "file", f"file={disk}",
                                             *plugin_args], stdout=out, stderr=out)
        deadline = time.monotonic() + 10
        while not self._ready(tcp):
            assert self.process.poll() is None and time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.05)

    def _ready(self, tcp) -> bool:
        try:
            if tcp:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            else:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.connect(str(self.socket))
            return True
        except OSError:
            return False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(10)


def nbd_args(uri, target, *extra):
    return ["--source-kind", "nbd", "--uri", uri, "--target", target, "--size", SIZE, "--retry-wait", "0.2", *extra]


@pytest.mark.parametrize("options, says", [
    ((), "structured replies, block status"),
    (("--no-sr",), "simple replies, no block status"),  # NBD_OPT_GO, simple replies, every byte read
    (("--mask-handshake=0",), "simple replies, no block status"),  # plain newstyle: NBD_OPT_EXPORT_NAME
])
def test_nbd_client_on_a_unix_socket(disk, tmp_path, options, says):
    target = tmp_path / "disk.img"
    with Server(disk, tmp_path, *options) as server:
        run = transfer(*nbd_args(server.uri, target))
    assert run.rc == 0, run.stderr
    assert says in run.stderr
    assert run.result["blake3"] == file_blake3(disk) == file_blake3(target)
    assert allocated(target) <= 1.05 * allocated(disk)


def test_nbd_client_over_tcp_keeps_to_the_block_size(disk, tmp_path):
    """The server wants 64 KiB-aligned requests (and fails any other): one extent of the disk
    starts 4 KiB past a MiB, so the reads around it must be rounded to the block size."""
    target = tmp_path / "disk.img"
    policy = ("blocksize-minimum=64K", "blocksize-preferred=64K", "blocksize-error-policy=error")
    with Server(disk, tmp_path, "--filter=blocksize-policy", tcp=True, plugin_args=policy) as server:
        run = transfer(*nbd_args(server.uri, target))
    assert run.rc == 0, run.stderr
    assert run.result["retries"] == 0
    assert run.result["blake3"] == file_blake3(disk) == file_blake3(target)


def test_nbd_error_replies_are_retried(disk, tmp_path):
    target = tmp_path / "disk.img"
    errors = ("error-pread=EIO", "error-pread-rate=50%")  # 25% left about 1 run in 20 without an error
    with Server(disk, tmp_path, "--filter=error", plugin_args=errors) as server:
        run = transfer(*nbd_args(server.uri, target, "--chunk-size", MIB, "--retries", 12))
    assert run.rc == 0, run.stderr
    assert run.result["retries"] >= 1 and "the server answered EIO" in run.stderr
    assert run.result["blake3"] == file_blake3(disk) == file_blake3(target)


def test_nbd_server_gone_fails_with_the_byte(disk, tmp_path):
    with Server(disk, tmp_path) as server:
        pass
    run = transfer(*nbd_args(server.uri, tmp_path / "disk.img"))
    assert run.rc == 1
    assert run.error.startswith(f"error: cannot read the NBD export at {server.socket}: ")
    bad = transfer(*nbd_args("nbds://127.0.0.1/", tmp_path / "disk.img"))
    assert bad.rc == 1 and "not supported" in bad.error
