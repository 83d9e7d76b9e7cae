"""Connecting to vCenter with pyVmomi, and saying clearly why it did not work."""

from __future__ import annotations

import functools
import hashlib
import logging
import socket
import ssl
from contextlib import contextmanager
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

from providers.adapters.base import ProviderError

log = logging.getLogger(__name__)
TIMEOUT = 20
# Collecting a large inventory can keep one call busy for minutes on vCenter's side.
COLLECT_TIMEOUT = 900


def split_url(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or 443, parts.path or "/sdk"


def normalize_thumbprint(value: str) -> str:
    hexdigits = "".join(c for c in value.upper() if c in "0123456789ABCDEF")
    return ":".join(hexdigits[i:i + 2] for i in range(0, len(hexdigits), 2))


def fetch_thumbprint(url: str) -> dict:
    """The SHA-1 thumbprint and subject of the certificate the server presents (guide §2.7.2)."""
    host, port, _ = split_url(url)
    try:
        pem = ssl.get_server_certificate((host, port), timeout=TIMEOUT)
    except (OSError, ssl.SSLError) as exc:
        raise ProviderError(f"Cannot read the certificate of {host}:{port}: {reason(exc)}.") from None
    cert = x509.load_pem_x509_certificate(pem.encode())
    return {
        "thumbprint": ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA1())),
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_after": cert.not_valid_after_utc.isoformat(),
    }


def reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer (timed out)"
    return str(exc) or exc.__class__.__name__


class ThumbprintMismatch(ssl.SSLError):
    def __init__(self, actual: str):
        super().__init__(f"server thumbprint is {actual}")
        self.actual = actual


class PinnedSSLSocket(ssl.SSLSocket):
    """Checks the peer certificate's SHA-1 thumbprint on every handshake."""

    pin = ""

    def do_handshake(self, *args, **kwargs):
        super().do_handshake(*args, **kwargs)
        actual = ":".join(f"{b:02X}" for b in hashlib.sha1(self.getpeercert(binary_form=True)).digest())
        if self.pin and actual != self.pin:
            raise ThumbprintMismatch(actual)


@functools.lru_cache(maxsize=64)
def ssl_context(insecure: bool, thumbprint: str = "") -> ssl.SSLContext:
    """System CAs unless insecure; the thumbprint, when given, is checked either way. Made once
    per setting: loading the system CA store costs about 0.15 s of CPU, and the engine opens a
    session for every power switch."""
    context = ssl.create_default_context()
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if thumbprint:
        context.sslsocket_class = type("Pinned", (PinnedSSLSocket,), {"pin": normalize_thumbprint(thumbprint)})
    return context


def connect(url: str, credentials: dict, timeout: int = TIMEOUT):
    """Log in; return the ServiceInstance. Raises ProviderError saying what to fix."""
    host, port, path = split_url(url)
    thumbprint = normalize_thumbprint(credentials.get("thumbprint", ""))
    insecure = str(credentials.get("insecureSkipVerify", "")).lower() == "true"
    try:
        return SmartConnect(
            host=host, port=port, path=path, user=credentials.get("user", ""), pwd=credentials.get("password", ""),
            sslContext=ssl_context(insecure, thumbprint), httpConnectionTimeout=timeout,
        )
    except vim.fault.InvalidLogin:
        raise ProviderError(
            f"vCenter at {host} refused the user name or password. Check both (user names usually look like "
            "user@vsphere.local) and save the provider again.", retryable=False) from None
    except ThumbprintMismatch as exc:
        raise ProviderError(
            f"The SHA-1 thumbprint of {host}:{port} is {normalize_thumbprint(exc.actual)}, not the "
            f"{thumbprint} you entered. Check it with your vCenter administrator (guide §2.7.2) or fetch it "
            "again, and save the provider.", retryable=False) from None
    except ssl.SSLCertVerificationError as exc:
        raise ProviderError(
            f"The certificate of {host}:{port} is not trusted by the system CA certificates "
            f"({exc.verify_message}). Install a certificate signed by a trusted CA on vCenter, or choose "
            "\"Skip certificate validation\" (the thumbprint is still checked).", retryable=False) from None
    except (ssl.SSLError, OSError) as exc:
        raise ProviderError(
            f"Cannot reach vCenter at {host}:{port}: {reason(exc)}. Check the URL and that the port is open "
            "from mtvweb.") from None
    except vim.fault.HostConnectFault as exc:
        raise ProviderError(f"vCenter at {host} refused the connection: {exc.msg}") from None
    except vmodl.MethodFault as exc:  # another fault of vCenter's own
        raise ProviderError(f"vCenter at {host} refused the login: {exc.msg or exc.__class__.__name__}.") from None
    except Exception as exc:  # noqa: BLE001 - pyVmomi raises plain HTTP and XML errors for what is no SDK endpoint
        # What answered is not quoted: the URL may lead to some other server, whose page is not the user's to read.
        log.info("no vSphere API at %s: %s", url, exc.__class__.__name__)
        raise ProviderError(
            f"There is no vSphere API at {url}. The URL must be the vCenter SDK endpoint, for example "
            f"https://{host}/sdk.", retryable=False) from None


@contextmanager
def session(url: str, credentials: dict):
    si = connect(url, credentials)
    try:
        yield si
    finally:
        try:
            Disconnect(si)
        except Exception:  # noqa: BLE001 - logging out of a dead session is not worth an error
            pass
