"""A disk served over HTTP(S) on 127.0.0.1 for the transfer Pod's tests: Range requests,
Basic auth or a cookie, keep-alive, and switches to misbehave (drop the connection at a byte,
answer 503, ignore Range). It records every request it answered."""

from __future__ import annotations

import base64
import os
import re
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RANGE = re.compile(r"bytes=(\d+)-(\d*)$")
PIECE = 256 << 10


class DiskServer:
    def __init__(self, path, *, user=None, password=None, cookie=None, ignore_range=False, tls=None):
        self.path, self.size = str(path), os.path.getsize(path)
        self.user, self.password, self.cookie = user, password, cookie
        self.ignore_range = ignore_range
        self.drop_at, self.drops_left = None, 0  # drops_left < 0: drop every time
        self.errors_left = 0  # answer 503 this many times first
        self.requests: list[tuple[int, int | None, int]] = []  # (start, end or None, status)
        self.connections = 0
        self.lock = threading.RLock()
        server = self

        class Handler(DiskHandler):
            owner = server

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.httpd.server_address[1]}/folder/disk-flat.vmdk?dcPath=DC0&dsName=ds1"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def range_starts(self) -> list[int]:
        return [start for start, end, status in self.requests if status == 206]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class DiskHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: DiskServer

    def setup(self):
        super().setup()
        with self.owner.lock:
            self.owner.connections += 1

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.owner
        if not self._authorized():
            return self._empty(401, {"WWW-Authenticate": 'Basic realm="datastore"'})
        with server.lock:
            if server.errors_left:
                server.errors_left -= 1
                return self._empty(503)
        match = RANGE.match(self.headers.get("Range", ""))
        if match and not server.ignore_range:
            start = int(match[1])
            end = min(int(match[2]) if match[2] else server.size - 1, server.size - 1)
            if start >= server.size:
                return self._empty(416, {"Content-Range": f"bytes */{server.size}"})
            status, headers = 206, {"Content-Range": f"bytes {start}-{end}/{server.size}"}
        else:
            start, end, status, headers = 0, server.size - 1, 200, {}
        with server.lock:
            server.requests.append((start, end, status))
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(end - start + 1),
                            "Content-Type": "application/octet-stream"}.items():
            self.send_header(name, value)
        self.end_headers()
        self._send(start, end + 1)

    def _send(self, start, stop):
        server = self.owner
        with server.lock:
            drop = server.drop_at is not None and server.drops_left != 0 and start <= server.drop_at < stop
            if drop and server.drops_left > 0:
                server.drops_left -= 1
        if drop:
            stop = server.drop_at
        with open(server.path, "rb") as f:
            position = start
            while position < stop:
                data = os.pread(f.fileno(), min(PIECE, stop - position), position)
                self.wfile.write(data)
                position += len(data)
        if drop:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    def _authorized(self) -> bool:
        server = self.owner
        if server.user is not None:
            expected = base64.b64encode(f"{server.user}:{server.password}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                return False
        if server.cookie is not None and self.headers.get("Cookie") != server.cookie:
            return False
        return True

    def _empty(self, status, headers=None):
        with self.owner.lock:
            self.owner.requests.append((0, None, status))
        self.send_response(status)
        for name, value in {**(headers or {}), "Content-Length": "0"}.items():
            self.send_header(name, value)
        self.end_headers()
