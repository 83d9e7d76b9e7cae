"""Signing in to OpenStack with keystoneauth/openstacksdk, reading its APIs, powering servers.

Lists are read as the services' JSON through openstacksdk's service proxies (which bring the
token, the catalog endpoint of the region and microversions) instead of through its Resource
objects: building a Resource costs ~4.5 ms of CPU per server, 23 s for 5,000 servers against
0.8 s for the same page of JSON.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
import threading
import time
from pathlib import Path

import openstack
from keystoneauth1 import discover
from keystoneauth1 import exceptions as ks
from keystoneauth1 import session as ks_session
from openstack import exceptions as sdk
from openstack import utils as sdk_utils

from providers.adapters.base import ProviderError
from providers.adapters.openstack import auth
from providers.adapters.openstack.errors import RC_HINT, translated

TIMEOUT = 20.0
PAGE_SIZE = 1000
# 2.47+ embeds the flavor (with extra specs) in each server; 2.79 is Train, widely deployed.
COMPUTE_MICROVERSION = "2.79"
# Catalog service types the inventory reads.
SERVICES = {"compute": "compute", "block_storage": "block-storage", "image": "image", "network": "network"}


_ca_dir: Path | None = None
_ca_lock = threading.Lock()


def ca_file(pem: str) -> str:
    """A file holding the CA certificate for requests' `verify`, one per distinct PEM, in a directory
    private to this process (a shared one would let another local user swap in their own CA)."""
    global _ca_dir
    with _ca_lock:
        if _ca_dir is None:
            _ca_dir = Path(tempfile.mkdtemp(prefix="mtvweb-ca-"))
            atexit.register(shutil.rmtree, _ca_dir, ignore_errors=True)
        path = _ca_dir / f"{hashlib.sha256(pem.encode()).hexdigest()[:32]}.pem"
        if not path.exists():
            path.write_text(pem)
    return str(path)


def tls_verify(credentials: dict) -> bool | str:
    if str(credentials.get("insecureSkipVerify", "")).lower() == "true":
        return False
    if credentials.get("cacert"):
        return ca_file(credentials["cacert"])
    return True


class OpenStackClient:
    def __init__(self, url: str, credentials: dict, timeout: float = TIMEOUT):
        self.url = url.rstrip("/")
        self.credentials = credentials
        self.region = credentials.get("regionName") or None
        self.session = ks_session.Session(auth=auth.auth_plugin(self.url, credentials),
                                          verify=tls_verify(credentials), timeout=timeout, app_name="mtvweb")
        self.access = None
        self._connection = None
        self._microversions: dict[str, str | None] = {}

    # --- signing in ---------------------------------------------------------------------

    def translated(self, what: str):
        project = self.access.project_name if self.access else self.credentials.get("projectName", "")
        return translated(self.url, self.credentials, what, project or "")

    def sign_in(self) -> None:
        """Check that the URL is Keystone v3, get a token, and check its scope and the region."""
        self.check_keystone_url()
        with self.translated("sign in to Keystone"):
            self.access = self.session.auth.get_access(self.session)
        self.check_identity()
        self.region = self.pick_region()

    def check_keystone_url(self) -> None:
        with self.translated("read the Keystone version document"):
            try:
                versions = discover.get_version_data(self.session, self.url, authenticated=False)
            except ks.NotFound:
                raise ProviderError(f"Nothing answers at {self.url} (HTTP 404): the path is wrong; {RC_HINT}.",
                                    retryable=False) from None
            except (ks.DiscoveryFailure, ks.HttpError):
                versions = []
        found = [str(v.get("id", "")) for v in versions]
        if not any(v.startswith("v3") for v in found):
            what = f"it serves API {', '.join(found)}" if found else "it does not describe a Keystone API"
            raise ProviderError(f"{self.url} is not a Keystone v3 endpoint ({what}); {RC_HINT}.",
                                retryable=False)

    def check_identity(self) -> None:
        access, c = self.access, self.credentials
        if not access.project_id:
            raise ProviderError("The credentials give a token without a project. Issue a project-scoped "
                                "token (or use credentials bound to a project): the inventory is read per "
                                "project.", retryable=False)
        method = auth.method_of(c)
        if method == auth.TOKEN_WITH_USER_ID and c.get("userID") and c["userID"] != access.user_id:
            raise ProviderError(f"The token belongs to user ID {access.user_id}, not {c['userID']}: enter "
                                "the user ID that `openstack token issue` printed with the token.",
                                retryable=False)
        if method == auth.TOKEN_WITH_USER_NAME and c.get("username") and c["username"] != access.username:
            raise ProviderError(f"The token belongs to user {access.username}, not {c['username']}: enter "
                                "the user name the token was issued to.", retryable=False)

    def pick_region(self) -> str:
        catalog = self.access.service_catalog.get_endpoints(service_type="compute", interface="public")
        regions = sorted({r for e in catalog.get("compute", []) if (r := e.get("region_id") or e.get("region"))})
        if not regions:
            raise ProviderError("The service catalog of this project has no compute (Nova) endpoint: the "
                                "account cannot see any VMs here.", retryable=False)
        if self.region and self.region not in regions:
            raise ProviderError(f"Region “{self.region}” has no compute endpoint. Regions in the catalog: "
                                f"{', '.join(regions)}.", retryable=False)
        if not self.region and len(regions) > 1:
            raise ProviderError(f"This cloud has several regions ({', '.join(regions)}): enter the region "
                                "name of the VMs to migrate.", retryable=False)
        return self.region or regions[0]

    @property
    def project(self) -> dict:
        a = self.access
        return {"id": a.project_id, "name": a.project_name, "domainID": a.project_domain_id,
                "domainName": a.project_domain_name}

    @property
    def connection(self) -> openstack.connection.Connection:
        if self._connection is None:
            if self.access is None:
                self.sign_in()
            self._connection = openstack.connection.Connection(session=self.session, region_name=self.region)
        return self._connection

    def check(self) -> None:
        """Everything the inventory needs: sign-in, then one item from each service it reads."""
        self.sign_in()
        self.get_json("compute", "/servers", "list servers", params={"limit": 1})
        self.get_json("block_storage", "/volumes", "list volumes", params={"limit": 1})
        self.get_json("image", "/images", "list images", params={"limit": 1})
        self.get_json("network", "/ports", "list ports", params={"limit": 1})

    # --- reading ------------------------------------------------------------------------

    def microversion(self, service: str) -> str | None:
        if service == "compute" and service not in self._microversions:
            with self.translated("negotiate the compute API version"):
                self._microversions[service] = sdk_utils.maximum_supported_microversion(
                    self.connection.compute, COMPUTE_MICROVERSION)
        return self._microversions.get(service)

    def get_json(self, service: str, path: str, what: str, params: dict | None = None) -> dict:
        proxy = getattr(self.connection, service)
        with self.translated(what):
            response = proxy.get(path, params=params or {}, microversion=self.microversion(service))
            sdk.raise_from_response(response)
            return response.json()

    def get_optional(self, service: str, path: str, what: str) -> dict | None:
        """One object, or None when it no longer exists."""
        try:
            return self.get_json(service, path, what)
        except ProviderError as exc:
            if getattr(exc, "http_status", None) == 404:
                return None
            raise

    def paged(self, service: str, path: str, key: str, what: str, params: dict | None = None):
        """Every item of a collection, following the service's next links with `marker`."""
        params = {**(params or {}), "limit": PAGE_SIZE}
        while True:
            body = self.get_json(service, path, what, params)
            items = body.get(key) or []
            yield from items
            links = body.get(f"{key}_links") or []
            more = body.get("next") or any(link.get("rel") == "next" for link in links)
            if not items or not more:
                return
            params["marker"] = items[-1]["id"]

    # --- power --------------------------------------------------------------------------

    def server_status(self, server_id: str) -> str:
        body = self.get_json("compute", f"/servers/{server_id}", f"read VM {server_id}")
        return body["server"]["status"]

    def power_off(self, server_id: str) -> None:
        with self.translated(f"stop VM {server_id}"):
            self.connection.compute.stop_server(server_id)

    def power_on(self, server_id: str) -> None:
        with self.translated(f"start VM {server_id}"):
            self.connection.compute.start_server(server_id)

    def wait_for_status(self, server_id: str, status: str, timeout: float = 300, poll: float = 2.0) -> None:
        deadline = time.monotonic() + timeout
        while (current := self.server_status(server_id)) != status:
            if current == "ERROR":
                raise ProviderError(f"VM {server_id} went into ERROR while waiting for {status}.")
            if time.monotonic() > deadline:
                raise ProviderError(f"VM {server_id} is still {current} after {timeout:.0f} s, not {status}.")
            time.sleep(poll)
