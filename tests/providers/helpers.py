"""What the provider tests of every type share: loading an inventory, following it in a
thread, waiting for a condition, a closed port, a TCP relay to cut a source off, a self-signed
certificate and an HTTPS server that records what it is sent."""

import contextlib
import datetime
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import connection

from providers.adapters import adapter_for
from providers.inventory.store import InventoryStore

OPEN_COLLECTORS = []  # closed after each test (tests/conftest.py): a session left open slows vcsim down


def load(provider, store=None):
    """A full load, the way the inventory service does it; returns the collector to follow with."""
    collector = adapter_for(provider).collector()
    OPEN_COLLECTORS.append(collector)
    (store or InventoryStore(provider)).load(collector)
    return collector


@contextlib.contextmanager
def following(provider, collector, store=None, join_timeout=15):
    """Run the collector's follow loop in a thread for the duration of the block; yields the
    list of errors it raised."""
    stop, errors = threading.Event(), []

    def run():
        try:
            collector.follow(store or InventoryStore(provider), stop)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield errors
    finally:
        stop.set()
        thread.join(join_timeout)


def wait_for(check, timeout=10.0, interval=0.05):
    """Poll check() until truthy; return (value, seconds it took)."""
    started = time.monotonic()
    while True:
        value = check()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not reached within {timeout}s")
        time.sleep(interval)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Relay:
    """A TCP relay in front of a source that a test can cut and restore. `hold_after(n)` stops
    any connection that has carried n bytes from the source until `cut()`: the reader waits
    there, mid-stream, for as long as the test needs, so a cut lands where the test wants it
    however slow the machine is."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open, self.connections = threading.Event(), []
        self.open.set()
        self.held_after = None
        self.flowing = threading.Event()
        self.flowing.set()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                downstream, _ = self.server.accept()
            except OSError:
                return
            if not self.open.is_set():
                downstream.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.connections += [downstream, upstream]
            threading.Thread(target=self.pipe, args=(downstream, upstream), daemon=True).start()
            threading.Thread(target=self.pipe, args=(upstream, downstream, True), daemon=True).start()

    def pipe(self, source, sink, from_source=False):
        carried = 0
        with contextlib.suppress(OSError):
            while self.open.is_set() and (chunk := source.recv(65536)):
                carried += len(chunk)
                if from_source and self.held_after is not None and carried >= self.held_after:
                    self.flowing.wait()
                sink.sendall(chunk)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.close()

    def hold_after(self, count: int):
        self.flowing.clear()
        self.held_after = count

    def cut(self):
        self.open.clear()
        for s in self.connections:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.connections = []
        self.held_after = None
        self.flowing.set()  # held pipes wake up to closed sockets and end

    def restore(self):
        self.open.set()


def self_signed() -> tuple[bytes, bytes]:
    """(certificate, key) in PEM of a self-signed CA certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "someone else's CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


@contextlib.contextmanager
def recording_server(tmp_path, body: bytes = b"<html>a stranger's page</html>", status: int = 200,
                     content_type: str = "text/html", answers: dict | None = None):
    """An HTTPS server on loopback (self-signed) that answers every request with `body` (or, for a
    "METHOD /path" in `answers`, with its (status, content type, body)) and keeps each request it got
    (request line, headers and body, as bytes) in the list it yields with its URL."""
    received = []

    class Recorder(BaseHTTPRequestHandler):
        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            received.append(self.requestline.encode() + b"\n" + bytes(self.headers) + self.rfile.read(length))
            code, kind, content = (answers or {}).get(f"{self.command} {self.path}", (status, content_type, body))
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = answer

        def log_message(self, *args):
            pass

    cert, key = self_signed()
    (tmp_path / "recorder-cert.pem").write_bytes(cert)
    (tmp_path / "recorder-key.pem").write_bytes(key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "recorder-cert.pem", tmp_path / "recorder-key.pem")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
