import time

from providers.adapters.base import Adapter, Endpoint, ProviderError
from providers.adapters.ova.client import ShareScanner, parse_share_url
from providers.adapters.ova.inventory import OvaCollector
from providers.adapters.ova.transfer import Operations

# A scan made by test_connection() serves the first load if it is at most this old.
REUSE_SCAN_SECONDS = 60.0


class OvaAdapter(Adapter):
    type = "ova"
    policy_package = "ova"
    supports_warm = False  # an exported appliance has no changed-block tracking: cold only
    needs_conversion = True  # vSphere guests need virt-v2v (drivers, boot) like vSphere sources
    form = "providers.adapters.ova.forms.OvaProviderForm"
    resources = {"vms": "vm", "networks": "network", "storages": "storage", "problems": "other"}

    # What generic code reads instead of the type (providers.adapters.base).
    storage_nouns = ("storage", "storage")  # the single "dummy storage" of the OVFs

    @staticmethod
    def nic_networks(data: dict) -> list[str]:
        return [nic.get("networkId") or "" for nic in data.get("nics") or []]

    @staticmethod
    def endpoint(url: str) -> Endpoint | None:
        """The NFS server of the `server:/path` share."""
        try:
            return Endpoint("nfs", parse_share_url(url).server.lower(), 2049)
        except ValueError:
            return None

    def __init__(self, provider):
        super().__init__(provider)
        self.last_scan: tuple[float, dict] | None = None

    def scanner(self) -> ShareScanner:
        try:
            share = parse_share_url(self.url)
        except ValueError as exc:
            raise ProviderError(f"The share URL {self.url!r} is not usable: {exc}", retryable=False) from None
        labels = {"mtvweb.io/provider": str(self.provider.uid)} if self.provider.pk else {}
        return ShareScanner(share, labels=labels)

    def test_connection(self) -> None:
        """Scan the share once: proves the cluster can mount and read it (and feeds the first load)."""
        self.last_scan = (time.monotonic(), self.scanner().scan())

    def collector(self) -> OvaCollector:
        first = None
        if self.last_scan and time.monotonic() - self.last_scan[0] < REUSE_SCAN_SECONDS:
            first = self.last_scan[1]
        return OvaCollector(self.scanner(), self.provider.name, first_scan=first)

    def operations(self) -> Operations:
        return Operations(self)
