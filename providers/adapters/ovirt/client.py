"""Connecting to an oVirt / RHV engine with ovirtsdk4, and saying clearly why it did not work.

Credentials use Forklift's secret keys: user, password, cacert (the engine CA in PEM) and
insecureSkipVerify ("true" to skip certificate checks). The SDK wants the CA as a file, so a
pasted certificate is written to a private temporary file for the life of the connection.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from urllib.parse import urlsplit

import ovirtsdk4 as sdk
from ovirtsdk4 import types

from providers.adapters.base import ProviderError

TIMEOUT = 20  # seconds for one request while testing a connection or following changes
INVENTORY_TIMEOUT = 300  # listing thousands of VMs with their devices in one request takes a while
API_PATH = "/ovirt-engine/api"
CA_PATH = "/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA"


def ca_url(url: str) -> str:
    """Where the engine serves its CA certificate (guide §2.5)."""
    return f"https://{urlsplit(url).netloc}{CA_PATH}"


def insecure(credentials: dict) -> bool:
    return str(credentials.get("insecureSkipVerify", "")).lower() == "true"


class OvirtClient:
    """One authenticated SDK connection; use as a context manager or call close()."""

    def __init__(self, url: str, credentials: dict, timeout: int = TIMEOUT):
        self.url = url.rstrip("/")
        self.host = urlsplit(self.url).netloc
        self.timeout = timeout
        self.reachable = True  # no logout attempt once the engine stopped answering
        self._ca_file = None
        skip_verify = insecure(credentials)
        self.ca_given = not skip_verify and bool(credentials.get("cacert"))
        if self.ca_given:
            self._ca_file = write_ca(credentials["cacert"])
        try:
            self.connection = sdk.Connection(
                url=self.url, username=credentials.get("user", ""), password=credentials.get("password", ""),
                insecure=skip_verify, ca_file=self._ca_file, timeout=timeout, log=None, debug=False,
            )
        except Exception:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        connection, self.connection = getattr(self, "connection", None), None
        if connection is not None:
            try:
                connection.close(logout=self.reachable)
            except Exception:  # noqa: BLE001 - logging out of a dead session is not worth an error
                pass
        if self._ca_file:
            os.unlink(self._ca_file)
            self._ca_file = None

    @property
    def system(self):
        return self.connection.system_service()

    def test(self) -> types.Api:
        """Log in and read the API root; raise ProviderError saying what to fix."""
        if urlsplit(self.url).scheme != "https":
            raise ProviderError(f"Use an https:// URL, for example https://{self.host}{API_PATH}: the engine "
                                "serves its API over TLS.", retryable=False)
        with self.translated():
            api = self.system.get()
        if api.product_info is None:
            raise ProviderError(
                f"{self.url} answered, but not like an oVirt engine API. The URL must end with {API_PATH}, "
                f"for example https://{self.host}{API_PATH}.", retryable=False)
        return api

    # Power actions the migration uses; each raises ProviderError on refusal.
    def vm_status(self, vm_id: str) -> str:
        with self.translated():
            return self.system.vms_service().vm_service(vm_id).get().status.value

    def start_vm(self, vm_id: str) -> None:
        with self.translated():
            self.system.vms_service().vm_service(vm_id).start()

    def power_off_vm(self, vm_id: str) -> None:
        with self.translated():
            self.system.vms_service().vm_service(vm_id).stop()

    @contextmanager
    def translated(self):
        """Turn SDK errors into ProviderErrors whose message tells the user what to do."""
        try:
            yield
        except sdk.Error as exc:
            error = explain(exc, self.url, self.host, self.ca_given)
            self.reachable = not error.retryable
            raise error from None


def write_ca(pem: str) -> str:
    descriptor, path = tempfile.mkstemp(prefix="mtvweb-ovirt-ca-", suffix=".pem")
    with os.fdopen(descriptor, "w") as handle:
        handle.write(pem if pem.endswith("\n") else pem + "\n")
    return path


CURL_ERROR = re.compile(r"\(\s*(?:<[^>]*>,\s*)?(\d+),\s*'([^']*)'\)")
CONNECT_FAILED = {6: "the host name does not resolve", 7: "the connection was refused", 28: "no answer (timed out)"}
DROPPED = {35, 52, 55, 56}  # TLS handshake failure, empty reply, send/receive failure


def explain(exc: sdk.Error, url: str, host: str, ca_given: bool = True) -> ProviderError:
    text = str(exc)
    match = CURL_ERROR.search(text)
    curl_code, curl_text = (int(match[1]), match[2]) if match else (0, "")
    if isinstance(exc, sdk.AuthError):
        return ProviderError(
            f"The engine at {host} refused the user name or password. Check both (the user name includes its "
            "profile, for example admin@internal) and save the provider again.", retryable=False)
    if curl_code in (51, 60):
        if "subject name" in curl_text or "does not match" in curl_text:
            return ProviderError(
                f"The engine's certificate does not name {urlsplit(url).hostname}. Use the host name the "
                "certificate was issued for in the URL, or choose \"Skip certificate validation\".",
                retryable=False)
        trusted_by = "the CA certificate given" if ca_given else "a CA this system trusts"
        return ProviderError(
            f"The certificate of {host} is not signed by {trusted_by}. Download the engine CA from "
            f"{ca_url(url)} (or, if the engine uses a third-party certificate, its Apache CA), paste it as the "
            "CA certificate, or choose \"Skip certificate validation\".", retryable=False)
    if curl_code in CONNECT_FAILED:
        return ProviderError(
            f"Cannot reach the engine at {host}: {CONNECT_FAILED[curl_code]}. Check the URL and that port "
            f"{urlsplit(url).port or 443} is open from mtvweb.")
    if curl_code == 35 and "wrong version number" in curl_text:
        return ProviderError(
            f"{host} did not speak HTTPS. Use the engine's https:// URL, for example https://{host}{API_PATH}.",
            retryable=False)
    if curl_code in DROPPED:
        return ProviderError(
            f"The connection to the engine at {host} was dropped ({curl_text}). Check that the engine is up and "
            "reachable from mtvweb; the inventory reconnects by itself.")
    if "isn't the expected XML" in text or exc.code == 404:
        return ProviderError(
            f"There is no oVirt API at {url}. The URL must end with {API_PATH}, for example "
            f"https://{host}{API_PATH}.", retryable=False)
    if exc.code in (401, 403):
        return ProviderError(
            f"The user may log in to {host} but is not allowed to read the inventory ({exc.code}). Give it a "
            "role with read access to the data centers, for example SuperUser or an admin role.", retryable=False)
    if curl_code:
        return ProviderError(f"Talking to the engine at {host} failed: {curl_text} (curl error {curl_code}).")
    return ProviderError(f"The engine at {host} answered with an error: {fault_text(exc)}")


def fault_text(exc: sdk.Error) -> str:
    fault = getattr(exc, "fault", None)
    if fault is not None and (fault.detail or fault.reason):
        return (fault.detail or fault.reason).strip("[]")
    return str(exc)
