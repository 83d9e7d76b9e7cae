from providers.adapters.base import Adapter, StorageSummary, VMSummary
from providers.adapters.ovirt.client import OvirtClient
from providers.adapters.ovirt.inventory import OvirtCollector
from providers.adapters.ovirt.transfer import Operations


class OvirtAdapter(Adapter):
    """oVirt / Red Hat Virtualization: warm migration through incremental backup, no guest conversion."""

    type = "ovirt"
    policy_package = "ovirt"
    supports_warm = True
    needs_conversion = False
    form = "providers.adapters.ovirt.forms.OvirtProviderForm"
    # Forklift's collections (pkg/controller/provider/web/ovirt) → stored kinds. Disks and profiles have
    # kinds of their own: VMs embed them, and plans look them up by id.
    resources = {
        "vms": "vm",
        "datacenters": "datacenter",
        "clusters": "cluster",
        "hosts": "host",
        "networks": "network",
        "nicprofiles": "nicprofile",
        "storagedomains": "storage",
        "diskprofiles": "diskprofile",
        "disks": "disk",
    }

    # What generic code reads instead of the type (providers.adapters.base).
    storage_nouns = ("storage domain", "storage domains")
    has_hosts = True

    @staticmethod
    def vm_summary(data: dict) -> VMSummary:
        cpus = data.get("cpuSockets", 1) * data.get("cpuCores", 1) * data.get("cpuThreads", 1)
        disks = [(a.get("disk") or {}).get("provisionedSize", 0) for a in data.get("diskAttachments", [])]
        return VMSummary(cpus=cpus, memory_bytes=data.get("memory", 0), disk_bytes=disks,
                         nics=len(data.get("nics", [])))

    @staticmethod
    def nic_networks(data: dict) -> list[str]:
        return [((nic.get("profile") or {}).get("network") or "") for nic in data.get("nics") or []]

    @staticmethod
    def disk_storages(data: dict) -> list[str]:
        return [(a.get("disk") or {}).get("storageDomain", "") for a in data.get("diskAttachments") or []]

    @staticmethod
    def storage_summary(data: dict) -> StorageSummary:
        return StorageSummary(capacity=data.get("available", 0) + data.get("used", 0), free=data.get("available", 0))

    def test_connection(self) -> None:
        with OvirtClient(self.url, self.credentials) as client:
            client.test()

    def client(self) -> OvirtClient:
        return OvirtClient(self.url, self.credentials)

    def collector(self) -> OvirtCollector:
        return OvirtCollector(self.url, self.credentials)

    def operations(self) -> Operations:
        return Operations(self)
