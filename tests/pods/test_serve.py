"""The reader Pod's server, `python -m mtvweb.pods.serve`, run as a local process on 127.0.0.1:
Range reads, the token, the idle exit and SIGTERM, and the transfer entry point reading a whole
disk through it with the header the engine gives it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import blake3
import pytest
import requests

from mtvweb.pods import serve

REPO = Path(__file__).resolve().parents[2]
MIB = 1 << 20
SIZE = 6 * MIB + 4096
TOKEN = "reader-t0ken-5ecret-71"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def disk(tmp_path):
    path = tmp_path / "disk.img"
    with open(path, "wb") as f:
        f.truncate(SIZE)
        for offset, length in ((0, MIB), (3 * MIB + 17, MIB // 2), (SIZE - 4096, 4096)):
            f.seek(offset)
            f.write(os.urandom(length))
    return path


class Reader:
    def __init__(self, path, size, idle_exit=30.0, token=TOKEN):
        env = {**os.environ, "READER_TOKEN": token, "READER_PORT": "0", "READER_HOST": "127.0.0.1",
               "PYTHONPATH": str(REPO)}
        env.pop("POD_NAME", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mtvweb.pods.serve", "--path", str(path), "--size", str(size),
             "--idle-exit", str(idle_exit)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert "on port" in line, (line, self.process.stderr.read() if self.process.poll() is not None else "")
        self.banner = line
        self.port = int(line.rsplit(" ", 1)[1])
        self.url = f"http://127.0.0.1:{self.port}/"

    def stop(self, timeout=10):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if not self.process.stderr.closed:
                self.log = self.process.stderr.read()
                self.process.stdout.close()
                self.process.stderr.close()


@pytest.fixture
def reader(disk):
    running = Reader(disk, SIZE)
    yield running
    running.stop()


def get(url, **headers):
    return requests.get(url, headers=headers, timeout=10)


def test_range_reads_give_the_files_bytes(reader, disk):
    data = disk.read_bytes()
    with requests.Session() as session:  # one keep-alive connection, as the transfer Pod reads
        session.headers.update(AUTH)
        for first, last in ((0, 0), (0, MIB - 1), (3 * MIB, 4 * MIB - 1), (SIZE - 10, SIZE - 1), (SIZE - 10, SIZE + 99)):
            answer = session.get(reader.url, headers={"Range": f"bytes={first}-{last}"}, timeout=10)
            end = min(last, SIZE - 1)
            assert answer.status_code == 206
            assert answer.headers["Content-Range"] == f"bytes {first}-{end}/{SIZE}"
            assert answer.content == data[first:end + 1]
        open_ended = session.get(reader.url, headers={"Range": f"bytes={SIZE - 5000}-"}, timeout=10)
        assert open_ended.status_code == 206 and open_ended.content == data[-5000:]
        suffix = session.get(reader.url, headers={"Range": "bytes=-4096"}, timeout=10)
        assert suffix.status_code == 206 and suffix.content == data[-4096:]
        whole = session.get(reader.url, timeout=10)
        assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
        assert whole.content == data
        beyond = session.get(reader.url, headers={"Range": f"bytes={SIZE}-"}, timeout=10)
        assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{SIZE}"
        head = session.head(reader.url, headers={"Range": "bytes=10-19"}, timeout=10)
        assert head.status_code == 206 and head.headers["Content-Length"] == "10" and not head.content


def test_requests_without_the_token_get_401(reader):
    assert get(reader.url).status_code == 401
    assert get(reader.url, Authorization="Bearer wrong").status_code == 401
    assert get(reader.url, Authorization=TOKEN).status_code == 401  # the scheme is part of it
    refused = get(reader.url, Authorization=f"Bearer {TOKEN}x", Range="bytes=0-9")
    assert refused.status_code == 401 and "Content-Range" not in refused.headers
    assert get(reader.url, **AUTH, Range="bytes=0-9").status_code == 206
    assert reader.stop() == 0
    assert TOKEN not in reader.banner + reader.log


def test_size_bounds_what_is_served(disk, tmp_path):
    """Exactly the first N bytes; past the end of a shorter file, zeros."""
    data = disk.read_bytes()
    short = Reader(disk, MIB)
    try:
        whole = get(short.url, **AUTH)
        assert whole.status_code == 200 and whole.content == data[:MIB]
        assert get(short.url, **AUTH, Range=f"bytes={MIB}-").status_code == 416
    finally:
        short.stop()
    longer = Reader(disk, SIZE + MIB)
    try:
        assert "the rest reads as zeros" in longer.banner
        tail = get(longer.url, **AUTH, Range=f"bytes={SIZE - 4096}-")
        assert tail.status_code == 206 and tail.content == data[-4096:] + bytes(MIB)
    finally:
        longer.stop()


def test_exits_when_idle_and_on_sigterm(disk):
    idle = Reader(disk, SIZE, idle_exit=1)
    started = time.monotonic()
    assert get(idle.url, **AUTH, Range="bytes=0-0").status_code == 206
    assert idle.process.wait(10) == 0
    assert 0.9 < time.monotonic() - started < 8
    idle.stop()
    assert "no request for 1 s" in idle.log
    busy = Reader(disk, SIZE)
    started = time.monotonic()
    assert busy.stop() == 0 and time.monotonic() - started < 5


def test_refuses_to_start_without_a_token(disk):
    env = {k: v for k, v in os.environ.items() if k != "READER_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "mtvweb.pods.serve", "--path", str(disk), "--size", "1"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "READER_TOKEN" in done.stderr


def test_extents_list_the_data_and_the_holes(reader, disk):
    assert get(f"{reader.url}extents").status_code == 401
    listing = get(f"{reader.url}extents", **AUTH).json()
    assert [e["start"] for e in listing] == [0] + [e["start"] + e["length"] for e in listing[:-1]]  # in order, no gaps
    assert listing[-1]["start"] + listing[-1]["length"] == SIZE
    data = disk.read_bytes()
    for extent in listing:
        if extent["zero"]:
            assert data[extent["start"]:extent["start"] + extent["length"]] == bytes(extent["length"])
    assert sum(e["length"] for e in listing if not e["zero"]) <= MIB + MIB // 2 + 3 * 4096  # the holes are holes


@pytest.mark.parametrize("extents", [False, True])
def test_the_transfer_pod_reads_the_disk_through_it(reader, disk, tmp_path, extents):
    target = tmp_path / "target" / "disk.img"
    target.parent.mkdir()
    env = {**os.environ, "SOURCE_TOKEN_HEADER": f"Authorization: Bearer {TOKEN}", "PYTHONPATH": str(REPO)}
    for name in ("POD_NAME", "POD_NAMESPACE", "SOURCE_USER", "SOURCE_COOKIE"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "mtvweb.pods.transfer", "--source-kind", "http", "--url", reader.url,
         "--size", str(SIZE), "--target", str(target), "--chunk-size", str(MIB), "--termination-log",
         str(tmp_path / "termination"), "--retries", "0", *(["--extents-url", f"{reader.url}extents"] if extents else [])],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == disk.read_bytes()
    assert blake3.blake3(disk.read_bytes()).hexdigest() in done.stdout
    assert TOKEN not in done.stdout + done.stderr
    # With the extents, only the data runs went over the wire: (about) 4.5 of the 6 MiB are holes
    # closer than 1 MiB apart are read, the rest not.
    assert ("known zero, not read" in done.stderr) == extents


def test_the_port_goes_into_the_pods_annotation(monkeypatch):
    calls = []

    class FakeCore:
        def patch_namespaced_pod(self, name, namespace, body, **kwargs):
            calls.append((name, namespace, body))

    from kubernetes import client, config

    monkeypatch.setattr(config, "load_incluster_config", lambda: None)
    monkeypatch.setattr(client, "CoreV1Api", FakeCore)
    assert serve.announce(4321, {"POD_NAME": "r-0", "POD_NAMESPACE": "src"}) is True
    assert calls == [("r-0", "src", {"metadata": {"annotations": {"mtvweb.io/reader-port": "4321"}}})]
    assert serve.announce(4321, {}) is False


@pytest.mark.parametrize(("header", "expected"), [
    (None, None), ("bytes=0-9", (0, 10)), ("bytes=5-", (5, 100)), ("bytes=-10", (90, 100)),
    ("bytes=-1000", (0, 100)), ("bytes=90-200", (90, 100)), ("bytes=100-", "unsatisfiable"),
    ("bytes=0-1,5-6", None), ("items=0-1", None), ("bytes=-", None), ("bytes=9-3", "unsatisfiable"),
])
def test_parse_range(header, expected):
    assert serve.parse_range(header, 100) == expected
