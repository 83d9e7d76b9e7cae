"""`--source-kind http`: a disk served over HTTP(S), e.g. a vSphere datastore's /folder URL,
read with `Range: bytes=a-b` requests, one per chunk, over one keep-alive session.

Credentials come only from the environment: SOURCE_USER / SOURCE_PASSWORD (HTTP Basic) or
SOURCE_COOKIE (a Cookie header value such as `vmware_soap_session="…"`). They never appear in
a log line or a message; neither does the URL's query string.

A server that ignores Range (answers 200 with the whole body) is read sequentially from that
one response, chunk after chunk; after a dropped connection the body is asked for again and
the bytes before the position reached are read and thrown away.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import ssl
import tempfile
import zlib
from urllib.parse import urlsplit

import requests
import urllib3

from mtvweb.pods.transfer.common import TransferError, add_secret, log, mib
from mtvweb.pods.transfer.extents import Extents, decode
from mtvweb.pods.transfer.source_base import Chunk, Retryable, Source

CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")
PIECE = 1 << 20  # bytes per socket read


def write_private_file(name: str, text: str) -> str:
    directory = tempfile.mkdtemp(prefix="mtvweb-transfer-")
    path = os.path.join(directory, name)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(text)
    return path


class PinnedAdapter(requests.adapters.HTTPAdapter):
    """Connections that accept only the certificate whose fingerprint is given (urllib3 checks it
    in the TLS handshake, before any byte of the request is sent)."""

    def __init__(self, fingerprint: str, **kwargs):
        self.fingerprint = fingerprint.replace(":", "").lower()
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["assert_fingerprint"] = self.fingerprint
        super().init_poolmanager(*args, **kwargs)


class HttpSource(Source):
    def __init__(self, url: str, size: int, *, env, ca_file: str | None = None, insecure: bool = False,
                 thumbprint: str = "", timeout: float = 60.0, extents_url: str = "", extents_file: str = "",
                 extents_data: str = "", **kwargs):
        super().__init__(size, **kwargs)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransferError("--url must be an http:// or https:// URL")
        if parts.username or parts.password:
            raise TransferError("the URL holds credentials: give them in SOURCE_USER/SOURCE_PASSWORD instead")
        self.url = url
        self.host = parts.netloc
        self.label = f"{parts.scheme}://{parts.netloc}{parts.path}"
        add_secret(parts.query)  # may carry a token; never printed
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": "mtvweb-transfer", "Accept-Encoding": "identity"})
        user, password, cookie = env.get("SOURCE_USER"), env.get("SOURCE_PASSWORD"), env.get("SOURCE_COOKIE")
        add_secret(password)
        add_secret(cookie, cookie=True)
        self.has_credentials = bool(user or cookie)
        if user:
            self.session.auth = (user, password or "")
        if cookie:
            self.session.headers["Cookie"] = cookie
        token = env.get("SOURCE_TOKEN_HEADER", "")  # "X-Auth-Token: …" (OpenStack) and the like
        if token:
            header, _, value = token.partition(":")
            add_secret(value.strip())
            self.session.headers[header.strip()] = value.strip()
            self.has_credentials = True
        if env.get("SOURCE_CA_PEM") and not ca_file:  # a CA given through the Secret rather than a file
            ca_file = write_private_file("source-ca.pem", env["SOURCE_CA_PEM"])
        # Per request: a session's verify loses to REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment.
        self.verify = ca_file or not (insecure or thumbprint)
        if thumbprint:  # vSphere style: trust exactly the certificate with this SHA-1 fingerprint
            self.session.mount("https://", PinnedAdapter(thumbprint))
        if insecure or thumbprint:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.response = None  # the response being read
        self.position = 0  # the source offset of its next byte
        self.end = 0  # where its body ends
        self.whole_body = False  # True when the server ignored Range
        self.requests = 0
        self.extents = Extents.everything(size)
        if extents_url or extents_file or extents_data:
            self.extents = self._load_extents(extents_url, extents_file, extents_data)

    def _load_extents(self, url: str, path: str, data: str) -> Extents:
        """Which ranges hold data, in ovirt-imageio's `extents` format; without them every byte is read."""
        try:
            if data:
                listing = decode(data)
            elif path:
                with open(path) as f:
                    listing = json.load(f)
            else:
                response = self.session.get(url, verify=self.verify, timeout=(self.timeout, self.timeout))
                response.raise_for_status()
                listing = response.json()
            extents = Extents.from_listing(listing, self.size)
        except (OSError, ValueError, zlib.error, requests.exceptions.RequestException) as exc:
            log(f"no extents for {self.label} ({reason(exc) if isinstance(exc, requests.exceptions.RequestException) else exc}): "
                "reading every byte")
            return Extents.everything(self.size)
        log(f"extents: {mib(extents.data_bytes)} of data in {mib(self.size)}, the rest is not read")
        return extents

    # --- one try -------------------------------------------------------------------------

    def _fill(self, chunk: Chunk, position: int, end: int) -> None:
        end, zero = self.extents.run(position, end)
        if zero:  # the source says these bytes are zeros: nothing to fetch
            chunk.zeros(end - position)
            return
        if self.response is None or self.position != position or self.position >= self.end:
            self._drop_response()
            # Ask for the whole run of data from here: the copy reads in order, so one response
            # carries it and each later chunk is read from it, without a new request.
            self._request(position, self.extents.data_end(position))
            self._skip_to(position)
        want = min(end, self.end) - position  # a server may answer a shorter range than asked
        got = 0
        try:
            while got < want:
                n = self.response.raw.readinto(chunk.space(min(PIECE, want - got)))
                if not n:
                    raise Retryable("the server closed the connection early")
                chunk.advance(n)  # what arrived counts, even before a failure
                got += n
                self.position += n
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            self._drop_response()
            raise Retryable(reason(exc)) from None
        except Retryable:
            self._drop_response()
            raise
        if self.position >= self.size and self.whole_body:
            self._drop_response()  # the rest of a longer body is not needed

    def _request(self, position: int, end: int) -> None:
        self.requests += 1
        try:
            response = self.session.get(
                self.url, headers={"Range": f"bytes={position}-{end - 1}"}, stream=True,
                verify=self.verify, timeout=(self.timeout, self.timeout),
            )
        except requests.exceptions.SSLError as exc:
            if "Fingerprints did not match" in str(exc):
                raise TransferError(f"the certificate of {self.host} does not have the SHA-1 thumbprint the provider "
                                    "gives: check the thumbprint (guide §2.7.2) and save the provider again") from None
            if not any(isinstance(e, ssl.SSLCertVerificationError) for e in causes(exc)):
                raise Retryable(reason(exc)) from None
            raise TransferError(
                f"the TLS connection to {self.host} failed ({reason(exc)}): give the source's CA with --ca-file"
            ) from None
        except (requests.exceptions.RequestException, OSError) as exc:
            raise Retryable(reason(exc)) from None
        status = response.status_code
        if status in (200, 206):
            self.response = response
            self._check_body(response, position)
            return
        response.close()
        if status in (401, 403):
            if self.has_credentials:
                raise TransferError(f"{self.host} refused the credentials (HTTP {status}): check SOURCE_USER/"
                                    "SOURCE_PASSWORD or SOURCE_COOKIE in the provider's secret")
            raise TransferError(f"{self.host} wants credentials (HTTP {status}) and none were given "
                                "(SOURCE_USER/SOURCE_PASSWORD or SOURCE_COOKIE)")
        if status >= 500 or status in (408, 429):
            raise Retryable(f"HTTP {status} {response.reason}")
        if status == 416:
            raise TransferError(f"{self.host} has no byte {position} (HTTP 416): the source is smaller than "
                                f"the disk ({self.size} bytes, --size)")
        raise TransferError(f"{self.host} answered HTTP {status} {response.reason} for {self.label}")

    def _check_body(self, response, position: int) -> None:
        if response.status_code == 206:
            match = CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if not match:
                raise TransferError(f"{self.host} answered 206 without a usable Content-Range")
            first, last, total = int(match[1]), int(match[2]), match[3]
            if total != "*" and int(total) < self.size:
                raise TransferError(f"the source at {self.host} holds only {total} bytes, "
                                    f"the disk has {self.size} (--size)")
            if first > position:
                raise TransferError(f"{self.host} answered bytes {first}-{last} when asked from byte {position}")
            self.whole_body, self.position, self.end = False, first, last + 1
            return
        length = response.headers.get("Content-Length")
        if length is not None and int(length) < self.size:
            raise TransferError(f"the source at {self.host} holds only {length} bytes, the disk has {self.size} (--size)")
        if not self.whole_body:
            log(f"{self.host} ignores Range requests: reading the whole body in order")
            self.extents = Extents.everything(self.size)  # skipping would mean asking for the body again
        self.whole_body, self.position, self.end = True, 0, self.size

    def _skip_to(self, position: int) -> None:
        """Read and drop the bytes before `position` (a whole body, or an overlapping range)."""
        try:
            while self.position < position:
                data = self.response.raw.read(min(PIECE, position - self.position))
                if not data:
                    raise Retryable("the server closed the connection early")
                self.position += len(data)
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            self._drop_response()
            raise Retryable(reason(exc)) from None
        except Retryable:
            self._drop_response()
            raise

    def _drop_response(self) -> None:
        if self.response is not None:
            self.response.close()
            self.response = None

    def describe_failure(self, position: int, retries: str, why: str) -> str:
        return f"lost the connection to {self.host} at byte {position} of {self.size} after {retries}: {why}"

    def close(self) -> None:
        self._drop_response()
        self.session.close()


def causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, outermost first (requests and urllib3 nest them in many ways)."""
    chain, seen, current = [], set(), exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        nested = current.__cause__ or current.__context__ or getattr(current, "reason", None)
        if not isinstance(nested, BaseException):
            nested = next((a for a in reversed(current.args) if isinstance(a, BaseException)), None)
        current = nested
    return chain


def reason(exc: BaseException) -> str:
    """A short reason from an exception chain: 'Connection refused', 'timed out', …"""
    chain = causes(exc)
    for item in reversed(chain):  # the innermost cause says the most
        if isinstance(item, http.client.IncompleteRead | urllib3.exceptions.IncompleteRead):
            return "the server closed the connection before the end of the range"
        if isinstance(item, urllib3.exceptions.NewConnectionError):
            continue  # a ConnectTimeoutError subclass in urllib3, whatever the cause
        if isinstance(item, TimeoutError | urllib3.exceptions.TimeoutError | requests.Timeout):
            return "timed out"
        if isinstance(item, OSError) and item.strerror:
            return item.strerror
    text = str(chain[-1]).splitlines()[0] if str(chain[-1]) else type(chain[-1]).__name__
    return re.sub(r"\w+ConnectionPool\(host='[^']*', port=\d+\): ", "", text)[:200]
