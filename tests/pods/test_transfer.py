"""The transfer Pod's entry point, `python -m mtvweb.pods.transfer`, run as a process against a
sparse disk served on 127.0.0.1 (tests/pods/diskserver.py) or read from a file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import blake3
import pytest

from tests.pods.diskserver import DiskServer

REPO = Path(__file__).resolve().parents[2]
MIB = 1 << 20
SIZE = 24 * MIB
# (offset, length): a boot area, extents on 64 KiB boundaries, one that is not, and the last MiB
EXTENTS = [(0, MIB), (5 * MIB + 64 * 1024, 3 * MIB), (13 * MIB + 4096, 5 * MIB // 2), (23 * MIB, MIB)]
DATA = sum(length for _, length in EXTENTS)
DROP_AT = 5 * MIB + 64 * 1024 + 1000  # inside the second extent
USER, PASSWORD = "xfer-user-q7", "pw-Secr3t-9f2k"
COOKIE = 'vmware_soap_session="c00kie-5ecret-77"'
SECRETS = (USER, PASSWORD, "c00kie-5ecret-77")


def file_blake3(path, size=None) -> str:
    hasher = blake3.blake3()
    with open(path, "rb") as f:
        hasher.update(f.read(size if size is not None else -1))
    return hasher.hexdigest()


def allocated(path) -> int:
    return os.stat(path).st_blocks * 512


class Run:
    def __init__(self, completed: subprocess.CompletedProcess):
        self.rc, self.stdout, self.stderr = completed.returncode, completed.stdout, completed.stderr

    @property
    def result(self) -> dict:
        return json.loads(self.stdout.strip().splitlines()[-1])

    @property
    def error(self) -> str:
        return self.stderr.strip().splitlines()[-1]


def transfer(*args, env=None, tmp_path=None) -> Run:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_", "POD_"))}
    completed = subprocess.run(
        [sys.executable, "-m", "mtvweb.pods.transfer", *map(str, args)],
        cwd=REPO, env={**base, **(env or {})}, capture_output=True, text=True, timeout=30,
    )
    run = Run(completed)
    for secret in SECRETS:
        assert secret not in run.stdout + run.stderr
    return run


def http_args(server, target, *extra):
    return ["--source-kind", "http", "--url", server.url, "--target", target, "--size", SIZE,
            "--retry-wait", "0.2", *extra]


BASIC = {"SOURCE_USER": USER, "SOURCE_PASSWORD": PASSWORD}


def test_http_copy_is_sparse_verified_and_reported(disk, tmp_path):
    target, term = tmp_path / "pvc" / "disk.img", tmp_path / "termination-log"
    target.parent.mkdir()
    with DiskServer(disk, user=USER, password=PASSWORD) as server:
        run = transfer(*http_args(server, target, "--disk-id", "disk-2000", "--termination-log", term), env=BASIC)
    assert run.rc == 0, run.stderr
    result = run.result
    assert set(result) >= {"disk", "size", "bytesRead", "bytesWritten", "blake3", "seconds", "skipped"}
    assert result["disk"] == "disk-2000" and result["size"] == SIZE and result["skipped"] is False
    assert result["bytesRead"] == SIZE
    assert result["blake3"] == file_blake3(disk) == file_blake3(target)
    assert target.stat().st_size == SIZE
    assert DATA <= result["bytesWritten"] <= 1.05 * allocated(disk)
    assert allocated(target) <= 1.05 * allocated(disk) < SIZE / 2  # the holes stayed holes
    assert json.loads(term.read_text()) == result
    assert server.connections == 1  # one keep-alive session
    assert server.range_starts() == [0]  # the rest of the disk streams on one response
    assert f"127.0.0.1:{server.httpd.server_address[1]}" in run.stderr.splitlines()[0]
    assert "dcPath" not in run.stderr  # the query string stays out of the log
    assert json.loads(Path(f"{target}.checkpoint").read_text())["done"] is True


def test_refused_credentials_fail_at_once(disk, tmp_path):
    term = tmp_path / "termination-log"
    with DiskServer(disk, user=USER, password="another-password") as server:
        run = transfer(*http_args(server, tmp_path / "disk.img", "--termination-log", term), env=BASIC)
        assert len(server.requests) == 1  # no retries
    assert run.rc == 1
    assert run.error.startswith("error: ") and "refused the credentials (HTTP 401)" in run.error
    assert term.read_text() == run.error


def test_https_with_ca_file_and_cookie(disk, tmp_path):
    from lab.runtime import issue_cert, make_ca

    ca = make_ca(tmp_path / "pki", "transfer")
    tls = issue_cert(ca, tmp_path / "pki", "datastore")
    env = {"SOURCE_COOKIE": COOKIE}
    with DiskServer(disk, cookie=COOKIE, tls=tls) as server:
        run = transfer(*http_args(server, tmp_path / "a.img", "--ca-file", ca[0]), env=env)
        assert run.rc == 0, run.stderr
        assert run.result["blake3"] == file_blake3(disk)
        untrusted = transfer(*http_args(server, tmp_path / "b.img"), env=env)
        assert untrusted.rc == 1
        assert "TLS connection to 127.0.0.1" in untrusted.error and "--ca-file" in untrusted.error
        assert "retry" not in untrusted.stderr
        assert transfer(*http_args(server, tmp_path / "c.img", "--insecure"), env=env).rc == 0


def test_https_with_ca_and_token_header_from_the_environment(disk, tmp_path):
    """OpenStack and oVirt sources: the CA and an auth header come from the Pod's Secret (env)."""
    from lab.runtime import issue_cert, make_ca

    ca = make_ca(tmp_path / "pki", "transfer")
    tls = issue_cert(ca, tmp_path / "pki", "datastore")
    env = {"SOURCE_CA_PEM": open(ca[0]).read(), "SOURCE_TOKEN_HEADER": f"Cookie: {COOKIE}"}
    with DiskServer(disk, cookie=COOKIE, tls=tls) as server:
        run = transfer(*http_args(server, tmp_path / "a.img"), env=env)
        assert run.rc == 0, run.stderr
        assert run.result["blake3"] == file_blake3(disk)
        assert COOKIE.split("=", 1)[-1] not in run.stdout + run.stderr


def test_https_pinned_by_sha1_thumbprint(disk, tmp_path):
    """vSphere providers pin the certificate by its SHA-1 thumbprint instead of trusting a CA."""
    import hashlib
    import ssl as ssl_module

    from lab.runtime import issue_cert, make_ca

    ca = make_ca(tmp_path / "pki", "transfer")
    tls = issue_cert(ca, tmp_path / "pki", "datastore")
    der = ssl_module.PEM_cert_to_DER_cert(open(tls[0]).read())
    thumbprint = ":".join(f"{b:02X}" for b in hashlib.sha1(der).digest())
    with DiskServer(disk, tls=tls) as server:
        run = transfer(*http_args(server, tmp_path / "a.img", "--thumbprint", thumbprint))
        assert run.rc == 0, run.stderr
        assert run.result["blake3"] == file_blake3(disk)
        wrong = transfer(*http_args(server, tmp_path / "b.img", "--thumbprint", "00" + thumbprint[2:]))
        assert wrong.rc == 1 and "does not have the SHA-1 thumbprint the provider gives" in wrong.error
        assert "retry" not in wrong.stderr


@pytest.mark.parametrize("trouble", ["drop", "503"])
def test_passing_failures_are_retried(disk, tmp_path, trouble):
    target = tmp_path / "disk.img"
    with DiskServer(disk) as server:
        if trouble == "drop":
            server.drop_at, server.drops_left = DROP_AT, 2
        else:
            server.errors_left = 2
        run = transfer(*http_args(server, target))
    assert run.rc == 0, run.stderr
    assert run.result["retries"] == 2
    assert "retry 1/5" in run.stderr and "retry 2/5" in run.stderr
    assert run.result["blake3"] == file_blake3(disk) == file_blake3(target)


def test_connection_lost_for_good_names_the_byte(disk, tmp_path):
    term = tmp_path / "termination-log"
    with DiskServer(disk) as server:
        server.drop_at, server.drops_left = DROP_AT, -1
        run = transfer(*http_args(server, tmp_path / "disk.img", "--retries", 2, "--termination-log", term))
    assert run.rc == 1
    expected = f"error: lost the connection to {server.host} at byte {DROP_AT} of {SIZE} after 2 retries: "
    assert run.error.startswith(expected), run.error
    assert term.read_text() == run.error


def test_resume_after_a_killed_run_reads_only_the_rest(disk, tmp_path):
    target = tmp_path / "disk.img"
    args = ["--chunk-size", MIB, "--checkpoint-every", 4, "--resume"]
    with DiskServer(disk) as server:
        killed = transfer(*http_args(server, target, *args, "--stop-after-chunks", 10))
        assert killed.rc == 3 and killed.stdout == ""
        assert server.range_starts() == [0]
        checkpoint = json.loads(Path(f"{target}.checkpoint").read_text())
        assert checkpoint["offset"] == 8 * MIB and checkpoint["done"] is False

        server.requests.clear()
        resumed = transfer(*http_args(server, target, *args))
        assert resumed.rc == 0, resumed.stderr
        assert server.range_starts() == [8 * MIB]  # from the checkpoint on, nothing before it
        assert resumed.result["resumedFrom"] == 8 * MIB and resumed.result["bytesRead"] == 16 * MIB
        assert resumed.result["blake3"] == file_blake3(disk) == file_blake3(target)
        assert allocated(target) <= 1.05 * allocated(disk)

        server.requests.clear()
        again = transfer(*http_args(server, target, *args))
        assert again.rc == 0 and again.result["skipped"] is True and again.result["bytesRead"] == 0
        assert again.result["blake3"] == file_blake3(disk)
        assert server.requests == []


def test_resume_starts_over_when_the_written_prefix_changed(disk, tmp_path):
    target = tmp_path / "disk.img"
    args = ["--chunk-size", MIB, "--checkpoint-every", 4, "--resume"]
    with DiskServer(disk) as server:
        assert transfer(*http_args(server, target, *args, "--stop-after-chunks", 6)).rc == 3
        with open(target, "r+b") as f:
            f.write(b"changed")
        server.requests.clear()
        run = transfer(*http_args(server, target, *args))
        assert run.rc == 0, run.stderr
        assert "starting over" in run.stderr and run.result["resumedFrom"] == 0
        assert server.range_starts() == [0]
    assert file_blake3(target) == file_blake3(disk)


def another_disk(disk, tmp_path):
    """A disk of the same size and layout as `disk`, with other bytes."""
    other = tmp_path / "other" / "disk.raw"
    other.parent.mkdir()
    with open(other, "wb") as f:
        f.truncate(SIZE)
        for offset, length in EXTENTS:
            f.seek(offset)
            f.write(os.urandom(length))
    return other


def test_a_checkpoint_left_by_another_source_of_the_same_size_is_not_resumed_from(disk, tmp_path):
    target = tmp_path / "disk.img"
    other = another_disk(disk, tmp_path)
    args = ["--chunk-size", MIB, "--checkpoint-every", 4, "--resume"]

    def copy(source, *extra):
        return transfer("--source-kind", "file", "--path", source, "--target", target, "--size", SIZE,
                        *args, *extra)

    assert copy(disk, "--disk-id", "disk-a", "--stop-after-chunks", 10).rc == 3
    assert json.loads(Path(f"{target}.checkpoint").read_text())["offset"] == 8 * MIB
    run = copy(other, "--disk-id", "disk-b")
    assert run.rc == 0, run.stderr
    assert run.result["resumedFrom"] == 0 and run.result["bytesRead"] == SIZE
    assert run.result["blake3"] == file_blake3(other) == file_blake3(target)

    # A finished copy of one disk does not make the copy of another one "already done".
    assert copy(disk, "--disk-id", "disk-a").result["blake3"] == file_blake3(disk)
    run = copy(other, "--disk-id", "disk-b")
    assert run.rc == 0 and run.result["skipped"] is False and run.result["resumedFrom"] == 0
    assert run.result["blake3"] == file_blake3(other) == file_blake3(target)


def test_server_ignoring_range_is_read_in_order(disk, tmp_path):
    target = tmp_path / "disk.img"
    with DiskServer(disk, ignore_range=True) as server:
        server.drop_at, server.drops_left = DROP_AT, 1
        run = transfer(*http_args(server, target, "--chunk-size", MIB))
        assert [status for _, _, status in server.requests] == [200, 200]  # once more after the drop
    assert run.rc == 0, run.stderr
    assert "ignores Range requests" in run.stderr
    assert run.result["blake3"] == file_blake3(disk) == file_blake3(target)


def test_file_source_into_a_longer_existing_file(disk, tmp_path):
    """The lab plays Block volumes with plain files longer than the disk: their length is kept."""
    target = tmp_path / "device"
    target.write_bytes(b"\xff" * (SIZE + 4 * MIB))
    run = transfer("--source-kind", "file", "--path", disk, "--target", target, "--size", SIZE)
    assert run.rc == 0, run.stderr
    assert run.result["blake3"] == file_blake3(disk) == file_blake3(target, SIZE)
    assert target.stat().st_size == SIZE + 4 * MIB
    assert DATA <= run.result["bytesWritten"] <= 1.05 * allocated(disk)
    assert allocated(target) <= 1.05 * allocated(disk)


def test_max_rate_caps_the_read_speed(disk, tmp_path):
    """--max-rate spares a busy source: 24 MiB at 12 MiB/s take about two seconds."""
    target = tmp_path / "disk.img"
    run = transfer("--source-kind", "file", "--path", disk, "--target", target, "--size", SIZE,
                   "--max-rate", 12 * MIB, "--chunk-size", MIB)
    assert run.rc == 0, run.stderr
    assert run.result["seconds"] >= SIZE / (12 * MIB) * 0.9
    assert run.result["blake3"] == file_blake3(disk)


@pytest.mark.parametrize("kind", ["http", "file"])
def test_source_smaller_than_the_disk(disk, tmp_path, kind):
    if kind == "file":
        run = transfer("--source-kind", "file", "--path", disk, "--target", tmp_path / "t", "--size", SIZE + 1)
    else:
        with DiskServer(disk) as server:
            args = http_args(server, tmp_path / "t")
            args[args.index("--size") + 1] = SIZE + 1
            run = transfer(*args)
    assert run.rc == 1 and f"holds only {SIZE} bytes, the disk has {SIZE + 1}" in run.error


def test_usage_errors_are_one_line(tmp_path):
    run = transfer("--source-kind", "http", "--target", tmp_path / "t", "--size", 10,
                   "--termination-log", tmp_path / "term")
    assert run.rc == 1 and run.stderr.strip() == "error: --source-kind http needs --url (see --help)"
    assert (tmp_path / "term").read_text() == run.stderr.strip()


def test_selftest_still_writes_its_pattern(tmp_path):
    run = transfer("--selftest", "--target", tmp_path / "t", "--size", 4 * MIB)
    assert run.rc == 0
    assert run.result == {"target": str(tmp_path / "t"), "size": 4 * MIB, "bytes_written": 2 * MIB,
                          "blake3": file_blake3(tmp_path / "t")}


# --- in process ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dropped", ["second", "last"])
def test_a_target_that_does_not_match_fails_and_the_next_try_repairs_it(disk, tmp_path, monkeypatch, capsys, dropped):
    """Storage that acknowledges a write and drops it: the second one, or the one that ends the
    disk (the last chunk must be read back like every other)."""
    from mtvweb.pods.transfer import cli
    from mtvweb.pods.transfer.target import Target

    original = Target._write
    calls, lost = [], []

    def lossy(self, offset, data):
        calls.append(offset)
        if (len(calls) == 2) if dropped == "second" else (offset + len(data) == SIZE):
            lost.append(offset)
            return len(data)
        return original(self, offset, data)

    monkeypatch.setattr(Target, "_write", lossy)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    target, term = tmp_path / "disk.img", tmp_path / "term"
    argv = ["--source-kind", "file", "--path", str(disk), "--target", str(target), "--size", str(SIZE),
            "--chunk-size", str(MIB), "--termination-log", str(term)]
    assert cli.main(argv, env={}) == 1
    [at] = lost
    message = f"error: target does not match the source: the bytes read back from {target} at byte {at}"
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(message)
    assert term.read_text().startswith(message)
    monkeypatch.setattr(Target, "_write", original)
    assert cli.main([*argv, "--resume"], env={}) == 0  # the verified prefix is kept, the rest copied again
    result = json.loads(term.read_text())
    assert 0 < result["resumedFrom"] <= at and result["blake3"] == file_blake3(disk) == file_blake3(target)


def test_progress_annotation_is_throttled_and_failures_logged_once(capsys):
    from mtvweb.pods.transfer.progress import ANNOTATION, PodAnnotator

    sent = []
    annotator = PodAnnotator(lambda body: sent.append(json.loads(body["metadata"]["annotations"][ANNOTATION])),
                             interval=0.05).start()
    began = time.monotonic()
    for done in range(0, 100):
        annotator.update(done, 100, done // 2)
        time.sleep(0.003)
    annotator.update(100, 100, 50)
    annotator.close()
    elapsed = time.monotonic() - began
    assert 1 <= len(sent) <= elapsed / 0.05 + 2
    assert sent[-1]["bytesDone"] == 100 and sent[-1]["total"] == 100 and sent[-1]["bytesWritten"] == 50
    assert abs(sent[-1]["updated"] - time.time()) < 5

    def refuse(body):
        raise RuntimeError("forbidden")

    failing = PodAnnotator(refuse, interval=0.01).start()
    for done in range(20):
        failing.update(done, 20, 0)
        time.sleep(0.005)
    failing.close()
    assert capsys.readouterr().err.count("cannot update the Pod's progress annotation") == 1


def test_no_cluster_means_no_annotation(capsys, monkeypatch):
    from mtvweb.pods.transfer.progress import PodAnnotator

    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert PodAnnotator.from_environment({}) is None
    assert PodAnnotator.from_environment({"POD_NAME": "p", "POD_NAMESPACE": "ns"}) is None
    assert "progress will not be shown on the Pod" in capsys.readouterr().err


def test_a_lost_connection_leaves_a_checkpoint_to_resume_from(disk, tmp_path):
    target = tmp_path / "disk.img"
    args = ["--chunk-size", MIB, "--resume", "--retries", 1, "--retry-wait", 0.1]
    with DiskServer(disk) as server:
        server.drop_at, server.drops_left = DROP_AT, -1
        lost = transfer(*http_args(server, target, *args))
        assert lost.rc == 1 and "checkpoint saved at byte" in lost.stderr
        saved = json.loads(Path(f"{target}.checkpoint").read_text())["offset"]
        assert 0 < saved <= DROP_AT
        server.drop_at, server.drops_left = None, 0
        again = transfer(*http_args(server, target, *args))
    assert again.rc == 0, again.stderr
    assert again.result["resumedFrom"] == saved
    assert again.result["blake3"] == file_blake3(disk) == file_blake3(target)
