"""`--source-kind nbd`: a disk served over NBD (and the client `--source-kind nbdkit` uses).

    --source-kind nbd --uri nbd+unix:///[export]?socket=/path | nbd://host[:port][/export]

The client speaks the fixed newstyle handshake (NBD_OPT_GO, or NBD_OPT_EXPORT_NAME from older
servers), reads with NBD_CMD_READ (simple or structured replies) and, when the server offers
the `base:allocation` context, asks NBD_CMD_BLOCK_STATUS first so that ranges it calls zero
are not read at all (for VDDK that is most of a thin disk). No TLS: nbds:// is refused.
"""

from __future__ import annotations

import socket
import struct
from urllib.parse import parse_qs, unquote, urlsplit

from mtvweb.pods.transfer.common import TransferError, log, mib
from mtvweb.pods.transfer.source_base import Chunk, Retryable, Source

NBDMAGIC, IHAVEOPT, OLDSTYLE = b"NBDMAGIC", 0x49484156454F5054, 0x00420281861253
OPTION_REPLY, SIMPLE_REPLY, STRUCTURED_REPLY, REQUEST = 0x3E889045565A9, 0x67446698, 0x668E33EF, 0x25609513
FIXED_NEWSTYLE, NO_ZEROES = 1, 2
OPT_EXPORT_NAME, OPT_ABORT, OPT_GO, OPT_STRUCTURED_REPLY, OPT_SET_META_CONTEXT = 1, 2, 7, 8, 10
REP_ACK, REP_INFO, REP_META_CONTEXT, REP_ERR_UNSUP = 1, 3, 4, 2**31 + 1
INFO_EXPORT, INFO_BLOCK_SIZE = 0, 3
CMD_READ, CMD_DISC, CMD_BLOCK_STATUS = 0, 2, 7
CHUNK_NONE, CHUNK_DATA, CHUNK_HOLE, CHUNK_BLOCK_STATUS, FLAG_DONE = 0, 1, 2, 5, 1
SIMPLE_DATA = -1  # a simple reply where a structured one was expected
STATE_ZERO = 2
OPTION_ERRORS = {1: "unsupported", 2: "forbidden by policy", 3: "invalid", 4: "unsupported on this platform",
                 5: "TLS required", 6: "unknown export", 7: "shutting down", 8: "block size required",
                 9: "too big"}
ERRNO = {1: "EPERM", 5: "EIO", 12: "ENOMEM", 22: "EINVAL", 28: "ENOSPC", 75: "EOVERFLOW", 95: "ENOTSUP",
         108: "ESHUTDOWN"}
MAX_READ = 8 << 20  # bytes per NBD_CMD_READ
STATUS_WINDOW = 1 << 30  # bytes per NBD_CMD_BLOCK_STATUS


class Refused(Exception):
    """The server answered, and the answer is no: not worth a retry."""


def parse_uri(uri: str) -> tuple[tuple, str, str]:
    """(address, export name, host for log lines): address is ("unix", path) or ("tcp", host, port)."""
    parts = urlsplit(uri)
    export = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
    if parts.scheme in ("nbds", "nbds+unix"):
        raise TransferError(f"{parts.scheme}:// (NBD over TLS) is not supported: use nbd:// or nbd+unix://")
    if parts.scheme == "nbd+unix":
        path = (parse_qs(parts.query).get("socket") or [""])[0]
        if not path:
            raise TransferError("an nbd+unix:// URI needs ?socket=/path/to/socket")
        return ("unix", path), export, path
    if parts.scheme == "nbd" and parts.hostname:
        port = parts.port or 10809
        return ("tcp", parts.hostname, port), export, f"{parts.hostname}:{port}"
    raise TransferError("--uri must be nbd://host[:port][/export] or nbd+unix:///[export]?socket=/path")


class NbdClient:
    """One NBD connection, read-only."""

    def __init__(self, address: tuple, export: str, timeout: float):
        family = socket.AF_UNIX if address[0] == "unix" else socket.AF_INET6 if ":" in address[1] else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.handle = 0
        self.structured = False
        self.context = None  # the id of base:allocation, when the server has it
        self.size, self.min_block, self.max_block = 0, 1, 32 << 20
        try:
            self.sock.connect(address[1] if address[0] == "unix" else address[1:])
            if family != socket.AF_UNIX:
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._handshake(export)
        except BaseException:
            self.sock.close()
            raise

    # --- the handshake -------------------------------------------------------------------

    def _handshake(self, export: str) -> None:
        if self._recv(8) != NBDMAGIC:
            raise Refused("it is not an NBD server")
        magic, = struct.unpack(">Q", self._recv(8))
        if magic == OLDSTYLE:
            raise Refused("it speaks the oldstyle NBD protocol, which is not supported")
        if magic != IHAVEOPT:
            raise Refused("it sent an unknown NBD greeting")
        flags, = struct.unpack(">H", self._recv(2))
        self.no_zeroes = bool(flags & NO_ZEROES)
        self.sock.sendall(struct.pack(">I", flags & (FIXED_NEWSTYLE | NO_ZEROES)))
        if not flags & FIXED_NEWSTYLE:  # plain newstyle: NBD_OPT_EXPORT_NAME is the only option
            return self._export_name(export)
        if self._simple_option(OPT_STRUCTURED_REPLY, b""):
            self.structured = True
            self.context = self._meta_context(export, b"base:allocation")
        name = export.encode()
        replies = self._option(OPT_GO, struct.pack(">I", len(name)) + name + struct.pack(">HH", 1, INFO_BLOCK_SIZE))
        for kind, data in replies:
            if kind == REP_ERR_UNSUP:
                return self._export_name(export)
            if kind & 2**31:
                raise Refused(f"it refused the export {export!r}: {option_error(kind, data)}")
            if kind == REP_INFO and len(data) >= 12 and struct.unpack(">H", data[:2])[0] == INFO_EXPORT:
                self.size, = struct.unpack(">Q", data[2:10])
            elif kind == REP_INFO and len(data) >= 14 and struct.unpack(">H", data[:2])[0] == INFO_BLOCK_SIZE:
                self.min_block, _, self.max_block = struct.unpack(">III", data[2:14])

    def _export_name(self, export: str) -> None:
        self._send_option(OPT_EXPORT_NAME, export.encode())
        try:
            self.size, _ = struct.unpack(">QH", self._recv(10))
        except ConnectionError:
            raise Refused(f"it closed the connection when asked for the export {export!r}") from None
        if not self.no_zeroes:
            self._recv(124)

    def _send_option(self, option: int, data: bytes) -> None:
        self.sock.sendall(struct.pack(">QII", IHAVEOPT, option, len(data)) + data)

    def _option(self, option: int, data: bytes):
        """Send an option; yield (reply type, data) up to and including the final one."""
        self._send_option(option, data)
        while True:
            magic, answered, kind, length = struct.unpack(">QIII", self._recv(20))
            if magic != OPTION_REPLY or answered != option:
                raise Refused("it broke the NBD protocol in the handshake")
            yield kind, self._recv(length)
            if kind == REP_ACK or kind & 2**31:
                return

    def _simple_option(self, option: int, data: bytes) -> bool:
        return all(not kind & 2**31 for kind, _ in self._option(option, data))

    def _meta_context(self, export: str, query: bytes) -> int | None:
        name = export.encode()
        found = None
        data = struct.pack(">I", len(name)) + name + struct.pack(">II", 1, len(query)) + query
        for kind, reply in self._option(OPT_SET_META_CONTEXT, data):
            if kind == REP_META_CONTEXT and reply[4:] == query:
                found, = struct.unpack(">I", reply[:4])
        return found

    # --- transmission --------------------------------------------------------------------

    def _request(self, command: int, offset: int, length: int) -> int:
        self.handle += 1
        self.sock.sendall(struct.pack(">IHHQQI", REQUEST, 0, command, self.handle, offset, length))
        return self.handle

    def read(self, offset: int, length: int) -> bytearray:
        handle = self._request(CMD_READ, offset, length)
        buf = bytearray(length)
        view = memoryview(buf)
        if not self.structured:
            self._simple_reply(handle)
            self._recv_into(view)
            return buf
        covered = 0
        for kind, payload_length in self._chunks(handle):
            if kind == SIMPLE_DATA:  # a simple reply in a structured session: the data follows
                self._recv_into(view)
                return buf
            if kind in (CHUNK_DATA, CHUNK_HOLE):
                start, = struct.unpack(">Q", self._recv(8))
                count = payload_length - 8 if kind == CHUNK_DATA else struct.unpack(">I", self._recv(4))[0]
                into = start - offset
                if into < 0 or into + count > length:
                    raise Refused("it sent data outside the range asked for")
                if kind == CHUNK_DATA:
                    self._recv_into(view[into:into + count])
                covered += count  # a hole: the buffer is zero already
            else:
                self._recv(payload_length)
        if covered != length:  # never take missing bytes for zeroes
            raise ConnectionError(f"the server answered {covered} of {length} bytes")
        return buf

    def zero_extents(self, offset: int, length: int) -> list[tuple[int, bool]]:
        """[(length, zero)] from `offset` on, as the server describes them (maybe less than `length`)."""
        handle = self._request(CMD_BLOCK_STATUS, offset, length)
        extents = []
        for kind, payload_length in self._chunks(handle):
            payload = self._recv(payload_length)
            if kind == CHUNK_BLOCK_STATUS and struct.unpack(">I", payload[:4])[0] == self.context:
                for index in range(4, payload_length - 7, 8):
                    size, flags = struct.unpack(">II", payload[index:index + 8])
                    extents.append((size, bool(flags & STATE_ZERO)))
        return extents

    def _simple_reply(self, handle: int) -> None:
        magic, error, answered = struct.unpack(">IIQ", self._recv(16))
        if magic != SIMPLE_REPLY or answered != handle:
            raise ConnectionError("the server broke the NBD protocol")
        if error:
            raise ServerError(error)

    def _chunks(self, handle: int):
        """(chunk type, payload length) of a structured reply; the caller reads the payload.
        An error chunk raises ServerError once the whole reply was read."""
        error = None
        while True:
            magic, = struct.unpack(">I", self._recv(4))
            if magic == SIMPLE_REPLY:  # allowed for errors: the whole reply
                error_code, answered = struct.unpack(">IQ", self._recv(12))
                if answered != handle:
                    raise ConnectionError("the server broke the NBD protocol")
                if error_code:
                    raise ServerError(error_code)
                yield SIMPLE_DATA, 0
                return
            if magic != STRUCTURED_REPLY:
                raise ConnectionError("the server broke the NBD protocol")
            flags, kind, answered, length = struct.unpack(">HHQI", self._recv(16))
            if answered != handle:
                raise ConnectionError("the server broke the NBD protocol")
            if kind & 2**15:  # an error chunk: errno, message
                payload = self._recv(length)
                code, message_length = struct.unpack(">IH", payload[:6])
                message = payload[6:6 + message_length].decode(errors="replace")
                error = ServerError(code, message)
            elif kind != CHUNK_NONE or length:
                yield kind, length
            if flags & FLAG_DONE:
                if error:
                    raise error
                return

    def _recv(self, length: int) -> bytes:
        buf = bytearray(length)
        self._recv_into(memoryview(buf))
        return bytes(buf)

    def _recv_into(self, view: memoryview) -> None:
        got = 0
        while got < len(view):
            n = self.sock.recv_into(view[got:])
            if not n:
                raise ConnectionError("the server closed the connection")
            got += n

    def close(self) -> None:
        try:
            self._request(CMD_DISC, 0, 0)
        except OSError:
            pass
        self.sock.close()


class ServerError(Exception):
    """An NBD error reply (EIO…): the connection is still usable."""

    def __init__(self, code: int, message: str = ""):
        self.code = code
        super().__init__(ERRNO.get(code, f"error {code}") + (f" ({message})" if message else ""))

    @property
    def passing(self) -> bool:
        """EIO, ENOMEM, ESHUTDOWN and the unknown are worth another try; EINVAL, EPERM… are not."""
        return self.code not in (1, 22, 75, 95)


def option_error(kind: int, data: bytes) -> str:
    text = OPTION_ERRORS.get(kind - 2**31, f"error {kind - 2**31}")
    detail = data.decode(errors="replace").strip()
    return f"{text} ({detail})" if detail else text


class NbdSource(Source):
    def __init__(self, address: tuple, export: str, size: int, *, host: str, label: str, timeout: float = 60.0,
                 **kwargs):
        super().__init__(size, **kwargs)
        self.address, self.export, self.host, self.label, self.timeout = address, export, host, label, timeout
        self.extents: list[tuple[int, int, bool]] = []  # (start, end, zero) known ahead
        self.read_bytes = 0  # zero_bytes (Source) counts what block status spared
        self.client = None
        try:
            self._connect()
        except (OSError, Refused) as exc:
            raise TransferError(self.open_failure(why(exc))) from None
        if self.client.size < size:
            raise TransferError(f"the source at {self.host} holds only {self.client.size} bytes, "
                                f"the disk has {size} (--size)")
        log(f"{self.host}: NBD export of {self.client.size} bytes, "
            f"{'structured replies' if self.client.structured else 'simple replies'}, "
            f"{'block status' if self.client.context is not None else 'no block status'}")

    def open_failure(self, reason: str) -> str:
        return f"cannot read the NBD export at {self.host}: {reason}"

    def _connect(self) -> None:
        self.client = NbdClient(self.address, self.export, self.timeout)
        self.max_read = max(min(MAX_READ, self.client.max_block), 4096)
        self.align = max(self.client.min_block, 1)

    def _fill(self, chunk: Chunk, position: int, end: int) -> None:
        try:
            if self.client is None:
                self._connect()
            stop, zero = self._extent(position, end)
            if zero:
                chunk.zeros(stop - position)
                return
            length = min(stop - position, self.max_read)
            chunk.put(self.client.read(position, length))
            self.read_bytes += length
        except ServerError as exc:
            if not exc.passing:
                raise TransferError(f"the NBD server at {self.host} refused to read at byte {position}: {exc}") from None
            raise Retryable(f"the server answered {exc}") from None
        except Refused as exc:
            raise TransferError(f"the NBD server at {self.host} refused: {exc}") from None
        except OSError as exc:  # a timeout, a dropped connection: start a new one
            self._drop()
            raise Retryable(why(exc)) from None

    def _extent(self, position: int, end: int) -> tuple[int, bool]:
        """Where the run of data or zeroes at `position` ends (at most `end`), and whether it is zero."""
        if self.client.context is None:
            return end, False
        self.extents = [e for e in self.extents if e[1] > position]
        if not self.extents or self.extents[0][0] > position:
            window = min(self.size - position, STATUS_WINDOW)
            try:
                lengths = self.client.zero_extents(position, window)
            except ServerError as exc:
                log(f"{self.host}: block status failed ({exc}): reading every byte")
                self.client.context = None
                return end, False
            start, self.extents = position, []
            for length, zero in lengths:
                if length:
                    self.extents.append((start, start + length, zero))
                    start += length
            if not self.extents:
                return end, False
        _, stop, zero = self.extents[0]
        stop = min(stop, end)
        if self.align > 1 and stop < end:  # keep every request on the server's block size
            stop = stop // self.align * self.align if zero else min(-(-stop // self.align) * self.align, end)
            if stop <= position:
                return min(position + self.align, end), False
        return (stop, zero) if stop > position else (end, False)

    def _drop(self) -> None:
        if self.client is not None:
            self.client.sock.close()
            self.client = None
        self.extents = []

    def describe_failure(self, position: int, retries: str, reason: str) -> str:
        return f"could not read the NBD export at {self.host} at byte {position} of {self.size} after {retries}: {reason}"

    def close(self) -> None:
        if self.client is not None:
            zero = f", {mib(self.zero_bytes)} not read: zero by block status" if self.zero_bytes else ""
            log(f"{self.host}: {mib(self.read_bytes)} read over NBD{zero}")
            self.client.close()
            self.client = None


def why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
