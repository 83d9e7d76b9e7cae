"""Entry point of the reader Pod: `python -m mtvweb.pods.serve --path FILE --size N`.

A KubeVirt source's disk lives in a PVC of the source cluster. A reader Pod mounts that claim
read-only and serves the disk's first N bytes over HTTP, so the transfer Pod in the target
namespace reads it like any other `--source-kind http` source (Range requests over one
keep-alive connection):

* `GET /` with `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` → 206 and Content-Range; without
  Range (or with several ranges) → 200 and the whole disk; HEAD likewise without a body.
  Bytes past the end of a shorter file (a sparse image truncated short) read as zeros.
* `GET /extents` → the disk's data and zero ranges as JSON in ovirt-imageio's format
  (`[{"start": 0, "length": n, "zero": false}, …]`, holes found with SEEK_DATA/SEEK_HOLE), so
  the transfer Pod does not fetch the holes (`--extents-url`).
* Only requests with `Authorization: Bearer <READER_TOKEN>` are served (401 otherwise); the
  token comes from the environment and is never printed.
* It binds READER_HOST (the Pod's IP, from the downward API; 0.0.0.0 when unset) on
  READER_PORT (0: any free port), prints the port, and — with POD_NAME and
  POD_NAMESPACE set — writes it into its own Pod's annotation `mtvweb.io/reader-port` (in-cluster
  config), which is how the engine learns where to point the transfer Pod.
* It exits 0 after `--idle-exit` seconds without a request, or on SIGTERM.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mtvweb.pods.transfer.holes import run_at

PORT_ANNOTATION = "mtvweb.io/reader-port"
PIECE = 1 << 20  # bytes per read and write
RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")
ANNOUNCE_TRIES = 10


def log(text: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}", file=sys.stderr, flush=True)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(first, end) for one satisfiable range; None to send the whole body (no Range, several
    ranges, or one we do not understand: RFC 9110 lets a server ignore it); "unsatisfiable"."""
    if not header or "," in header:
        return None
    match = RANGE.match(header)
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:  # bytes=-n: the last n bytes
        length = int(match[2])
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(size - length, 0), size
    first = int(match[1])
    last = int(match[2]) if match[2] else size - 1
    if first >= size or last < first:
        return "unsatisfiable"
    return first, min(last, size - 1) + 1


class Disk:
    """The bytes served: the first `size` bytes of `path`, zeros past its end."""

    def __init__(self, path: str, size: int):
        self.path, self.size = path, size
        fd = os.open(path, os.O_RDONLY)
        try:
            self.length = os.lseek(fd, 0, os.SEEK_END)  # also a block device's size
        finally:
            os.close(fd)

    def extents(self) -> list[dict]:
        """Data and zero ranges of the disk, in order, covering [0, size)."""
        runs, position, limit = [], 0, min(self.length, self.size)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            while position < limit:
                stop, hole = run_at(fd, position, limit)
                runs.append((position, stop, hole))
                position = stop
        finally:
            os.close(fd)
        if limit < self.size:
            runs.append((limit, self.size, True))  # past the end of a shorter file
        return [{"start": a, "length": b - a, "zero": zero} for a, b, zero in runs if b > a]

    def pieces(self, first: int, end: int):
        fd = os.open(self.path, os.O_RDONLY)
        try:
            position = first
            while position < end:
                want = min(PIECE, end - position)
                data = os.pread(fd, want, position) if position < self.length else b""
                if len(data) < want:
                    data += bytes(want - len(data))
                yield data
                position += want
        finally:
            os.close(fd)


class Activity:
    """Requests in flight and when the last one ended, for the idle exit."""

    def __init__(self):
        self.lock = threading.Lock()
        self.active = 0
        self.last = time.monotonic()
        self.served = 0

    def begin(self) -> None:
        with self.lock:
            self.active += 1

    def end(self) -> None:
        with self.lock:
            self.active -= 1
            self.served += 1
            self.last = time.monotonic()

    def idle_for(self) -> float:
        with self.lock:
            return 0.0 if self.active else time.monotonic() - self.last


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the transfer Pod reads chunk after chunk on one connection
    server_version = "mtvweb-reader"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # one line per 8 MiB chunk would bury the log; failures are logged where they happen

    def do_GET(self):
        self._serve(body=True)

    def do_HEAD(self):
        self._serve(body=False)

    def _authorized(self) -> bool:
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {self.server.token}"
        return hmac.compare_digest(given.encode(), expected.encode())

    def _answer(self, status: int, headers: dict) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, str(value))
        self.end_headers()

    def _serve(self, body: bool) -> None:
        activity = self.server.activity
        activity.begin()
        try:
            if not self._authorized():
                text = b"a bearer token is required\n"
                self._answer(401, {"WWW-Authenticate": 'Bearer realm="mtvweb-reader"', "Content-Length": len(text),
                                   "Content-Type": "text/plain"})
                if body:
                    self.wfile.write(text)
                return
            disk = self.server.disk
            if self.path.split("?")[0] == "/extents":
                text = json.dumps(disk.extents()).encode()
                self._answer(200, {"Content-Type": "application/json", "Content-Length": len(text)})
                if body:
                    self.wfile.write(text)
                return
            chosen = parse_range(self.headers.get("Range"), disk.size)
            if chosen == "unsatisfiable":
                self._answer(416, {"Content-Range": f"bytes */{disk.size}", "Content-Length": 0})
                return
            common = {"Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
            if chosen is None:
                first, end = 0, disk.size
                self._answer(200, {**common, "Content-Length": disk.size})
            else:
                first, end = chosen
                self._answer(206, {**common, "Content-Length": end - first,
                                   "Content-Range": f"bytes {first}-{end - 1}/{disk.size}"})
            if body:
                for piece in disk.pieces(first, end):
                    self.wfile.write(piece)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the reader went away; it asks again if it wants to
        except OSError as exc:
            log(f"reading {self.server.disk.path} failed: {exc}")
            self.close_connection = True
        finally:
            activity.end()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, disk: Disk, token: str):
        super().__init__(address, Handler)
        self.disk, self.token, self.activity = disk, token, Activity()


def announce(port: int, env=os.environ) -> bool:
    """Patch the Pod's own annotation with the port. False when there is no Pod to patch; raises
    when the API keeps refusing (the engine would otherwise wait for the port in vain)."""
    name, namespace = env.get("POD_NAME"), env.get("POD_NAMESPACE")
    if not (name and namespace):
        return False
    from kubernetes import client, config

    config.load_incluster_config()
    api = client.CoreV1Api()
    body = {"metadata": {"annotations": {PORT_ANNOTATION: str(port)}}}
    for attempt in range(ANNOUNCE_TRIES):
        try:
            api.patch_namespaced_pod(name, namespace, body, _request_timeout=10)
            return True
        except Exception as exc:  # noqa: BLE001 - retried, then reported
            if attempt == ANNOUNCE_TRIES - 1:
                raise RuntimeError(f"cannot write the port into Pod {namespace}/{name}'s annotation "
                                   f"{PORT_ANNOTATION}: {getattr(exc, 'status', '') or type(exc).__name__} "
                                   f"{getattr(exc, 'reason', '') or exc}") from None
            time.sleep(min(0.5 * 2**attempt, 5))
    return False


def main(argv=None, env=os.environ) -> int:
    parser = argparse.ArgumentParser(prog="python -m mtvweb.pods.serve",
                                     description="Serve a disk image read-only over HTTP with Range support.")
    parser.add_argument("--path", required=True, help="the image file or block device")
    parser.add_argument("--size", type=int, required=True, help="how many bytes of it to serve")
    parser.add_argument("--idle-exit", type=float, default=600.0,
                        help="exit after this many seconds without a request (600)")
    args = parser.parse_args(argv)
    token = env.get("READER_TOKEN", "")
    if not token:
        print("error: READER_TOKEN is not set: the reader serves only requests that carry it", file=sys.stderr)
        return 2
    if args.size < 0:
        print("error: --size must be >= 0", file=sys.stderr)
        return 2
    try:
        disk = Disk(args.path, args.size)
        server = Server((env.get("READER_HOST") or "0.0.0.0", int(env.get("READER_PORT") or 0)), disk, token)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    port = server.server_address[1]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    short = f", {disk.length} in the file: the rest reads as zeros" if disk.length < disk.size else ""
    print(f"serving {args.path} ({disk.size} bytes{short}) on port {port}", flush=True)
    try:
        if announce(port, env):
            log(f"port {port} written into the Pod's annotation {PORT_ANNOTATION}")
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        server.shutdown()
        server.server_close()
        return 1
    reason = "SIGTERM"
    while not stop.wait(min(1.0, max(args.idle_exit / 4, 0.05))):
        if server.activity.idle_for() >= args.idle_exit:
            reason = f"no request for {args.idle_exit:g} s"
            break
    server.shutdown()
    server.server_close()
    log(f"stopped ({reason}) after {server.activity.served} request(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
